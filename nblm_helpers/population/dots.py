"""The nearly-localized metal with a distribution of linewidths, by population dynamics (issue 15, part 2).

Beyond the paper: Gopalakrishnan & Nandkishore (2014) solve Eqs. (17)-(20) for one *typical*
linewidth :math:`\\Gamma`, "assuming that the linewidth is the same for all spectral lines".  Here
every dot of the array has its own rate; a population of ``population`` values of
:math:`\\ln\\Gamma` represents their distribution :math:`P(\\ln\\Gamma)`, iterated to stationarity.
Energies in units of :math:`\\delta_m`; :math:`\\ell = \\ln K`; :math:`a = \\ln\\gamma`.

The construction
----------------
Eq. (18) is the Golden rule for a dot whose rearrangements of total order :math:`m = n + p` (an
:math:`n`-particle rearrangement of the dot with a :math:`p`-particle one of the bath) find their
nearest bath line at detuning :math:`\\delta E`, with squared matrix element
:math:`\\gamma^2 e^{-2m/\\Xi}` and the line shape :math:`S_\\Gamma` of Eq. (17) (with
:math:`n_{\\rm fast}` of Eq. 20).  At order :math:`m` there are :math:`w_m` channels
:math:`(n, p)`: :math:`w_m = m - 1` (``sum_range="infinite"``, :math:`n, p \\ge 1`) or
:math:`\\min(m - 1, 2N + 1 - m)` (``"square"``, :math:`1 \\le n, p \\le N`).  A new member -- one
dot -- of the population gets

.. math::
    \\Gamma_i = \\gamma^2 \\sum_{m \\ge 2} \\frac{w_m}{L_m} \\sum_{k=1}^{L_m}
    e^{-2m/\\Xi_i}\\, S_{\\Gamma_{j(m,k)}}\\!\\big(\\delta_m K^{-m} r_{m,k}\\big),
    \\qquad L_m = \\min(w_m, L),

where, independently for every line :math:`(m, k)` and every iteration,

* :math:`\\Gamma_{j(m,k)}` is the width of the bath line, the rate of a member :math:`j` drawn
  uniformly from the current population (its Eq. 17 shape, :math:`n_{\\rm fast}` saturating at
  :math:`t \\ge 1/\\Gamma_j`, is that line's own);
* :math:`r_{m,k}` is the detuning in units of the paper's typical :math:`\\delta_m K^{-m}`:
  ``detuning="typical"``: :math:`r = 1` (the paper); ``detuning="random"``:
  :math:`r = e^{\\gamma_E} E` with :math:`E` exponential of mean 1.  Why: the many-body lines of a
  localized bath at order :math:`m` are uncorrelated (Poisson) with density
  :math:`\\propto K^m`, so the distance from a given energy to the nearest one is exponential; the
  factor :math:`e^{\\gamma_E}` (:math:`\\gamma_E` Euler's constant, :math:`\\langle\\ln E\\rangle =
  -\\gamma_E`) makes :math:`\\langle\\ln r\\rangle = 0`, i.e. the typical (geometric-mean)
  detuning is the paper's :math:`\\delta_m K^{-m}`;
* and, with ``eps_spread`` :math:`= \\sigma > 0`, each new member has its own
  :math:`\\varepsilon_i = 1 - 1/(\\Xi_i\\ln K)` uniform in :math:`[\\varepsilon - \\sqrt3\\sigma,
  \\varepsilon + \\sqrt3\\sigma]` (standard deviation :math:`\\sigma`; a box, like Anderson's
  disorder, so that :math:`\\varepsilon_i < 1` and a bounded worst dot), which sets
  :math:`e^{-2m/\\Xi_i} = K^{2m(\\varepsilon_i - 1)}`.

What is *not* random: the matrix elements (:math:`\\gamma^2 e^{-2m/\\Xi_i}`, the paper's typical
value), the channel counts :math:`w_m`, :math:`s`, :math:`N`, :math:`d` and :math:`\\gamma`.  Each
channel of order :math:`m` finds its own nearest line; ``lines_per_order`` :math:`= L` draws
:math:`\\min(w_m, L)` of them per order and gives each the weight :math:`w_m/L_m` (exact when
:math:`L \\ge w_m` at every order, e.g. :math:`L \\ge N` for the square sum; otherwise an unbiased
estimate of the sum over the channels, with fluctuations of the orders :math:`w_m > L`
overestimated).  The stationary population is the fixed point of this distributional equation;
drawing :math:`\\varepsilon_i`, :math:`r` and :math:`j` afresh every iteration gives the same
stationary distribution as quenched ones (only the correlation between iterations differs).

With ``eps_spread = 0`` and typical detunings every member sees the same terms, and a population
of equal values stays equal: the map is :math:`x \\mapsto x + \\ln F(x)`, :math:`x = \\ln\\Gamma`,
with :math:`F` of Eq. (19), whose fixed point is :func:`~nblm_helpers.meanfield.solve_linewidth`
(tested to 1e-8 in :math:`\\ln\\Gamma` for both sum ranges).  The terms are evaluated with
:func:`nblm_helpers.meanfield.nfast._ln_lineshape`, the package's one Eq. (17).

The update and its convergence
------------------------------
Each iteration replaces the whole population by new members (all in logs: :math:`\\Gamma` down to
:math:`e^{-10^4}`).  The map's slope in :math:`x` is a weighted mean of
:math:`(1 - u)/(1 + u)`, :math:`u = (\\Gamma n_{\\rm fast}K^m/r)^2`, so it lies in about
:math:`(-1, 1)` but tends to 1 near the transition, where the plain iteration converges slowly.
During ``burn_in`` the mean :math:`\\mu_t = \\langle\\ln\\Gamma\\rangle` is therefore accelerated by
a secant (Newton-like) step on the map :math:`\\mu \\mapsto g(\\mu)`: after the plain update the
whole population is shifted by :math:`\\Delta = (g(\\mu_t) - \\mu_t)\\, s/(1 - s)`, with the slope
:math:`s` from the last two updates (clipped to :math:`[-0.95, 0.995]`; the shift at most 200 times
the plain step and 50 in :math:`\\ln\\Gamma`).  The signs of the plain steps bracket the fixed point
(between ``ln_Gamma_floor`` and :math:`\\ln\\gamma` at first); a secant point outside the bracket is
replaced by its midpoint (a contradictory bracket, possible while the shape of the distribution
still changes, is reset).  The acceleration is skipped while the plain step is below 5 standard
errors of :math:`\\mu` (it would chase noise).  In the homogeneous limit this is a safeguarded
secant method on Eq. (19): from :math:`\\ln\\Gamma = -30` or :math:`-250` it reaches the root to
1e-9 in 5-12 iterations (measured at :math:`\\varepsilon = -0.1, 0, 0.3`, both sums).  The measured ``iterations``
are plain updates: the population then samples the stationary distribution exactly.
*Stationary* means: a straight line through the batch means of the trace :math:`\\mu_t` over the
measured iterations (at most 10 batches of at least 2 iterations) has a total change over them
below :math:`t_{0.9995}` standard errors (Student's two-sided 99.9% quantile for the residuals'
degrees of freedom; an exactly constant trace always passes, and with fewer than 3 batches only
it does) plus :math:`10^{-9}(1 + |\\mu|)`; otherwise a :class:`~nblm_helpers.parameters.ValidityWarning`.

Localized members and collapse.  A member below ``ln_Gamma_floor`` (default :math:`-300`:
:math:`\\Gamma < e^{-300}\\delta_m`) is set to :math:`\\Gamma = 0` (``ln_Gamma = -inf``, a
localized dot: its lines contribute nothing).  The population *collapses* when every member is
localized; then the run stops (``collapsed = True``).  Whether the localized solution is stable is
decided by the linearized recursion (:func:`linearized_growth`, :func:`distribution_transition`).

Truncation of the orders
------------------------
The square sum is summed over all orders :math:`2 \\le m \\le 2N`.  The infinite sum is summed
explicitly for :math:`2 \\le m < M` with :math:`M` recomputed every iteration as the smallest order
at which a closed-form bound on *all* discarded terms, :math:`\\sum_{m \\ge M} w_m q^m C =
C q^M [(M-1)/(1-q) + q/(1-q)^2]`, falls below :math:`10^{-16} e^{x_{1\\%}}` (:math:`x_{1\\%}` the 1%
quantile of the current finite :math:`\\ln\\Gamma`, at least the floor): the smaller of

* :math:`q = K^{2(\\varepsilon_{\\max} - 1)}`, :math:`C = \\gamma^2\\max_j \\Gamma_j^{-1}
  \\max(n_j, 1/n_j, 1)` (:math:`n_j = n_{\\rm fast}` saturated at :math:`\\Gamma_j`), from
  :math:`S_\\Gamma(\\omega) \\le \\max(n_c, 1/n_c, 1)/\\Gamma` for every :math:`\\omega` (any
  detuning); and
* typical detunings with :math:`\\varepsilon_{\\max} < 1/2` only: :math:`q = K^{2\\varepsilon_{\\max}
  - 1}`, :math:`C = \\gamma^2/2`, from :math:`S_\\Gamma(\\omega) \\le 1/(2\\omega)`.

The order :math:`M` is capped at its value for a population at the floor (:math:`x_j = x_{1\\%}
=` ``ln_Gamma_floor``); only a member within :math:`e^{-|{\\rm floor}|}` of :math:`\\gamma` (where the
literal :math:`n_{\\rm fast}` of the saturated branch is tiny) could make the bound need more.

Work limits
-----------
``population`` in [10, 2 * 10^5], ``iterations`` in [2, 10^4], ``burn_in`` in [0, 10^4],
``lines_per_order`` in [1, 1024], ``ln_Gamma_floor`` in [-10^4, -1]; ``eps`` (or ``Xi``) scalar
with ``eps + sqrt(3) eps_spread < 1``.  Cost: ``population * lines * (burn_in + iterations)``
line evaluations, ~0.05 microseconds each on the 2-core development machine, where ``lines``
:math:`= \\sum_{2 \\le m < M}\\min(w_m, L)` (164 for :math:`M = 26`, :math:`L = 8`: the defaults take
5-8 s at :math:`\\gamma = 0.1, K = 3`, :math:`\\varepsilon = -0.3` with random detunings).  A call whose estimate at the starting population exceeds
``MAX_WORK = 1e9`` (~50 s) raises :class:`ValueError`; a run whose population sinks so that the
work done would exceed ``2 * MAX_WORK`` stops there with a ValidityWarning (its statistics are
those of the iterations done).  Parameters outside their ranges raise :class:`ValueError` naming
them.

Measured (gamma = 0.1, K = 3, N = 10, s = 1/2, d = 1, infinite sum)
--------------------------------------------------------------------
Homogeneous limit: ``|ln Gamma - solve_linewidth| <= 4e-15`` (both sums, :math:`\\varepsilon` from
-0.15 to 0.45).  Typical detunings with ``eps_spread = 0.05`` (population 5000): P(ln Gamma) stays
narrow (width 0.40, 0.51, 0.62, 0.71, 0.81, 0.92 at :math:`\\varepsilon = 0.3, 0, -0.1, -0.15,
-0.18, -0.2`; Hill exponent of :math:`\\Gamma` 9-15), the typical value lies above Eq. (19)'s near the
transition (-13.83 against -15.21 at -0.15), and the metal extends from :math:`\\varepsilon_c = -0.177`
(:math:`F(0^+) = 1`) to -0.205 (:func:`distribution_transition`; collapse at -0.22).  Random
detunings: the metal extends to :math:`\\varepsilon_c = -0.929` (:math:`\\Xi_c = 0.472` against
0.773), with typical / ln-mean / width -7.45 / -6.67 / 1.11 at 0, -10.59 / -8.14 / 1.76 at -0.3,
-33.3 / -20.0 / 3.44 at -0.8, and a power-law upper tail whose Hill exponent (top 5%) falls
4.8, 1.7, 0.86, 0.54, 0.38, 0.37 at 0.3, 0, -0.3, -0.6, -0.8, -0.88 towards the linearized
recursion's :math:`\\beta = 0.374` at :math:`\\varepsilon_c`.  ``lines_per_order`` 8 and 32 agree
there (-10.595 / -10.599, width 1.759 / 1.766 at -0.3); 1 does not (-11.98, and
:math:`\\varepsilon_c = -0.749`).  By the criterion of :func:`tail_exponent` (not collapsed, Hill
exponent below 1 by more than two standard errors) a "conducting but non-ergodic" window appears
with random detunings, from about :math:`\\varepsilon = -0.3` (0.86 +- 0.05) down to the transition,
and none with typical detunings.  Caveats: the runs at -0.6 and -0.88 drift (not stationary by the
test above; near the transition the relaxation is slow and :math:`\\ln\\Gamma \\approx -278` at
-0.88); the Hill estimate uses the top 5% of 5000 members of one final population.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import t as student_t

from ..meanfield._checks import _validate
from ..meanfield.boundary import critical_eps, critical_Xi
from ..meanfield.nfast import _ln_lineshape, _ln_n_unsat
from ..meanfield.solve import _solve
from ..parameters import ValidityWarning, _show, check_choice, check_positive_int, check_real, check_scalar, check_seed
from ._kernels import batch_mean_array

__all__ = ["LinewidthDistribution", "DistributionTransition", "stationary_linewidths", "linearized_growth",
           "distribution_transition", "tail_exponent", "DETUNINGS", "MAX_WORK"]

DETUNINGS = ("typical", "random")
MAX_POPULATION = 200_000
MAX_ITERATIONS = 10_000
MAX_LINES_PER_ORDER = 1024
#: ``population * lines * (burn_in + iterations)`` line evaluations per call (~60 s)
MAX_WORK = 1e9
MAX_ORDERS_LAMBDA = 200_000  # orders summed by linearized_growth
FLOOR_RANGE = (-1e4, -1.0)
QUANTILES = (0.01, 0.1, 0.5, 0.9, 0.99)
_EULER = 0.5772156649015329
_REL_TRUNC = math.log(1e-16)
_CHUNK = 2**20  # array elements per chunk of lines (bounded memory)
_BATCHES = 10
_SQRT3 = math.sqrt(3.0)
_NODES = 550  # quadrature nodes for the random detuning in linearized_growth (_detuning_nodes)
_BETA_LO = 0.05
_MAX_ORDER = 10_000_000  # truncation orders beyond this are refused (work limit)
#: terms (orders x quadrature nodes) that one distribution_transition call may evaluate (~2 s at ~45 ns each;
#: the default random-detuning case needs 1.2e7); one linearized_growth call: a quarter of it
MAX_TERMS_TRANSITION = 4e7
_MAX_LINES = 2_000_000  # lines per member per iteration (memory: a few arrays of this length)


@dataclass(frozen=True)
class LinewidthDistribution:
    """The stationary distribution of linewidths (returned by :func:`stationary_linewidths`).

    Attributes
    ----------
    ln_Gamma : numpy.ndarray
        The final population of :math:`\\ln(\\Gamma/\\delta_m)` (``population`` values; ``-inf``
        for localized members, below ``ln_Gamma_floor``).
    ln_Gamma_typical, ln_Gamma_typical_stderr : float
        :math:`\\langle\\ln\\Gamma\\rangle` over the non-localized members, averaged over the
        measured iterations, and its standard error (batch means); ``-inf`` and 0 if collapsed.
    Gamma_typical : float
        ``exp(ln_Gamma_typical)``, the typical linewidth (0.0 if collapsed or underflowing).
    ln_Gamma_mean, Gamma_mean : float
        :math:`\\ln\\langle\\Gamma\\rangle`, the mean over all members (localized ones count as 0) and
        the measured iterations, and its exponential.
    ln_Gamma_std : float
        The width of :math:`P(\\ln\\Gamma)`: the standard deviation of the finite
        :math:`\\ln\\Gamma`, averaged over the measured iterations (0 in the homogeneous limit).
    quantiles : dict
        ``{q: ln Gamma}`` of the final population at ``q`` in ``QUANTILES`` (localized members
        included as ``-inf``).
    localized_fraction : float
        Fraction of localized members, averaged over the measured iterations.
    above_gamma_fraction : float
        Fraction of the new members of the measured iterations whose rate reached :math:`\\gamma`
        (outside Eq. 20's domain; set to :math:`\\gamma`, the bound the solver reports as
        ``"above_gamma"``).
    collapsed : bool
        Every member localized (the run stopped; the statistics above are ``-inf`` or 1).
    stationary : bool
        The trace passed the stationarity test (module docstring); ``drift`` is the change of
        :math:`\\langle\\ln\\Gamma\\rangle` over the measured iterations by a straight line through
        its batch means, ``drift_stderr`` its error (0 where it cannot be estimated).
    trace : numpy.ndarray
        :math:`\\langle\\ln\\Gamma\\rangle` over the non-localized members after every iteration
        (``burn_in + iterations`` values; ``-inf`` once collapsed).
    orders : int
        The largest truncation order :math:`M` used (orders :math:`2 \\le m < M`).
    ln_Gamma_homogeneous : float
        The typical-value theory's :math:`\\ln\\Gamma` (:func:`~nblm_helpers.meanfield.solve_linewidth`,
        ``-inf`` where localized, ``ln(gamma)`` if ``"above_gamma"``), for comparison.
    options : dict
        The validated inputs.
    """

    ln_Gamma: np.ndarray
    ln_Gamma_typical: float
    ln_Gamma_typical_stderr: float
    Gamma_typical: float
    ln_Gamma_mean: float
    Gamma_mean: float
    ln_Gamma_std: float
    quantiles: dict
    localized_fraction: float
    above_gamma_fraction: float
    collapsed: bool
    stationary: bool
    drift: float
    drift_stderr: float
    trace: np.ndarray
    orders: int
    ln_Gamma_homogeneous: float
    options: dict


@dataclass(frozen=True)
class DistributionTransition:
    """The transition of the distribution (returned by :func:`distribution_transition`).

    Attributes
    ----------
    eps_c, Xi_c : float
        Where :math:`\\min_\\beta \\Lambda(\\beta) = 0` (localized below, metallic above);
        :math:`\\Xi_c = 1/((1 - \\varepsilon_c)\\ln K)`.
    beta : float
        The minimizing :math:`\\beta` at :math:`\\varepsilon_c`: the tail exponent of
        :math:`P(\\Gamma) \\sim \\Gamma^{-1-\\beta}` of the linearized recursion at the transition.
    eps_c_typical, Xi_c_typical : float
        The typical-value theory's :math:`F(0^+) = 1` (:func:`~nblm_helpers.meanfield.critical_Xi`).
    options : dict
        The validated inputs.
    """

    eps_c: float
    Xi_c: float
    beta: float
    eps_c_typical: float
    Xi_c_typical: float
    options: dict


# ----------------------------------------------------------------------------- validation


def _check_model(eps, Xi, gamma, K, N, s, d, sum_range, nfast, eps_spread, detuning):
    """Validated model parameters as a dict (scalars only)."""
    if eps is not None and np.ndim(eps):
        raise ValueError(f"eps must be a scalar here; got an array of shape {np.shape(eps)}")
    if Xi is not None and np.ndim(Xi):
        raise ValueError(f"Xi must be a scalar here; got an array of shape {np.shape(Xi)}")
    eps, gamma, K, N, s, d, _, sum_range, nfast, _ = _validate(eps, Xi, gamma, K, N, s, d, "19", sum_range, nfast)
    eps = float(eps)
    detuning = check_choice("detuning", detuning, DETUNINGS)
    sigma = check_scalar(check_real, "eps_spread", eps_spread, lo=0.0, lo_open=False, hi=1e6)
    h = _SQRT3 * sigma
    if not eps + h < 1.0:
        raise ValueError(
            f"eps_spread={_show(eps_spread)} with eps={eps!r}: the box eps +- sqrt(3) eps_spread must stay below 1 "
            f"(Xi finite); eps_spread must be < {(1.0 - eps) / _SQRT3:.6g}")
    return dict(eps=eps, gamma=float(gamma), K=K, N=N, s=float(s), d=d, sum_range=sum_range, nfast=nfast,
                eps_spread=float(sigma), detuning=detuning)


def _weights(m, p):
    """Channel counts w_m of order m (float array)."""
    if p["sum_range"] == "infinite":
        return m - 1.0
    return np.minimum(m - 1.0, 2 * p["N"] + 1.0 - m)


def _ln_tail(M, q, lnC):
    """ln of C sum_{m >= M} (m - 1) q^m (q < 1), closed form."""
    lnq = math.log(q)
    return lnC + M * lnq + math.log((M - 1.0) / (1.0 - q) + q / (1.0 - q) ** 2)


def _first_order(q, lnC, target):
    """Smallest M >= 2 with _ln_tail(M) <= target (fixed-point iteration, then a check)."""
    if not q < 1.0:
        return math.inf
    if q <= 0.0:  # K^(2 (eps - 1)) underflows: every term beyond the first is 0
        return 3.0
    lnq = math.log(q)
    M = 2.0
    for _ in range(60):
        poly = math.log((M - 1.0) / (1.0 - q) + q / (1.0 - q) ** 2)
        M_new = max(2.0, math.ceil((target - lnC - poly) / lnq))
        if M_new <= M:
            break
        M = M_new
        if M > 1e12:
            return math.inf
    while _ln_tail(M, q, lnC) > target:  # pragma: no cover - the iteration ends at such an M
        M += 1.0
    return M


def _orders(p, x_fin, ref, eps_max):
    """Truncation order M of the infinite sum (module docstring); 2N + 1 for the square sum."""
    if p["sum_range"] == "square":
        return 2 * p["N"] + 1
    a, ell = math.log(p["gamma"]), math.log(p["K"])
    target = _REL_TRUNC + ref
    M = math.inf
    if x_fin.size:
        ln_nc = _ln_n_unsat(a - x_fin, math.log(p["s"] * p["N"]), p["d"], p["nfast"] == "literal")
        lnC2 = 2.0 * a + float(np.max(np.abs(ln_nc) - x_fin))
        M = _first_order(math.exp(2.0 * ell * (eps_max - 1.0)), lnC2, target)
    if p["detuning"] == "typical" and eps_max < 0.5:
        M = min(M, _first_order(math.exp(ell * (2.0 * eps_max - 1.0)), 2.0 * a - math.log(2.0), target))
    return int(M) if M <= _MAX_ORDER else math.inf


def _sum_min(k, L):
    """sum_{j=1}^{k} min(j, L) (k >= 0)."""
    return k * (k + 1) / 2.0 if k <= L else L * (L + 1) / 2.0 + (k - L) * L


def _n_lines(p, M, L):
    """Number of lines per member at orders 2 <= m < M (float; inf for an infinite M)."""
    if not math.isfinite(M):
        return math.inf
    if p["sum_range"] == "square":  # w = 1, 2, ..., N, N - 1, ..., 1
        N = p["N"]
        return 2.0 * _sum_min(N, L) - min(N, L)
    return _sum_min(max(M - 2, 0), L)


def _lines(p, M, L):
    """Per line of orders 2 <= m < M: (m, ln(w_m / L_m)), L_m = min(w_m, L) lines per order."""
    m = np.arange(2, M, dtype=float)
    w = _weights(m, p)
    keep = w > 0
    m, w = m[keep], w[keep]
    Lm = np.minimum(w, float(L)).astype(np.int64)
    return np.repeat(m, Lm), np.repeat(np.log(w / Lm), Lm)


# ----------------------------------------------------------------------------- the kernel


def _new_members(x, p, L, M, rng):
    """ln Gamma of ``x.size`` new members from the population ``x`` (orders 2 <= m < M)."""
    n = x.size
    a, ell = math.log(p["gamma"]), math.log(p["K"])
    lnsN, d, literal = math.log(p["s"] * p["N"]), p["d"], p["nfast"] == "literal"
    h = _SQRT3 * p["eps_spread"]
    eps_i = p["eps"] + (h * (2.0 * rng.random(n) - 1.0) if h > 0 else np.zeros(n))
    m_line, lnw_line = _lines(p, M, L)
    C = m_line.size
    acc = np.full(n, -np.inf)
    step = max(1, _CHUNK // n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        for c0 in range(0, C, step):
            mm = m_line[c0:c0 + step]
            c = mm.size
            xj = x[rng.integers(n, size=(n, c))]
            ln_omega = np.broadcast_to(-ell * mm, (n, c))
            if p["detuning"] == "random":
                ln_omega = ln_omega + (_EULER + np.log(rng.standard_exponential((n, c))))
            lt = _ln_lineshape(ln_omega, xj, a, lnsN, d, literal)
            lt += (lnw_line[c0:c0 + step] + 2.0 * a - 2.0 * ell * mm)[None, :]
            lt += (2.0 * ell * mm)[None, :] * eps_i[:, None]
            mx = np.max(lt, axis=1)
            mx = np.where(np.isfinite(mx), mx, 0.0)
            tot = np.sum(np.exp(lt - mx[:, None]), axis=1)
            acc = np.logaddexp(acc, mx + np.log(tot))
    return acc


def _n_batches(size):
    """Batches for batch means: at most 10, each of at least 2 iterations (at least 2 batches)."""
    return max(2, min(_BATCHES, size // 2))


def _drift(bm, its):
    """(drift, its stderr, critical t): a straight line through the batch means ``bm``.

    ``drift`` is the slope times the ``its`` measured iterations; its error is from the residuals
    (``len(bm) - 2`` degrees of freedom), and the critical value is Student's two-sided 99.9%
    quantile for them (``inf`` with fewer than 3 batches: only an exactly constant trace passes).
    """
    nb = bm.size
    per_batch = its / nb
    if nb < 3:  # two batches: the change between their centres, scaled to the measured iterations
        return float(bm[-1] - bm[0]) / per_batch * its, 0.0, math.inf
    u = np.arange(nb, dtype=float)
    u -= u.mean()
    slope = float(np.dot(u, bm - bm.mean()) / np.dot(u, u))
    resid = bm - bm.mean() - slope * u
    se = math.sqrt(float(np.dot(resid, resid)) / (nb - 2) / float(np.dot(u, u)))
    return slope / per_batch * its, se / per_batch * its, float(student_t.ppf(0.9995, nb - 2))


def _stats(x):
    fin = np.isfinite(x)
    nf = int(np.count_nonzero(fin))
    if nf == 0:
        return -np.inf, -np.inf, 0.0, 1.0
    xf = x[fin]
    mu = float(np.mean(xf))
    mx = float(np.max(xf))
    ln_mean = mx + math.log(float(np.sum(np.exp(xf - mx)))) - math.log(x.size)
    return mu, ln_mean, float(np.std(xf)), 1.0 - nf / x.size


# ----------------------------------------------------------------------------- public API


def stationary_linewidths(*, eps=None, Xi=None, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal",
                          eps_spread=0.0, detuning="typical", lines_per_order=8, population=10_000,
                          iterations=30, burn_in=20, ln_Gamma_floor=-300.0, ln_Gamma_start=None, seed=0,
                          progress=None):
    """Stationary distribution :math:`P(\\ln\\Gamma)` of the dots' linewidths by population dynamics.

    The construction (Eqs. 17, 18, 20 with random bath linewidths, optionally random detunings
    and a box distribution of :math:`\\varepsilon`), the update, the truncation and the work limits
    are in the module docstring.

    Parameters
    ----------
    eps, Xi : float
        Exactly one: :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1` (the centre of the box with
        ``eps_spread``), or :math:`\\Xi > 0`.
    gamma, K, N, s, d, sum_range, nfast
        As in :func:`~nblm_helpers.meanfield.solve_linewidth` (Eq. 19), scalars.
    eps_spread : float
        :math:`\\sigma \\ge 0`, the standard deviation of the dots' :math:`\\varepsilon_i` (uniform
        in :math:`\\varepsilon \\pm \\sqrt3\\sigma`, which must stay below 1).
    detuning : {"typical", "random"}
        :math:`\\delta E = \\delta_m K^{-m}` (the paper) or :math:`\\delta_m K^{-m} e^{\\gamma_E} E`,
        :math:`E` exponential of mean 1 (Poisson bath lines; geometric mean as the paper's).
    lines_per_order : int
        :math:`L` in [1, 1024]: lines drawn per order (each of weight :math:`w_m/\\min(w_m, L)`).
    population : int
        Members, in [10, 2 * 10^5].
    iterations, burn_in : int
        Measured iterations in [2, 10^4]; accelerated iterations discarded first, in [0, 10^4].
    ln_Gamma_floor : float
        In [-10^4, -1]: members below it are localized (``-inf``).
    ln_Gamma_start : float, optional
        The initial :math:`\\ln\\Gamma` of every member, in [``ln_Gamma_floor``, ``ln(gamma)``];
        default: the homogeneous root of Eq. (19) if there is one, else :math:`2\\ln\\gamma`
        (clipped to that range).
    seed : int
        In [0, 2**63); the result is reproducible bit for bit for a given seed.
    progress : callable, optional
        ``progress(done, total)`` (iterations), about 100 times per run.

    Returns
    -------
    LinewidthDistribution
        The final population, typical and mean :math:`\\Gamma`, width, quantiles, localized
        fraction, collapse and stationarity flags, the trace, the truncation order and the
        homogeneous (typical-value) :math:`\\ln\\Gamma` of Eq. (19).

    Warns
    -----
    ValidityWarning
        The trace is not stationary over the measured iterations (more ``burn_in``); fewer than
        1000 members while anything is random (``population`` too small for a distribution); more
        than 1% of the new members at :math:`\\Gamma \\ge \\gamma` (outside Eq. 20's domain and the
        Golden rule; they are set to :math:`\\gamma`).

    Raises
    ------
    ValueError
        A parameter outside its range (named), or the work limit (``MAX_WORK``).
    """
    p = _check_model(eps, Xi, gamma, K, N, s, d, sum_range, nfast, eps_spread, detuning)
    L = check_positive_int("lines_per_order", lines_per_order, minimum=1, maximum=MAX_LINES_PER_ORDER)
    n = check_positive_int("population", population, minimum=10, maximum=MAX_POPULATION)
    its = check_positive_int("iterations", iterations, minimum=2, maximum=MAX_ITERATIONS)
    burn = check_positive_int("burn_in", burn_in, minimum=0, maximum=MAX_ITERATIONS)
    floor = check_scalar(check_real, "ln_Gamma_floor", ln_Gamma_floor, lo=FLOOR_RANGE[0], hi=FLOOR_RANGE[1],
                         lo_open=False, hi_open=False)
    seed = check_seed("seed", seed)
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be a callable progress(done, total) or None; got {_show(progress)}")
    eps_max = p["eps"] + _SQRT3 * p["eps_spread"]
    a = math.log(p["gamma"])

    def check_work(x_start):
        M_start = min(_orders(p, np.array([x_start]), x_start, eps_max), M_worst)
        work = float(n) * _n_lines(p, M_start, L) * (burn + its)
        if not work <= MAX_WORK or not _n_lines(p, M_start, L) <= _MAX_LINES:
            raise ValueError(
                f"population={n}, iterations={its}, burn_in={burn}, lines_per_order={L} need about {work:.3g} line "
                f"evaluations ({_n_lines(p, M_start, L):.3g} lines per member at orders m < {M_start} for ln Gamma = "
                f"{x_start:.4g}, eps + sqrt(3) eps_spread = {eps_max:.6g}, K={p['K']!r}), above MAX_WORK = "
                f"{MAX_WORK:.3g} (about 50 s): reduce population, iterations or lines_per_order (or move eps away "
                "from 1)")

    # the cap of the truncation order: a population down at the floor
    M_worst = _orders(p, np.array([floor]), floor, eps_max)
    if ln_Gamma_start is not None:
        x0 = check_scalar(check_real, "ln_Gamma_start", ln_Gamma_start, lo=floor, hi=max(a, floor), lo_open=False,
                          hi_open=False)
    else:
        x0 = max(min(2.0 * a, a), floor)
    check_work(x0)  # before the homogeneous solve, which costs about one iteration of one member
    homo = _solve(p["eps"], "eps", p["gamma"], p["K"], p["N"], p["s"], p["d"], "19", p["sum_range"], p["nfast"],
                  False, False)
    ln_homo = float(homo.ln_Gamma)
    if ln_Gamma_start is None and math.isfinite(ln_homo):
        x0 = max(min(ln_homo, a), floor)
        check_work(x0)
    rng = np.random.default_rng(seed)
    x = np.full(n, x0)
    total = burn + its
    trace = np.full(total, -np.inf)
    meas = np.empty((its, 4))
    meas[:] = (-np.inf, -np.inf, 0.0, 1.0)
    M_used = 0
    prev = None  # (mu_before, g) of the last accelerated step
    br_lo, br_hi = floor, a  # bracket of the fixed point of the mean (burn-in acceleration)
    collapsed = False
    n_above = 0
    exhausted = False
    work_done = 0.0
    every = max(1, total // 100)
    for t in range(total):
        fin = np.isfinite(x)
        if not fin.any():
            collapsed = True
            break
        xf = x[fin]
        mu_old = float(np.mean(xf))
        ref = max(float(np.quantile(xf, 0.01, method="inverted_cdf")), floor)
        M = min(_orders(p, xf, ref, eps_max), M_worst)  # the cap: see "Truncation of the orders"
        cost = float(n) * _n_lines(p, M, L)
        # a population sinking towards the floor needs ever more orders: stop at the budget
        if work_done + cost > 2.0 * MAX_WORK or not _n_lines(p, M, L) <= _MAX_LINES:
            exhausted = True
            break
        work_done += cost
        M_used = max(M_used, M)
        y = _new_members(x, p, L, M, rng)
        y[~(y >= floor)] = -np.inf
        above = y >= a
        # Gamma >= gamma: outside Eq. 20's domain; kept at the bound gamma (the solver's "above_gamma")
        y[above] = a
        fin_y = np.isfinite(y)
        if t < burn and fin_y.any():
            g = float(np.mean(y[fin_y]))
            noise = float(np.std(y[fin_y])) / math.sqrt(np.count_nonzero(fin_y))
            step = g - mu_old
            if abs(step) > 5.0 * noise:
                # the fixed point of the mean lies above mu_old if the map moved it up
                if step > 0:
                    br_lo = max(br_lo, mu_old)
                else:
                    br_hi = min(br_hi, mu_old)
                if br_lo >= br_hi:  # contradictory (the shape changed): forget the bracket
                    br_lo, br_hi = floor, a
                if prev is not None and mu_old != prev[0]:
                    slope = (g - prev[1]) / (mu_old - prev[0])
                    slope = min(max(slope, -0.95), 0.995)
                    shift = step * slope / (1.0 - slope)
                    cap = min(50.0, 200.0 * abs(step))
                    target = g + max(-cap, min(cap, shift))
                    if not br_lo < target < br_hi:  # outside the bracket: bisect it
                        target = 0.5 * (br_lo + br_hi)
                    y[fin_y] += target - g
                    y[~(y >= floor)] = -np.inf
                    y[y > a] = a
            prev = (mu_old, g)
        x = y
        st = _stats(x)
        trace[t] = st[0]
        if t >= burn:
            meas[t - burn] = st
            n_above += int(np.count_nonzero(above))
        if progress is not None and ((t + 1) % every == 0 or t + 1 == total):
            progress(t + 1, total)
    if collapsed:
        trace[t:] = -np.inf
        meas[max(t - burn, 0):] = (-np.inf, -np.inf, 0.0, 1.0)
        x = np.full(n, -np.inf)
    done_meas = its
    if exhausted:
        trace = trace[:t]
        done_meas = max(t - burn, 0)
        if done_meas == 0:  # nothing measured: the statistics of the last population
            meas[0] = _stats(x)
            done_meas = 1
        meas = meas[:done_meas]
        warnings.warn(
            f"stationary_linewidths: stopped after {t} of {total} iterations at the work limit 2 * MAX_WORK "
            f"(the population sank to ln Gamma ~ {trace[-1] if trace.size else x0:.4g}, needing orders up to {M}); "
            "the statistics are of the iterations done; raise ln_Gamma_floor to detect the collapse earlier",
            ValidityWarning, stacklevel=2)

    mu_tr = meas[:, 0]
    if collapsed or not np.all(np.isfinite(mu_tr)):
        typ, typ_err, drift, drift_err, stationary = -np.inf, 0.0, 0.0, 0.0, bool(collapsed)
        if not collapsed:  # some measured iteration had every member localized (then revived: impossible)
            stationary = False  # pragma: no cover
    else:
        # batches of at least 2 iterations (the trace is correlated over a few iterations)
        bm = batch_mean_array(mu_tr, _n_batches(mu_tr.size))
        typ = float(np.mean(mu_tr))
        typ_err = float(bm.std(ddof=1) / math.sqrt(bm.size)) if bm.size > 1 else 0.0
        drift, drift_err, tcrit = _drift(bm, mu_tr.size)
        bound = tcrit * drift_err if drift_err > 0 else 0.0
        stationary = abs(drift) <= bound + 1e-9 * (1.0 + abs(typ)) and not exhausted
    lm = meas[:, 1]
    if np.all(np.isneginf(lm)):
        ln_mean = -np.inf
    else:
        top = float(np.max(lm))
        ln_mean = top + math.log(float(np.mean(np.exp(lm - top))))
    with np.errstate(over="ignore", under="ignore"):
        G_typ, G_mean = math.exp(min(typ, 709.0)), math.exp(min(ln_mean, 709.0))
    random_any = p["detuning"] == "random" or p["eps_spread"] > 0
    if not stationary and not exhausted:
        warnings.warn(
            f"stationary_linewidths: the mean ln Gamma drifts by {drift:.3g} +- {drift_err:.2g} over the "
            f"{its} measured iterations (eps={p['eps']!r}): not stationary; increase burn_in or iterations",
            ValidityWarning, stacklevel=2)
    if random_any and n < 1000:
        warnings.warn(
            f"stationary_linewidths: population={n} < 1000 members is too small to represent a distribution",
            ValidityWarning, stacklevel=2)
    above_fraction = n_above / (n * done_meas)
    if above_fraction > 0.01:
        warnings.warn(
            f"stationary_linewidths: {above_fraction:.3g} of the members reached Gamma >= gamma = {p['gamma']!r} "
            "(set to gamma): outside Eq. 20's domain and the Golden rule", ValidityWarning, stacklevel=2)
    q = np.quantile(x, QUANTILES, method="inverted_cdf")
    return LinewidthDistribution(
        ln_Gamma=x, ln_Gamma_typical=typ, ln_Gamma_typical_stderr=typ_err, Gamma_typical=G_typ,
        ln_Gamma_mean=float(ln_mean), Gamma_mean=G_mean, ln_Gamma_std=float(np.mean(meas[:, 2])),
        quantiles={qq: float(v) for qq, v in zip(QUANTILES, q)},
        localized_fraction=float(np.mean(meas[:, 3])), above_gamma_fraction=float(above_fraction),
        collapsed=bool(collapsed), stationary=bool(stationary),
        drift=drift, drift_stderr=drift_err, trace=trace, orders=int(M_used), ln_Gamma_homogeneous=ln_homo,
        options=dict(p, lines_per_order=L, population=n, iterations=its, burn_in=burn, ln_Gamma_floor=floor,
                     ln_Gamma_start=x0, seed=seed))


# ----------------------------------------------------------------------------- linearized recursion


def _ln_sinhc(c):
    """ln(sinh(c)/c) for c >= 0 (array), stable."""
    c = np.asarray(c, dtype=float)
    small = c < 1e-3
    cs = np.where(small, 1.0, c)
    big = cs + np.log1p(-np.exp(-2.0 * cs)) - np.log(2.0 * cs)
    return np.where(small, c * c / 6.0, big)


def _detuning_nodes(beta):
    """Nodes ``ln r`` and log-weights for :math:`\\mathbb{E}[f(r)\\, r^{-2\\beta}]`, :math:`r = e^{\\gamma_E}E`.

    In :math:`y = \\ln E` the density of :math:`E` (exponential, mean 1) is :math:`e^{y - e^y}`, so
    :math:`\\mathbb{E}[f r^{-2\\beta}] = \\int f\\, e^{(1-2\\beta)y - e^y - 2\\beta\\gamma_E}dy`; the
    trapezoid rule on a grid of step 0.05 over :math:`[-8, 4.5]` and, below, 300 points spaced
    geometrically in :math:`|y|` down to :math:`-8 - 60/(1-2\\beta)` (where the weight is
    :math:`e^{-60}`).  Measured against a grid of 4e5 points: 4e-6 in :math:`\\Lambda` at beta = 0.3 (with the
    continuous :math:`n_{\\rm fast}`, whose kink the grid does not resolve exactly); at most 5e-5 in
    :math:`\\Lambda` for :math:`\\beta \\le 0.45` and 2e-4 at :math:`\\beta = 0.499` (both readings).
    """
    lam = 1.0 - 2.0 * beta
    core = np.linspace(-8.0, 4.5, 251)
    s = np.linspace(0.0, math.log1p(60.0 / lam), 301)[1:]
    y = np.concatenate([(-8.0 - np.expm1(s))[::-1], core])
    w = np.empty_like(y)
    w[1:-1] = 0.5 * (y[2:] - y[:-2])
    w[0], w[-1] = 0.5 * (y[1] - y[0]), 0.5 * (y[-1] - y[-2])
    return _EULER + y, np.log(w) + lam * y - np.exp(y) - 2.0 * beta * _EULER


class _Budget:
    """Terms (orders x quadrature nodes) left for one call; ValueError naming the call when spent."""

    def __init__(self, terms, what):
        self.total, self.left, self.what = float(terms), float(terms), what

    def spend(self, k):
        self.left -= k
        if self.left < 0:
            raise ValueError(
                f"{self.what}: the sums over orders of the linearized recursion need more than the budget of "
                f"{self.total:.3g} terms (orders x quadrature nodes; ~45 ns each): the sums converge too slowly "
                "(K close to 1, or eps close to -sqrt(3) eps_spread); use a larger K or gamma")


def _lambda(beta, p, L=None, budget=None):
    """Lambda(beta) of the linearized recursion (``linearized_growth`` without validation)."""
    a, ell = math.log(p["gamma"]), math.log(p["K"])
    lnsN, d, literal = math.log(p["s"] * p["N"]), p["d"], p["nfast"] == "literal"
    h = _SQRT3 * p["eps_spread"]
    random = p["detuning"] == "random"
    if random and beta >= 0.5:
        return math.inf
    if p["sum_range"] == "infinite" and p["eps"] + h >= 0.0:
        return math.inf
    if random:
        ln_r, ln_r_pow = _detuning_nodes(beta)
    acc = -np.inf
    M_end = 2 * p["N"] + 1 if p["sum_range"] == "square" else MAX_ORDERS_LAMBDA
    chunk = 64  # doubled up to 4096: most sums converge within a few hundred orders
    m0 = 2
    while m0 < M_end:
        m = np.arange(m0, min(m0 + chunk, M_end), dtype=float)
        w = _weights(m, p)
        ok = w > 0
        m, w = m[ok], w[ok]
        if m.size:
            if budget is not None:
                budget.spend(m.size * (_NODES if random else 1))
            if L is None:
                ln_cnt = np.log(w)
            else:
                Lm = np.minimum(w, float(L))
                ln_cnt = np.log(Lm) + beta * np.log(w / Lm)
            base = ln_cnt + beta * (2.0 * a + 2.0 * ell * m * p["eps"]) + _ln_sinhc(2.0 * beta * ell * h * m)
            if random:
                # Gamma -> 0: S = Gamma n(1/omega) / omega^2, omega = K^-m r: unsaturated n at t = K^m / r
                ln_n = _ln_n_unsat(a + ell * m[:, None] - ln_r[None, :], lnsN, d, literal)
                with np.errstate(divide="ignore"):
                    inner = np.logaddexp.reduce(ln_r_pow[None, :] + beta * ln_n, axis=1)
                lt = base + inner
            else:
                ln_n = _ln_n_unsat(a + ell * m, lnsN, d, literal)
                lt = base + beta * ln_n
            with np.errstate(divide="ignore"):
                acc = np.logaddexp(acc, np.logaddexp.reduce(lt))
            if p["sum_range"] == "infinite" and lt[-1] < acc - 50.0 and lt[-1] < lt[0]:
                break
        m0 += chunk
        chunk = min(2 * chunk, 4096)
    else:
        if p["sum_range"] == "infinite":
            raise ValueError(
                f"eps={p['eps']!r} (+ sqrt(3) eps_spread = {p['eps'] + h:.3g}) with beta={beta!r}: the sum over orders "
                f"of the linearized recursion converges only beyond {MAX_ORDERS_LAMBDA} orders; move eps below 0")
    return float(acc)


def linearized_growth(beta, *, eps=None, Xi=None, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal",
                      eps_spread=0.0, detuning="typical", lines_per_order=None):
    """Growth rate :math:`\\Lambda(\\beta)` of the linearized recursion for :math:`\\Gamma \\to 0`.

    For small rates every term of the construction (module docstring) is linear in the bath
    line's width, :math:`\\Gamma_i = \\sum_{\\rm lines} A\\,\\Gamma_j` with
    :math:`A = \\gamma^2 K^{2m\\varepsilon_i} n_{\\rm fast}(K^m/r)/r^2` (the unsaturated
    :math:`n_{\\rm fast}` of Eq. 20 at :math:`t = 1/\\delta E`), a branching random walk / directed
    polymer as on the Bethe lattice (:mod:`.bethe`).  With

    .. math::
        \\Lambda(\\beta) = \\ln \\mathbb{E}\\sum_{\\rm lines} A^\\beta
        = \\ln\\sum_{m\\ge2} w_m\\, \\gamma^{2\\beta}
          \\mathbb{E}\\big[K^{2m\\beta\\varepsilon_i}\\big]\\,
          \\mathbb{E}\\big[n_{\\rm fast}^\\beta r^{-2\\beta}\\big],

    (:math:`\\mathbb{E}[K^{2m\\beta\\varepsilon_i}] = K^{2m\\beta\\varepsilon}\\sinh c/c`,
    :math:`c = 2m\\beta\\sqrt3\\sigma\\ln K`), the typical rate of the linearized population grows by
    :math:`v = \\inf_{0<\\beta\\le1}\\Lambda(\\beta)/\\beta` per iteration (Biggins; Derrida & Spohn),
    so the localized solution :math:`\\Gamma = 0` is stable iff :math:`\\Lambda(\\beta) < 0` for some
    :math:`\\beta \\in (0, 1]`; :math:`\\Lambda(1) = \\ln\\mathbb{E}\\Gamma_i/\\Gamma_j` is the growth of
    the *mean*.  With typical detunings and no spread :math:`\\Lambda(1) = \\ln F(0^+)` and the
    infimum is at :math:`\\beta = 1` (:math:`\\beta\\Lambda' - \\Lambda \\le 0` because every
    :math:`w_m \\ge 1`): the distribution's transition is the paper's :math:`F(0^+) = 1`.  Random
    detunings make :math:`\\mathbb{E}\\,r^{-2\\beta} = e^{-2\\beta\\gamma_E}\\Gamma(1 - 2\\beta)`
    diverge at :math:`\\beta = 1/2`: :math:`P(A) \\sim A^{-3/2}` (rare near-resonant lines).

    Parameters
    ----------
    beta : float
        In (0, 1]; ``detuning="random"`` gives ``inf`` for ``beta >= 0.5``.
    eps, Xi, gamma, K, N, s, d, sum_range, nfast, eps_spread, detuning
        As in :func:`stationary_linewidths`.
    lines_per_order : int, optional
        ``None`` (default): every channel its own line (the model).  An int :math:`L`: the
        population's scheme, :math:`\\min(w_m, L)` lines of weight :math:`w_m/\\min(w_m, L)`.

    Returns
    -------
    float
        :math:`\\Lambda(\\beta)`; ``inf`` where the sum diverges (infinite sum with
        :math:`\\varepsilon + \\sqrt3\\sigma \\ge 0`, or random detunings with :math:`\\beta \\ge 1/2`).

    Raises
    ------
    ValueError
        A parameter out of range (named), or an infinite sum that needs more than 2 * 10^5 orders
        (:math:`\\beta|\\varepsilon + \\sqrt3\\sigma|\\ln K \\lesssim 10^{-4}`) or more than
        ``MAX_TERMS_TRANSITION / 4 = 1e7`` terms (orders times the 550 quadrature nodes of random
        detunings; ~0.5 s).

    Notes
    -----
    Random detunings: :math:`\\mathbb{E}[n^\\beta r^{-2\\beta}]` by the trapezoid rule in
    :math:`\\ln E` on 550 nodes (``_detuning_nodes``; Gauss-Laguerre in :math:`E` is off by 1% here,
    because :math:`n_{\\rm fast}(K^m/r)` grows like :math:`\\ln^d(1/E)` at :math:`E \\to 0`); tested
    against 2e5 nodes to 1e-4 in :math:`\\Lambda`.  The sum over orders stops where the last term is
    :math:`e^{-50}` below the sum and decreasing.
    """
    p = _check_model(eps, Xi, gamma, K, N, s, d, sum_range, nfast, eps_spread, detuning)
    beta = check_scalar(check_real, "beta", beta, lo=0.0, hi=1.0, hi_open=False)
    if lines_per_order is not None:
        lines_per_order = check_positive_int("lines_per_order", lines_per_order, minimum=1,
                                             maximum=MAX_LINES_PER_ORDER)
    return _lambda(beta, p, lines_per_order, _Budget(MAX_TERMS_TRANSITION / 4, "linearized_growth"))


def _min_lambda(p, L=None, budget=None):
    """(min over beta of Lambda(beta), argmin)."""
    hi = 0.5 - 1e-6 if p["detuning"] == "random" else 1.0
    res = minimize_scalar(lambda b: _lambda(b, p, L, budget), bounds=(_BETA_LO, hi), method="bounded",
                          options=dict(xatol=1e-5))
    b, v = float(res.x), float(res.fun)
    v_hi = _lambda(hi, p, L, budget)
    if v_hi < v:
        b, v = hi, v_hi
    return v, b


def distribution_transition(*, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal", eps_spread=0.0,
                            detuning="typical", lines_per_order=None):
    """Transition of the distribution: :math:`\\varepsilon_c` where :math:`\\min_\\beta\\Lambda(\\beta) = 0`.

    Below :math:`\\varepsilon_c` some :math:`\\beta \\in (0, 1]` has :math:`\\Lambda(\\beta) < 0`
    (:func:`linearized_growth`): the typical rate of a population near :math:`\\Gamma = 0` shrinks
    and the population collapses; above, it grows (metal).  :math:`\\Lambda` increases with
    :math:`\\varepsilon` at every :math:`\\beta`, so the root is unique; it is found by Brent's method
    (``xtol`` 1e-10) on the minimum over :math:`\\beta \\in [0.05, 1]` (random detunings:
    :math:`[0.05, 1/2)`), itself by bounded Brent minimization (:math:`\\Lambda` is convex in
    :math:`\\beta`).  Compared with :func:`~nblm_helpers.meanfield.critical_eps` (the paper's
    :math:`F(0^+) = 1`), which it equals for typical detunings without spread.

    Parameters
    ----------
    gamma, K, N, s, d, sum_range, nfast, eps_spread, detuning, lines_per_order
        As in :func:`linearized_growth` (``eps_spread`` must leave room below 1: ``eps_spread <
        (1 - eps_c)/sqrt(3)`` is checked at the root).

    Returns
    -------
    DistributionTransition
        ``eps_c``, ``Xi_c``, the minimizing ``beta`` and the typical theory's ``eps_c_typical``,
        ``Xi_c_typical``.

    Raises
    ------
    ValueError
        A parameter out of range, no sign change of :math:`\\min_\\beta\\Lambda` for
        :math:`\\varepsilon` between -1000 and its upper end (named), or sums over orders that need
        more than ``MAX_TERMS_TRANSITION = 4e7`` terms in all (~2 s; the default parameters with
        random detunings need 1.2e7, 0.7 s).
    """
    p = _check_model(0.0 if sum_range == "infinite" else -1.0, None, gamma, K, N, s, d, sum_range, nfast, 0.0,
                     detuning)
    sigma = check_scalar(check_real, "eps_spread", eps_spread, lo=0.0, lo_open=False, hi=1e6)
    if lines_per_order is not None:
        lines_per_order = check_positive_int("lines_per_order", lines_per_order, minimum=1,
                                             maximum=MAX_LINES_PER_ORDER)
    h = _SQRT3 * float(sigma)
    p["eps_spread"] = float(sigma)
    budget = _Budget(MAX_TERMS_TRANSITION, "distribution_transition")

    cache = {}

    def G(e):
        if e not in cache:
            cache[e] = _min_lambda(dict(p, eps=e), lines_per_order, budget)[0]
        return cache[e]

    # upper end: just below the divergence of the infinite sum (G -> +inf at eps -> -sqrt(3) sigma),
    # or the largest allowed centre of the square sum's box
    if p["sum_range"] == "infinite":
        # the sums converge slowly near the divergence: try the far points first
        lo = g_lo = None
        for gap in (0.25, 0.05, 0.01, 1e-3, 1e-4):
            hi = -h - gap
            g_hi = G(hi)
            if g_hi > 0:
                break
            lo, g_lo = hi, g_hi
    else:
        hi = 1.0 - h - 1e-9
        g_hi = G(hi)
        lo = g_lo = None
    if lo is None:
        lo, g_lo = hi - 0.5, G(hi - 0.5)
        while g_lo >= 0 and lo > -1000.0:
            lo = hi - 2.0 * (hi - lo)
            g_lo = G(lo)
    if not (g_lo < 0 < g_hi):
        raise ValueError(
            f"no transition of the distribution for gamma={p['gamma']!r}, K={p['K']!r}, eps_spread={sigma!r}: "
            f"min Lambda = {g_lo:.3g} at eps = {lo:.4g} and {g_hi:.3g} at eps = {hi:.4g}")
    eps_c = brentq(G, lo, hi, xtol=1e-10, rtol=1e-12)
    beta = _min_lambda(dict(p, eps=eps_c), lines_per_order, budget)[1]
    ell = math.log(p["K"])
    typical = dict(gamma=p["gamma"], K=p["K"], N=p["N"], s=p["s"], d=p["d"], sum_range=p["sum_range"],
                   nfast=p["nfast"])
    eps_t = float(critical_eps(**typical))
    return DistributionTransition(
        eps_c=float(eps_c), Xi_c=1.0 / ((1.0 - eps_c) * ell), beta=beta, eps_c_typical=eps_t,
        Xi_c_typical=float(critical_Xi(**typical)),
        options=dict(p, eps_spread=float(sigma), lines_per_order=lines_per_order))


# ----------------------------------------------------------------------------- the tail


def tail_exponent(ln_x, *, fraction=0.05):
    """Hill estimate of the tail exponent :math:`\\alpha` of :math:`P(X > x) \\sim x^{-\\alpha}`.

    From the logarithms of the samples (so :math:`X = \\Gamma` may span any range): with the
    :math:`k` largest, :math:`\\hat\\alpha = 1/\\big(\\frac1k\\sum_{i\\le k}\\ln X_{(i)} - \\ln
    X_{(k+1)}\\big)` and the asymptotic standard error :math:`\\hat\\alpha/\\sqrt k` (Hill 1975).

    A "conducting but non-ergodic" window (the criterion used in the book): a stationary
    population that has not collapsed (typical :math:`\\Gamma > 0`) whose upper tail has
    :math:`\\alpha < 1` by more than two standard errors -- then :math:`\\langle\\Gamma\\rangle` is
    carried by a vanishing fraction of the dots and grows with their number.

    Parameters
    ----------
    ln_x : array_like
        :math:`\\ln X`; ``-inf`` (X = 0) allowed and ignored; NaN and ``+inf`` refused.  At least
        ``ceil(1/fraction) + 1`` finite values, at most 2**24.
    fraction : float
        :math:`k/n` in (0, 0.5]: the share of the finite samples taken as the tail.

    Returns
    -------
    (alpha, stderr, k) : (float, float, int)
        ``alpha = inf`` (``stderr`` inf) if the top :math:`k + 1` values are equal.
    """
    fraction = check_scalar(check_real, "fraction", fraction, lo=0.0, hi=0.5, hi_open=False)
    try:
        raw = np.asarray(ln_x)
    except Exception:  # noqa: BLE001 - e.g. ragged nested lists
        raw = None
    if raw is None or raw.dtype.kind not in "iuf" or raw.size > 2**24:
        raise ValueError(f"ln_x must be an array of at most 2**24 real values; got {_show(ln_x)}")
    v = raw.astype(float).ravel()
    if np.any(np.isnan(v)) or np.any(v == np.inf):
        raise ValueError("ln_x must be real or -inf (no NaN, no +inf)")
    v = v[np.isfinite(v)]
    k = int(math.floor(fraction * v.size))
    need = math.ceil(1.0 / fraction) + 1
    if k < 1 or v.size < need:
        raise ValueError(f"ln_x has {v.size} finite values; fraction={fraction!r} needs at least {need}")
    top = np.partition(v, v.size - k - 1)[v.size - k - 1:]
    base = float(top[0])
    mean = float(np.mean(top[1:] - base))
    if not mean > 0:
        return math.inf, math.inf, k
    alpha = 1.0 / mean
    return alpha, alpha / math.sqrt(k), k
