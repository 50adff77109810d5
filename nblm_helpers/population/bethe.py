"""The Anderson model on the Bethe lattice by population dynamics at real energy (issue 15, part 1).

Beyond the paper: Gopalakrishnan & Nandkishore (2014) solve for one *typical* linewidth; their
conclusion names distributions of linewidths (their ref. 50) as the next step.  The method for
distributions -- population dynamics -- is validated here on the problem with a known answer:
the Anderson model on a Bethe lattice of branching :math:`K` (connectivity :math:`K+1`),

.. math::
    H = \\sum_i \\varepsilon_i |i\\rangle\\langle i|
      + \\sum_{\\langle ij\\rangle} (|i\\rangle\\langle j| + {\\rm h.c.}),
    \\qquad \\varepsilon_i \\ \\text{uniform in}\\ [-W/2, W/2],

hopping 1, box disorder :math:`W`, energy :math:`E`.

The recursion and the criterion
-------------------------------
The cavity Green's function of a site with its :math:`K` children obeys (Abou-Chacra, Anderson and
Thouless 1973, "ACAT")

.. math::
    G_0 = \\frac{1}{E - \\varepsilon_0 - \\sum_{k=1}^{K} G_k}.

At real energy (:math:`\\eta = 0^+`) the localized solution is real; an infinitesimal imaginary part
obeys the linearized recursion :math:`\\operatorname{Im} G_0 = G_0^2 \\sum_k \\operatorname{Im} G_k`, so
after :math:`L` generations :math:`\\operatorname{Im} G_0` is a sum over the :math:`K^L` paths down the
tree of :math:`\\prod_i G_i^2` -- a directed polymer on a tree.  With

.. math::
    \\Lambda(\\beta) = \\lim_{L\\to\\infty} \\frac1L \\ln \\mathbb{E}
    \\sum_{\\text{paths}} \\prod_{i=0}^{L-1} |G_i G_{i+1}|^{\\beta}

(the annealed growth rate of the paths' weights to the power :math:`\\beta`), the tail of the
distribution of :math:`\\operatorname{Im} G` is :math:`\\propto v^{-1-\\beta}` with
:math:`\\Lambda(\\beta) = 0`, and :math:`\\Lambda` is convex and symmetric,
:math:`\\Lambda(\\beta) = \\Lambda(1-\\beta)`, so its minimum is at :math:`\\beta = 1/2`.  The localized
solution is stable while a root :math:`\\beta \\in (1/2, 1)` exists; the two roots
:math:`\\beta, 1-\\beta` merge at :math:`1/2` at the transition.  Hence the criterion

.. math::
    \\Lambda(1/2) < 0 \\ \\text{localized}, \\qquad \\Lambda(1/2) > 0 \\ \\text{delocalized},

the growth of the sums over paths of :math:`\\prod |G_i|` (Tikhonov & Mirlin, PRB 99, 214202 (2019), arXiv:1903.07877;
Parisi, Pascazio, Pietracaprina, Ros & Scardicchio, J. Phys. A 53, 014003 (2020), "an approach
with real energies").  Writing the path weight link by link, :math:`|G_i G_{i+1}|^\\beta`, differs
from :math:`\\prod_i |G_i|^{2\\beta}` only by the two end factors (so :math:`\\Lambda` is the same) but
keeps every measure below normalizable for :math:`0 < \\beta < 1`: a large :math:`G_{i+1}` makes
:math:`G_i \\approx -1/G_{i+1}` small.

What is verified here and what is taken from the literature.  Verified numerically with this
module: the symmetry :math:`\\Lambda(\\beta) = \\Lambda(1-\\beta)` -- at :math:`K = 2`, population
:math:`2\\cdot10^4`, :math:`\\Lambda(0.3), \\Lambda(0.5), \\Lambda(0.7) = 0.3570, 0.2911, 0.3555 \\pm 0.0014`
at :math:`W = 10`, :math:`0.1244, 0.0046, 0.1238 \\pm 0.0017` at :math:`W = 18`, :math:`-0.1218, -0.3028,
-0.1227 \\pm 0.0014` at :math:`W = 30` (the test checks :math:`W = 18`) -- and that :math:`\\beta = 1/2`
is the minimum; :math:`W \\to 0` delocalized, large :math:`W` localized; :math:`W_c(K=2, E=0) = 18.17`
reproduced (see :func:`anderson_bethe_critical_disorder`).  Taken
from the literature (not derived here): that the tail exponent is the root of
:math:`\\Lambda(\\beta) = 0` and the criterion itself; the reference value :math:`W_c = 18.17 \\pm
0.01` (Tikhonov & Mirlin 2019; Parisi et al. 2019); the large-:math:`K` asymptote
:math:`W_c \\simeq 4K\\ln K` (ACAT 1973).

The population algorithm
------------------------
Two populations of ``population`` real numbers each, updated synchronously every iteration:

1. the *stationary* population :math:`\\{G\\}` of the cavity recursion:
   :math:`G' = 1/(E - \\varepsilon - \\sum_{k=1}^K G_{r_k})` with :math:`K` members :math:`r_k` drawn at
   random and :math:`\\varepsilon = W (u - 1/2)`;
2. the *tilted* population :math:`\\{H\\}`, an equally weighted sample of the measure
   :math:`m_L(g) = \\mathbb{E}[\\sum_{\\text{paths}} \\prod |G_iG_{i+1}|^\\beta;\\ G_0 \\in dg]` (normalized).
   A new member has one *path* child :math:`H_p` from the tilted population and :math:`K-1` children
   from the stationary one, :math:`S = H_p + \\sum_{k=2}^K G_{r_k}`.  Instead of drawing
   :math:`\\varepsilon` uniformly and weighting by :math:`|G_0|^\\beta`, whose tail (:math:`P(|G_0|>g)
   \\sim 1/g`) would give the weights an infinite variance, :math:`x = E - \\varepsilon - S` is drawn
   from its tilted density :math:`\\propto |x|^{-\\beta}` on :math:`[E - S - W/2,\\ E - S + W/2]`
   (inverse CDF, closed form), :math:`H' = 1/x`, and the member carries the weight

   .. math::
       w = K\\, |H_p|^{\\beta}\\, \\frac1W\\int_{E-S-W/2}^{E-S+W/2} |x|^{-\\beta}\\, dx ,

   which no longer depends on the drawn :math:`\\varepsilon` (bounded: a large :math:`H_p` makes
   :math:`|S|` large and the integral small).  The growth factor of the iteration is the mean
   weight; the population is then resampled in proportion to the weights (systematic
   resampling, :mod:`._kernels`), so the heavy tails live in the weights and in which members
   are copied, not in the estimator.
3. :math:`\\Lambda(\\beta)` is the mean of the log growth factors over ``iterations`` iterations after
   ``burn_in``; its standard error is from 20 batch means (the log growth factors are nearly
   uncorrelated from one iteration to the next).

Every random number is drawn in the same order and amount whatever :math:`W`, :math:`E` and
:math:`\\beta` (common random numbers: the same uniforms scaled by :math:`W`, the same indices of
the children, the same resampling uniform), so two calls that differ only in :math:`W` share the
stationary population's randomness.  The resampled *tilted* population does not stay common: a
weight that changes with :math:`W` moves a resampling boundary and the chaotic recursion spreads
the difference, so the estimate is not a smooth function of :math:`W` at the level of its
statistical error (measured at :math:`K = 2`, ``population = 10^4``, 200 iterations: the rate at
:math:`W = 18.00, 18.02, \\ldots, 18.10` is 0.0063, 0.0032, 0.0039, 0.0030, 0.0032, 0.0028 with
``stderr`` 0.001: a jump of 3 errors at the first step, where the slope of 0.029 per unit
:math:`W` predicts 0.0006).  :func:`anderson_bethe_critical_disorder` therefore fits a
straight line through four points rather than root-finding on a single noisy function.

Work limits
-----------
``population`` in [10, 2 * 10^6] (memory: ~15 arrays of ``population`` floats), ``iterations``
in [2, 10^5], ``burn_in`` in [0, 10^5], ``branching`` in [2, 10^4], and
``population * (burn_in + iterations) * (branching + 2) <= MAX_WORK = 3e9`` (about 105 s on the
2-core development machine, ~0.035 microseconds per unit at ``K = 2``, 0.02-0.05 for other ``K``),
summed over the runs of a call; ``W`` in (0, 1e300], ``|energy| <= 1e300``,
``beta`` in [0.05, 0.95].  A value outside raises :class:`ValueError` naming it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..parameters import ValidityWarning, _show, check_positive_int, check_real, check_scalar, check_seed
from ._kernels import (
    batch_mean_array,
    batch_means,
    clip_away_from_zero,
    effective_fraction,
    normalize_log_weights,
    systematic_resample,
)

__all__ = ["LyapunovResult", "anderson_bethe_lyapunov", "anderson_bethe_critical_disorder",
           "MAX_WORK", "MAX_POPULATION"]

MAX_POPULATION = 2_000_000
MAX_ITERATIONS = 100_000
MAX_BRANCHING = 10_000
#: ``population * (burn_in + iterations) * (branching + 2)``, summed over the runs of one call
MAX_WORK = 3e9
MAX_ABS = 1e300  # |W|, |energy|
BETA_RANGE = (0.05, 0.95)
_FLOOR = 1e-290  # |x| >= _FLOOR: 1/x <= 1e290, and sums of 10^4 such values stay finite
_BATCHES = 20
_CHUNK = 2**22  # indices drawn per call of the generator (memory bound)
_LOW_ESS = 0.05  # mean effective fraction below which a ValidityWarning says the weights degenerate


@dataclass(frozen=True)
class LyapunovResult:
    """Growth rate of the linearized recursion (returned by :func:`anderson_bethe_lyapunov`).

    Attributes
    ----------
    rate : float
        :math:`\\Lambda(\\beta)`, the growth rate per generation of the sums over paths of
        :math:`\\prod|G_iG_{i+1}|^\\beta`; at ``beta = 0.5``, ``rate > 0`` is delocalized and
        ``rate < 0`` localized.
    stderr : float
        Its statistical error (batch means over the measured iterations).
    ln_growth : numpy.ndarray
        The log growth factor of every measured iteration (``iterations`` values), for a
        convergence plot; ``rate`` is their mean.
    effective_fraction : float
        Mean over the measured iterations of the weights' effective sample size over the
        population, :math:`(\\sum w)^2 / (n \\sum w^2)`; near 1 the weights are even, below
        0.05 a :class:`~nblm_helpers.parameters.ValidityWarning` says few members carry them.
    G : numpy.ndarray
        The final stationary population of the real cavity Green's functions (``population``
        values), e.g. for a histogram of :math:`\\ln|G|`.
    W, branching, energy, beta, population, iterations, burn_in, seed
        The inputs (validated).
    """

    rate: float
    stderr: float
    ln_growth: np.ndarray
    effective_fraction: float
    G: np.ndarray
    W: float
    branching: int
    energy: float
    beta: float
    population: int
    iterations: int
    burn_in: int
    seed: int


# ----------------------------------------------------------------------------- validation


def _check_common(W, branching, energy, beta, population, iterations, burn_in, seed, progress):
    out = dict(
        branching=check_positive_int("branching", branching, minimum=2, maximum=MAX_BRANCHING),
        energy=check_scalar(check_real, "energy", energy, lo=-MAX_ABS, hi=MAX_ABS, lo_open=False, hi_open=False),
        beta=check_scalar(check_real, "beta", beta, lo=BETA_RANGE[0], hi=BETA_RANGE[1], lo_open=False,
                          hi_open=False),
        population=check_positive_int("population", population, minimum=10, maximum=MAX_POPULATION),
        iterations=check_positive_int("iterations", iterations, minimum=2, maximum=MAX_ITERATIONS),
        burn_in=check_positive_int("burn_in", burn_in, minimum=0, maximum=MAX_ITERATIONS),
        seed=check_seed("seed", seed),
    )
    if W is not None:
        out["W"] = check_scalar(check_real, "W", W, lo=0.0, hi=MAX_ABS, hi_open=False)
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be a callable progress(done, total) or None; got {_show(progress)}")
    return out


def _work(population, burn_in, iterations, branching):
    return float(population) * (burn_in + iterations) * (branching + 2)


def _check_work(work, what, p):
    if work > MAX_WORK:
        raise ValueError(
            f"population={p['population']}, iterations={p['iterations']}, burn_in={p['burn_in']} with "
            f"branching={p['branching']} need {work:.3g} units of work for {what}, above the budget "
            f"MAX_WORK = {MAX_WORK:.3g} (about 105 s); population * (burn_in + iterations) * (branching + 2) "
            f"must be at most {MAX_WORK:.3g}{' divided by the runs' if what != 'one run' else ''}: "
            "reduce population or iterations"
        )


# ----------------------------------------------------------------------------- the kernel


def _ln_tilted_mass(a, W, beta):
    """:math:`\\ln\\int_a^{a+W}|x|^{-\\beta}dx` elementwise, stable for any ``|a|/W`` (``a`` array, ``W > 0``)."""
    one = 1.0 - beta
    b = a + W
    A, B = np.abs(a), np.abs(b)
    with np.errstate(divide="ignore", over="ignore"):  # ln 0 = -inf; W/lo = inf takes the other branch
        lnA, lnB = np.log(A), np.log(B)
        # a < 0 < b: the integral over [a, 0] plus over [0, b]
        opposite = np.logaddexp(one * lnA, one * lnB)
        # same sign: hi^(1-beta) - lo^(1-beta) with lo = min(|a|, |b|), hi = lo + W
        lo, ln_lo = np.minimum(A, B), np.minimum(lnA, lnB)
        ln_hi = np.maximum(lnA, lnB)
        r = W / np.where(lo > 0, lo, 1.0)
        ln_ratio = np.where((lo > 0) & (r < 1.0), -np.log1p(np.minimum(r, 1.0)), ln_lo - ln_hi)  # ln(lo/hi)
        same = one * ln_hi + np.log(-np.expm1(one * ln_ratio))
        # W << lo (r may underflow to 0): hi^(1-beta) - lo^(1-beta) = (1-beta) lo^(-beta) W (1 + O(r))
        tiny = (lo > 0) & (r < 1e-10)
        same[tiny] = math.log(one) + math.log(W) - beta * ln_lo[tiny]
    return np.where((a < 0) & (b > 0), opposite, same) - math.log(one)


def _draw_tilted(a, W, beta, v):
    """``x`` in ``[a, a + W]`` with density :math:`\\propto|x|^{-\\beta}` by inverse CDF from uniforms ``v``."""
    one = 1.0 - beta
    phi_a = np.sign(a) * np.abs(a) ** one
    b = a + W
    phi_b = np.sign(b) * np.abs(b) ** one
    y = phi_a + v * (phi_b - phi_a)
    x = np.sign(y) * np.abs(y) ** (1.0 / one)
    return clip_away_from_zero(x, _FLOOR)


def _weights_half(a, W, Hp):
    """``beta = 1/2`` in closed form: ``w = |H_p|^(1/2) M / W`` and ``ln mean(w)``.

    :math:`M = \\int_a^b |x|^{-1/2}dx` is :math:`2(\\sqrt{|a|} + \\sqrt{|b|})` for :math:`a < 0 < b` and
    :math:`2W/(\\sqrt{|a|} + \\sqrt{|b|})` for :math:`a, b` of one sign (no cancellation).  For
    ``W`` in (0, 1e300] and ``|a| <= 2e300`` every ``w`` lies in about [1e-301, 1e296]: no logs
    needed.
    """
    b = a + W
    ra, rb = np.sqrt(np.abs(a)), np.sqrt(np.abs(b))
    s = ra + rb
    opposite = (a < 0) & (b > 0)
    w = 2.0 / s
    w[opposite] = s[opposite] * (2.0 / W)  # only there: s <= sqrt(2 W), no overflow for W = 1e-300
    w *= np.sqrt(np.abs(Hp))
    return w, math.log(float(np.mean(w)))


def _sum_children(G, count, rng):
    """Sum of ``count`` members of ``G`` drawn at random for each of ``G.size`` new members.

    The indices are drawn ``chunk`` children at a time (``chunk * n <= 2^22``, 32 MB), so memory
    stays bounded and a large branching costs few NumPy calls.
    """
    n = G.size
    chunk = max(1, _CHUNK // n)
    S = np.zeros(n)
    done = 0
    while done < count:
        c = min(chunk, count - done)
        S += G[rng.integers(n, size=(c, n))].sum(axis=0)
        done += c
    return S


class _Ticker:
    """Calls ``progress(done, total)`` (ints) at most ~100 times per ``total`` iterations."""

    def __init__(self, progress, total):
        self.progress, self.total, self.done = progress, int(total), 0
        self.every = max(1, self.total // 100)

    def add_total(self, extra):
        self.total += int(extra)

    def step(self):
        self.done += 1
        if self.progress is not None and (self.done % self.every == 0 or self.done >= self.total):
            self.progress(self.done, max(self.total, self.done))


def _run(W, K, E, beta, n, burn_in, iterations, seed, ticker):
    """One population run; returns ``(ln_growth, mean effective fraction, G)``."""
    rng = np.random.default_rng(seed)
    lnK = math.log(K)
    ln_W = math.log(W)
    half = 0.5 * W
    G = clip_away_from_zero(E - W * (rng.random(n) - 0.5), _FLOOR)
    np.reciprocal(G, out=G)
    H = G.copy()
    ln_growth = np.empty(iterations)
    ess = 0.0
    for t in range(burn_in + iterations):
        # 1. the stationary population
        S = _sum_children(G, K, rng)
        d = E - W * (rng.random(n) - 0.5) - S
        G_new = np.reciprocal(clip_away_from_zero(d, _FLOOR), out=d)
        # 2. the tilted population: path child H_p, K - 1 stationary children, tilted epsilon
        Hp = H[rng.integers(n, size=n)]
        a = (E - half) - Hp - _sum_children(G, K - 1, rng)
        if beta == 0.5:
            w, ln_mean = _weights_half(a, W, Hp)
        else:
            ln_w = _ln_tilted_mass(a, W, beta)
            ln_w += beta * np.log(np.abs(Hp)) - ln_W
            ln_mean, w = normalize_log_weights(ln_w)
        H_new = np.reciprocal(_draw_tilted(a, W, beta, rng.random(n)))
        idx = systematic_resample(w, rng.random())
        H = H_new[idx]
        G = G_new
        if t >= burn_in:
            ln_growth[t - burn_in] = lnK + ln_mean
            ess += effective_fraction(w)
        ticker.step()
    return ln_growth, ess / iterations, G


# ----------------------------------------------------------------------------- public API


def anderson_bethe_lyapunov(W, *, branching=2, energy=0.0, beta=0.5, population=100_000, iterations=300,
                            burn_in=50, seed=0, progress=None):
    """Growth rate :math:`\\Lambda(\\beta)` of the linearized recursion for the imaginary parts.

    The Anderson model on the Bethe lattice (see the module docstring for the recursion, the
    criterion and the algorithm): at ``beta = 0.5``, ``rate > 0`` means the localized solution
    is unstable (delocalized), ``rate < 0`` localized.

    Parameters
    ----------
    W : float
        Box disorder: :math:`\\varepsilon` uniform in :math:`[-W/2, W/2]`, hopping 1; in (0, 1e300].
    branching : int
        :math:`K`, children per site (connectivity :math:`K + 1`), in [2, 10^4].
    energy : float
        :math:`E`, real, :math:`|E| \\le 10^{300}`.
    beta : float
        The power of the path weights, in [0.05, 0.95]; 0.5 is the localization criterion, other
        values show the symmetry :math:`\\Lambda(\\beta) = \\Lambda(1 - \\beta)`.
    population : int
        Members of each of the two populations, in [10, 2 * 10^6].
    iterations : int
        Measured iterations (generations), in [2, 10^5].
    burn_in : int
        Iterations discarded first, in [0, 10^5] (the populations converge in ~25 iterations
        at :math:`K = 2`, :math:`W = 5..40`).
    seed : int
        Seed of the ``numpy.random.Generator``, in [0, 2**63); the result is reproducible bit for
        bit for a given seed, and calls that differ only in ``W``, ``energy`` or ``beta`` use the
        same random numbers.
    progress : callable, optional
        ``progress(done, total)`` (ints, iterations) about 100 times per run, e.g.
        ``nblm_helpers.widgets.progress(...)``.

    Returns
    -------
    LyapunovResult
        ``rate``, ``stderr``, the per-iteration ``ln_growth``, ``effective_fraction``, the final
        stationary population ``G`` and the inputs.

    Warns
    -----
    ValidityWarning
        If the weights' mean effective fraction is below 0.05 (few members carry the weights:
        the estimate needs a larger population).

    Raises
    ------
    ValueError
        A parameter outside its range, or ``population * (burn_in + iterations) * (branching + 2)``
        above ``MAX_WORK = 3e9`` (about 105 s); the message names the parameter.

    Notes
    -----
    Cost: about 0.035 microseconds per unit of ``population * (burn_in + iterations) * (branching
    + 2)`` on the 2-core development machine (the defaults, ``K = 2``: ~5 s).  The statistical error
    falls as ``1/sqrt(population * iterations)`` (measured: 4x the population halves it; the
    reported error agrees with the scatter over seeds).  No bias of the finite population beyond
    the errors was seen at ``K = 2``, ``W = 18``: ``rate = 0.0047 +- 0.0006`` (population 2000,
    0.0044 +- 0.0007 at 10^4, 0.0050 +- 0.0003 at 10^5).
    """
    p = _check_common(W, branching, energy, beta, population, iterations, burn_in, seed, progress)
    _check_work(_work(p["population"], p["burn_in"], p["iterations"], p["branching"]), "one run", p)
    ticker = _Ticker(progress, p["burn_in"] + p["iterations"])
    ln_growth, ess, G = _run(p["W"], p["branching"], p["energy"], p["beta"], p["population"], p["burn_in"],
                             p["iterations"], p["seed"], ticker)
    rate, stderr = batch_means(ln_growth, _BATCHES)
    if ess < _LOW_ESS:
        warnings.warn(
            f"anderson_bethe_lyapunov: the weights' effective fraction is {ess:.3g} < {_LOW_ESS} "
            f"(W={p['W']!r}, energy={p['energy']!r}, population={p['population']}): few members carry "
            "the estimate; increase population", ValidityWarning, stacklevel=2)
    return LyapunovResult(rate=rate, stderr=stderr, ln_growth=ln_growth, effective_fraction=ess, G=G,
                          W=p["W"], branching=p["branching"], energy=p["energy"], beta=p["beta"],
                          population=p["population"], iterations=p["iterations"], burn_in=p["burn_in"],
                          seed=p["seed"])


def _acat_guess(K):
    """The root of :math:`W = 4K\\ln(W/2)` (ACAT's upper-limit form; 17.3 for K = 2): a starting point."""
    W = 4.0 * K * math.log(2.0 * K)
    for _ in range(60):
        W = 4.0 * K * math.log(W / 2.0)
    return W


def _line_root(x, y, cov_y):
    """Least-squares line ``y = c0 + c1 x`` through points with covariance ``cov_y``.

    Returns ``(root, stderr, slope, slope_stderr)``: ``root = -c0/c1`` and the errors by the delta
    method from ``cov(c) = A cov_y A^T``, ``A = (X^T X)^{-1} X^T`` (ordinary least squares: the
    points have similar errors; the covariance is used as it is, not rescaled by the residuals,
    which with two degrees of freedom would make the error itself noisy).
    """
    X = np.column_stack([np.ones_like(x), x])
    A = np.linalg.solve(X.T @ X, X.T)
    c = A @ y
    cov = A @ cov_y @ A.T
    c0, c1 = float(c[0]), float(c[1])
    slope_err = math.sqrt(max(float(cov[1, 1]), 0.0))
    if c1 == 0.0:  # a flat line: no root (the caller warns)
        return math.inf, math.inf, 0.0, slope_err
    root = -c0 / c1
    var = (cov[0, 0] + root**2 * cov[1, 1] + 2.0 * root * cov[0, 1]) / c1**2
    return root, math.sqrt(max(float(var), 0.0)), c1, slope_err


#: worst case of runs of :func:`anderson_bethe_critical_disorder`, in units of one full run
_BRACKET_UP, _BRACKET_DOWN, _NARROW = 12, 20, 3
_GRID = np.array([-1.5, -0.5, 0.5, 1.5])
_GRID_STEP = (0.005, 0.04)  # bounds of the relative spacing of the final points
_ROUNDS = 2


def _cheap(p):
    n1 = max(min(p["population"], 2000), p["population"] // 10)
    it1 = max(min(p["iterations"], 30), p["iterations"] // 3)
    return n1, it1


def anderson_bethe_critical_disorder(*, branching=2, energy=0.0, population=100_000, iterations=250, burn_in=50,
                                     seed=0, progress=None):
    """Critical disorder :math:`W_c` where :math:`\\Lambda(1/2)` of :func:`anderson_bethe_lyapunov` crosses zero.

    Reference: :math:`W_c = 18.17 \\pm 0.01` for ``branching = 2`` (connectivity 3), ``energy = 0``
    (Tikhonov & Mirlin 2019; Parisi et al. 2019).  Measured with the defaults (seed 0):
    see ``benchmarks/run.py`` (``bench_population``).

    Algorithm.  (1) Cheap runs (``population // 10`` members, at least 2000 or ``population``;
    ``iterations // 3`` iterations, at least 30 or ``iterations``) bracket the sign change from
    the root of :math:`W = 4K\\ln(W/2)` in steps of a factor 1.3 (at most 12 up, 20 down) and
    narrow it by 3 linear interpolations to :math:`W_1`.  (2) Full runs at
    :math:`W_1(1 + \\delta\\,\\{-1.5, -0.5, 0.5, 1.5\\})` and a least-squares straight line through
    their rates give the root and its standard error (delta method; the covariance of the four
    rates, which share random numbers, from their batch means taken batch by batch).  The spacing
    :math:`\\delta \\in [0.005, 0.04]` makes the four points span about 8 standard errors of a full
    run's rate (estimated from the cheap runs' errors and slope), so that the line is resolved;
    if the root falls outside :math:`W_1(1 \\pm 3\\delta)` the four points are placed around it once
    more.  The curvature of :math:`\\Lambda(W)` biases the straight line's root by about 0.001 at
    :math:`K = 2`, :math:`\\delta = 0.005` (:math:`\\Lambda'' \\approx 0.0045`, :math:`\\Lambda' \\approx
    -0.029` near :math:`W = 18`).  All runs use ``seed`` (common random numbers); the test suite
    checks the reported error against the scatter over seeds.

    Parameters
    ----------
    branching : int
        :math:`K` in [2, 10^4].
    energy : float
        :math:`E` inside the clean band, :math:`|E| < 2\\sqrt K`, where one transition is assumed
        (delocalized below :math:`W_c`, localized above; outside the band the mobility edge is
        re-entrant and there may be two or none).
    population, iterations, burn_in, seed, progress
        As in :func:`anderson_bethe_lyapunov`, for the full runs.  Work limit: the worst case of a
        call, 8 full runs and 24 cheap ones, at most ``MAX_WORK`` (about 9 full runs with the
        defaults' proportions, i.e. ``population * (burn_in + iterations) * (branching + 2)`` up to
        about 3.3e8; with ``population < 2000`` the cheap runs are as large as the full ones).

    Returns
    -------
    (W_c, stderr) : tuple of float

    Warns
    -----
    ValidityWarning
        If the fitted slope is not significantly negative (the population is too small for the
        statistical error to resolve the transition): then ``W_c`` is the cheap runs' estimate
        and ``stderr`` the larger of half their final bracket and their mean rate error over the
        slope across their first bracket (at most ``W_c`` itself); or if the root still lies outside
        the final four points (an extrapolation).

    Raises
    ------
    ValueError
        A parameter outside its range (see :func:`anderson_bethe_lyapunov`; ``energy`` outside
        :math:`(-2\\sqrt K, 2\\sqrt K)`), the work limit, or no sign change of the cheap runs' rate
        between :math:`W_0/1.3^{20}` and :math:`1.3^{12} W_0` (naming ``population``: the
        statistical error is too large).
    """
    p = _check_common(None, branching, energy, 0.5, population, iterations, burn_in, seed, progress)
    K = p["branching"]
    edge = 2.0 * math.sqrt(K)
    check_real("energy", p["energy"], lo=-edge, hi=edge)
    n1, it1 = _cheap(p)
    full = _work(p["population"], p["burn_in"], p["iterations"], K)
    cheap = _work(n1, p["burn_in"], it1, K)
    worst = (1 + _BRACKET_DOWN + _NARROW) * cheap + _ROUNDS * _GRID.size * full
    _check_work(worst, "the worst case of this call (cheap runs and 8 full runs)", p)
    run_kw = dict(K=K, E=p["energy"], beta=0.5, burn_in=p["burn_in"], seed=p["seed"])
    ticker = _Ticker(progress, 0)

    def trace(W, n, its):
        ticker.add_total(p["burn_in"] + its)
        return _run(W, n=n, iterations=its, ticker=ticker, **run_kw)[0]

    def rate(W, n, its):
        return batch_means(trace(W, n, its), _BATCHES)

    # (1) bracket and narrow with cheap runs
    W0 = _acat_guess(K)
    f0 = rate(W0, n1, it1)[0]
    lo = hi = None
    if f0 > 0:
        lo, f_lo = W0, f0
        W = W0
        for _ in range(_BRACKET_UP):
            W *= 1.3
            f = rate(W, n1, it1)[0]
            if f <= 0:
                hi, f_hi = W, f
                break
            lo, f_lo = W, f
    else:
        hi, f_hi = W0, f0
        W = W0
        for _ in range(_BRACKET_DOWN):
            W /= 1.3
            f = rate(W, n1, it1)[0]
            if f > 0:
                lo, f_lo = W, f
                break
            hi, f_hi = W, f
    if lo is None or hi is None:
        raise ValueError(
            f"no sign change of the rate Lambda(1/2) found between W = {W0 / 1.3**_BRACKET_DOWN:.4g} and "
            f"{W0 * 1.3**_BRACKET_UP:.4g} with the cheap runs of population={n1} (population={p['population']} "
            f"requested), energy={p['energy']!r}, branching={K}: the statistical error is too large; "
            "increase population")
    cheap_err = []
    slope_cheap = (f_lo - f_hi) / (hi - lo)  # over the bracket of factor 1.3 (narrower ones are noisy)
    for _ in range(_NARROW):
        W = lo + (hi - lo) * f_lo / (f_lo - f_hi)
        f, e = rate(W, n1, it1)
        cheap_err.append(e)
        if f > 0:
            lo, f_lo = W, f
        else:
            hi, f_hi = W, f
    W1 = lo + (hi - lo) * f_lo / (f_lo - f_hi)
    # the cheap runs' own error of W_1: half their bracket or their rate error over the slope
    err_cheap = min(max(0.5 * (hi - lo), float(np.mean(cheap_err)) / slope_cheap), W1)
    # spacing: the four points span about 8 standard errors of a full run's rate
    err_full = float(np.mean(cheap_err)) * math.sqrt((n1 * it1) / (p["population"] * p["iterations"]))
    step = min(max(8.0 * err_full / (3.0 * slope_cheap * W1), _GRID_STEP[0]), _GRID_STEP[1])

    # (2) four full runs around W1 and a straight line
    centre = W1
    for round_ in range(_ROUNDS):
        Ws = centre * (1.0 + step * _GRID)
        # batch means of the four runs, batch by batch: they share random numbers, so their
        # errors are correlated; the covariance of the four rates comes from the batches
        B = np.array([batch_mean_array(trace(W, p["population"], p["iterations"]), _BATCHES) for W in Ws])
        cov = np.cov(B) / B.shape[1]
        root, err, slope, slope_err = _line_root(Ws - centre, B.mean(axis=1), cov)
        if not (slope + 2.0 * slope_err < 0.0) or not math.isfinite(root):
            warnings.warn(
                f"anderson_bethe_critical_disorder: the rate does not decrease significantly across "
                f"W = {Ws[0]:.4g}..{Ws[-1]:.4g} (slope {slope:.3g} +- {slope_err:.2g}) with population="
                f"{p['population']}, iterations={p['iterations']}: the population is too small for the "
                "requested precision; returning the cheap runs' estimate and its error",
                ValidityWarning, stacklevel=2)
            return float(W1), float(err_cheap)
        W_c = centre + root
        inside = abs(root) <= 3.0 * step * centre
        if inside:
            break
        if round_ + 1 < _ROUNDS:
            centre = min(max(W_c, 0.8 * centre), 1.2 * centre)
    if not inside:
        warnings.warn(
            f"anderson_bethe_critical_disorder: W_c = {W_c:.6g} lies outside the last four points "
            f"W = {Ws[0]:.6g}..{Ws[-1]:.6g} (an extrapolation of the straight line); increase population",
            ValidityWarning, stacklevel=2)
        W_c = min(max(W_c, 0.8 * centre), 1.2 * centre)
    return float(W_c), float(err)
