"""Self-consistent mean-field linewidth of nearly-MBL metals (Secs. IV D, V; App. E).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014).

Units and conventions
---------------------
* Energies in units of :math:`\\delta_m` (set :math:`\\delta_m = 1`):
  ``gamma`` is :math:`\\gamma/\\delta_m`, the linewidth ``Gamma`` is
  :math:`\\Gamma/\\delta_m`, times are in units of :math:`1/\\delta_m`.
* :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)` (the definition printed in App. E is
  garbled).  The keyword ``Xi`` is the Fock-space localization length
  :math:`\\Xi`; give ``eps`` or ``Xi``, not both.  With it
  :math:`e^{-2m(1/\\Xi - \\ln K)} = K^{2m\\varepsilon}`.
* ``m = n + p`` is the total rearrangement order of Eq. (19).
* Everything is computed in :math:`x = \\ln\\Gamma` and as
  :math:`(\\ln|F|, \\mathrm{sign}\\,F)` with signed log-sum-exp, so
  :math:`\\ln\\Gamma \\approx -10^4` is fine.

The self-consistency ratio
--------------------------
Eq. (19) reads :math:`\\Gamma = \\Gamma\\,F(\\Gamma)` with

.. math::
    F(\\Gamma) = \\gamma^2 \\sum_{m\\ge 2} w_m
    \\frac{K^{2m\\varepsilon}\\, n_m}{1 + (\\Gamma\\, n_m K^m)^2},
    \\qquad n_m = n_{\\rm fast}(t = K^m),

so :math:`\\Gamma = 0` always solves it and a non-trivial solution has
:math:`F(\\Gamma) = 1`.  Options:

``equation="19"``   Eqs. (19)-(20).  Domain :math:`\\Gamma < \\gamma` (Eq. 20).
    ``sum_range="infinite"``: :math:`n, p \\ge 1` unbounded, :math:`w_m = m-1`.
    ``sum_range="square"``: :math:`1 \\le n, p \\le N`,
    :math:`w_m = \\min(m-1, 2N+1-m)`, :math:`m \\le 2N`.
    ``nfast="literal"``: Eq. (20) branch by branch (see :func:`n_fast`).
    ``nfast="continuous"``: :math:`n = \\max(1, sN\\ln_+^d(\\gamma\\min(t, 1/\\Gamma)))`.
``equation="E3"``   App. E, Eq. (E3) literally:
    :math:`F = \\gamma^2\\sum_{m=2}^{2N}(m-1)\\, sN K^{2m\\varepsilon} L_m^d /
    (1 + \\Gamma^2K^{2m}s^2N^2L_m^{2d})`, :math:`L_m = \\ln(\\gamma K^m)`.
    Terms with :math:`L_m < 0` and odd ``d`` are negative and are kept
    (``drop_negative=True`` removes them).  No saturation of :math:`n_{\\rm fast}`
    and no :math:`\\Gamma < \\gamma` domain limit.  ``sum_range`` and ``nfast``
    are validated but ignored (E3 fixes both).
``equation="E2"``   Eq. (E2): the same summand summed over the square
    :math:`1 \\le n,p \\le N`, i.e. multiplicity :math:`\\min(m-1, 2N+1-m)`.
    E3 claims to be a rewriting of E2 but uses :math:`m-1` for all
    :math:`m \\le 2N` (a paper inconsistency); ``"E2"`` is the consistent form.
``equation="E1"``   Eq. (E1), of which E2 is the :math:`N_0 \\lesssim 2` approximation: the
    square :math:`1 \\le n,p \\le N` (multiplicity :math:`\\min(m-1, 2N+1-m)`, the printed
    upper limit :math:`n,p = N` read for both sums) with :math:`n_m = 1` for
    :math:`m < N_0` and :math:`n_m = sN L_m^d` for :math:`m > N_0`, where
    :math:`N_0 = ((sN)^{-1/d} + \\ln(1/\\gamma))/\\ln K` (:func:`e1_N0`; the printed
    :math:`(1 + sN\\ln(1/\\gamma))/(sN\\ln K)` at :math:`d = 1`) is where
    :math:`sN L_m^d = 1`.  So :math:`n_m = \\max(1, sN [L_m]_+^d)`, the continuous reading
    of Eq. (20) without saturation at :math:`t = 1/\\Gamma` and without a domain limit;
    every term is positive.  A term with :math:`m = N_0` exactly, which the printed
    strict inequalities leave out of both sums, is kept: its two forms are equal
    (:math:`n_m = 1 = sN L_m^d`), so putting it in either sum gives the same :math:`F`,
    and dropping it would make :math:`F` jump as a parameter crosses such a point.
    ``sum_range``, ``nfast`` and ``drop_negative`` are validated but ignored.

The sum as an integral (``summation="integral"``)
-------------------------------------------------
The paper computed Figs. 5-7 and Fig. 8's open circles "by approximating the sum [in Eq. 19] by
an integral" (Sec. V A, App. E).  ``summation="integral"`` (Eq. 19 only; a ``ValueError`` naming
it for E2/E3) replaces :math:`\\sum_m w_m(\\ldots)` by :math:`\\int dm\\, w(m)(\\ldots)` with
:math:`n_{\\rm fast}(K^m)` of the chosen reading: ``integral_limits="cell"`` (default) integrates
each :math:`(n, p)` over its unit cell, :math:`w = m - 1` on :math:`[1, \\infty)` or
:math:`\\min(m-1, 2N+1-m)` on :math:`[1, 2N+1]` (the sum is then its midpoint rule: relative
difference :math:`O(\\ln^2 K)` as :math:`K\\to1^+`, :math:`O(\\ln K)` with the literal reading's
jump of :math:`n_{\\rm fast}`); ``"naive"`` keeps the sum's weights and limits (:math:`m \\ge 2`,
square :math:`m \\le 2N`).  The part below the crossover band does not depend on
:math:`\\Gamma` (a per-column table at knots); the band is integrated with composite 16-point
Gauss-Legendre panels split at the kinks and graded around the crossover, each panel with an error
estimate (panels halved where it fails; piecewise ``scipy.integrate.tanhsinh`` in logs as the
fallback and for :math:`F(0^+)`); closed-form tails; ``<= 1e-10`` relative.  The derivative bound
below holds for the integral too (differentiation under the integral), so the same scan,
statuses and "localized iff :math:`F(0^+) \\le 1`" apply.  It is ~7x slower than the sum
(Fig. 8's parameters: 10^4 points in ~5 s, 10^3 in ~0.5 s).

Monotonicity facts used by the solver
-------------------------------------
Each term is :math:`c_m n/(1+u)`, :math:`u = (\\Gamma n K^m)^2`, and
:math:`\\nu = d\\ln n/dx \\in [-\\delta, 0]` (only the saturated branch depends
on ``x``), so :math:`d\\ln(\\mathrm{term})/dx = \\nu - \\tfrac{u}{1+u}(2+2\\nu)`
lies in :math:`[-(2+\\delta), \\max(0,\\delta-2)]`; a sum of positive terms
inherits the bound.  Hence, for Eq. (19) (both ranges, both readings of Eq. 20),
:math:`d\\ln F/dx \\in [-(2+\\delta), \\max(0, \\delta-2)]` with
:math:`\\delta = d/\\ln(\\gamma/\\Gamma)`: :math:`F` is non-increasing for
:math:`\\ln(\\gamma/\\Gamma) \\ge d/2`, and every term is bounded by its
:math:`\\Gamma \\to 0` value, so :math:`F(\\Gamma) \\le F(0^+)`: *localized
iff* :math:`F(0^+) \\le 1`.  For E1/E2/E3, :math:`dF/dx \\in [-2P, 2Q]` with
:math:`P, Q` the sums of the positive and of the absolute negative terms
(both non-increasing in ``x``; :math:`Q = 0` for E1, whose :math:`F` is therefore
non-increasing: localized iff :math:`F(0^+) \\le 1`, as for Eq. 19).  These bounds
make the bracket scan rigorous: a grid cell is discarded only when the bound proves it has no root.

Package layout
--------------
One concept per module; the public names are re-exported here.

* :mod:`.model` -- :class:`MeanFieldModel`, the parameters validated once (frozen,
  hashable) with ``ratio``, ``ln_F0``, ``F0``, ``solve`` and ``critical_eps``; the keyword
  functions below validate through the same path (``_checks``) and share its cores.
* :mod:`.nfast` -- Eq. (20) (:func:`n_fast`, :func:`ln_n_fast`), the lineshape (17) and :func:`e1_N0`; the one
  implementation of :math:`n_{\rm fast}` the other modules use.
* :mod:`.ratio` -- :func:`self_consistency_ratio`, :func:`ln_F_zero`, :func:`F_zero`.
* :mod:`.roots` -- the bracket scan and its Chandrupatla refinement.
* :mod:`.solve` -- :func:`solve_linewidth`, :class:`LinewidthResult`, :func:`eq21_ln_linewidth`,
  :func:`eps_at_linewidth`.
* :mod:`.curves` -- Eq. (19) along a line of :math:`\\varepsilon`: :func:`linewidth_curve` (Fig. 6),
  :func:`saddle_point_curves` (Fig. 8), :func:`eps_no_root_below_gamma`.
* :mod:`.integral` -- :func:`ln_F_integral`, the saddle-point exercise's trapezoid for the integral
  form (Sec. V A); the error-controlled integral is ``summation="integral"`` (private ``_integral``).
* :mod:`.boundary` -- the phase boundary :math:`F_0 = 1` (:func:`critical_coupling`,
  :func:`critical_eps`, :func:`critical_Xi`, :func:`ln_F_zero_table`, ...).
* private: ``_lnf`` (the ln F model ``_Model``: prefix tables, band, tails), ``_integral`` (its
  counterpart ``_IntegralModel`` for ``summation="integral"``, chosen by ``_make_model``), ``_numerics``
  (signed / cumulative log-sum-exp, Eulerian tail, root finders, work limits), ``_checks``
  (parameter validation and work limits).

Validity contract
-----------------
Every public function returns within seconds and bounded memory, warns, or
raises ``ValueError`` naming the parameter, its value and the allowed range:

* :func:`solve_linewidth` warns (:class:`~nblm_helpers.parameters.ValidityWarning`,
  unless ``warn=False``) when a root violates Eq. (23), (26) or (27), or a
  point has status ``"above_gamma"``.  The other functions evaluate the
  equations as mathematical objects (:math:`F`, :math:`F_0`, the boundary
  :math:`F_0 = 1`) and do not warn; whether a boundary point lies inside
  Eq. (23) is what :func:`critical_coupling_eq23_edge` and
  :mod:`~nblm_helpers.validity` answer.
* Work limits (``ValueError`` beyond them): ``sum_range="square"`` needs
  ``N <= 20000``; Eq. (19) needs ``K >= 1.00013`` (its crossover spans
  ~25/ln K explicit terms) unless the square sum is shorter; E1/E2/E3 need
  ``N <= sqrt(1.5e7 / ln K)`` for a solve (``N <= 3695`` at ``K = 3``) and
  ``N <= 10**6`` for an evaluation of :math:`F` (a tenth of the solve limit for
  :func:`critical_eps` / :func:`critical_Xi`, which solve ~100 times); ``d <= 64``; the unbounded
  sum is summed explicitly up to order :math:`m = 10^7`, so a linewidth
  below :math:`\\ln\\Gamma \\approx -10^7\\ln K` (e.g. :math:`\\varepsilon = 0`
  with :math:`\\gamma \\lesssim 10^{-8}`) is refused, and so is a literal-
  reading boundary search that would examine more than 5000 drop points
  :math:`\\gamma = K^{-m}` (``K`` very close to 1).  One :func:`solve_linewidth`
  call solves at most 20000 distinct points (split larger sweeps).  The
  :math:`F_0` boundary helpers sum at most 50000 head terms before
  :math:`n_{\\rm fast}` leaves its first branch (about :math:`\\ln(1/\\gamma)/\\ln K`,
  more for the continuous reading with tiny :math:`sN`), and
  :func:`eps_at_linewidth` targets :math:`\\ln\\Gamma \\ge -2\\cdot10^5\\ln K`.
* ``ln_Gamma = -inf`` means :math:`\\Gamma = 0` (localized); ``F0 = inf``
  means the unbounded sum diverges (:math:`\\varepsilon \\ge 0`); no result is NaN.
"""

from __future__ import annotations

from .._deprecate import module_getattr
from ..saddle_point import saddle_point_ln_linewidth  # re-exported
from ._checks import EQUATIONS, NFAST_READINGS, SUM_RANGES
from .boundary import (
    critical_coupling,
    critical_coupling_asymptote,
    critical_coupling_eq23_edge,
    critical_eps,
    critical_Xi,
    literal_reentrance,
    ln_F_zero_table,
)
from .curves import (
    LinewidthCurve,
    SaddlePointCurves,
    eps_no_root_below_gamma,
    linewidth_curve,
    saddle_point_curves,
)
from .integral import ln_F_integral
from .model import MeanFieldModel
from .nfast import bath_lineshape, e1_N0, ln_n_fast, n_fast
from .ratio import F_zero, ln_F_zero, self_consistency_ratio
from .solve import LinewidthResult, eps_at_linewidth, eq21_ln_linewidth, solve_linewidth

__all__ = [
    "MeanFieldModel",
    "LinewidthResult",
    "solve_linewidth",
    "self_consistency_ratio",
    "n_fast",
    "ln_n_fast",
    "e1_N0",
    "ln_F_zero",
    "F_zero",
    "bath_lineshape",
    "saddle_point_ln_linewidth",
    "EQUATIONS",
    "SUM_RANGES",
    "NFAST_READINGS",
    "ln_F_zero_table",
    "critical_coupling",
    "literal_reentrance",
    "critical_eps",
    "critical_Xi",
    "critical_coupling_eq23_edge",
    "critical_coupling_asymptote",
    "eq21_ln_linewidth",
    "eps_at_linewidth",
    "LinewidthCurve",
    "linewidth_curve",
    "SaddlePointCurves",
    "saddle_point_curves",
    "eps_no_root_below_gamma",
    "ln_F_integral",
]


# Names before version 0.2 (one spelling per symbol, CHANGELOG.md): still served, with a
# DeprecationWarning.
__getattr__ = module_getattr(__name__, globals(), {'critical_xi': 'critical_Xi'})
