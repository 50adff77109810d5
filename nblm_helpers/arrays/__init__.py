"""Inhomogeneous arrays of dots: Eq. (18) with a different :math:`\\varepsilon_I` on every dot (beyond the paper).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014), Sec. IV C-D assume "an array of statistically
similar quantum dots" and decouple it in mean field: one dot in a bath with the typical linewidth.
This subpackage keeps the lattice: dots :math:`I` on a periodic chain (:math:`z = 2`) or square
lattice (:math:`z = 4`), each with its own :math:`\\varepsilon_I = 1 - 1/(\\Xi_I\\ln K)`, and solves
the Golden-rule rate of every dot with its :math:`z` neighbours as its bath.

The inhomogeneous equation
--------------------------
The coupling :math:`\\gamma/\\sqrt{zN^2}\\sum_{IJ}\\mathcal{K}_{IJ}\\,c^\\dagger_\\alpha(I)c_\\beta(I)
c^\\dagger_\\gamma(J)c_\\delta(J)` makes dot :math:`I` relax by an :math:`n`-particle rearrangement of
itself together with a :math:`p`-particle rearrangement of *one* neighbour :math:`J`; the coupling
squared carries :math:`\\gamma^2/z` per neighbour.  Eq. (18), written for this process, reads

.. math::
    \\Gamma_I = \\frac{\\gamma^2}{z} \\sum_{J\\in\\partial I} \\sum_{n,p\\ge1}
    S_{\\Gamma_J}(\\delta E_{n+p})\\, e^{-2n/\\Xi_I}\\, e^{-2p/\\Xi_J},
    \\qquad \\delta E_{m} = \\delta_m K^{-m},

in which

* the **system** factor :math:`e^{-2n/\\Xi_I}` belongs to dot :math:`I`: the amplitude of an
  :math:`n`-particle rearrangement falls off with the Fock-space localization length of the dot
  that rearranges;
* the **bath** factor :math:`e^{-2p/\\Xi_J}` belongs to neighbour :math:`J`, for the same reason;
* the **lineshape** is the bath's, :math:`S_{\\Gamma_J}` of Eq. (17) with the *neighbour's*
  linewidth :math:`\\Gamma_J` (and :math:`n_{\\rm fast}` of Eq. 20 saturating at :math:`1/\\Gamma_J`):
  dot :math:`I` decays by borrowing energy from the broadened spectral lines of its environment
  (Sec. IV C, "if the spectral lines in the environment are slightly broadened with a linewidth
  Γ, then the dot will be able to relax"), and the environment of :math:`I` is its neighbours;
* the detuning :math:`\\delta E_{n+p} = \\delta_m K^{-(n+p)}` depends only on the total order, as in
  Eq. (18) (the same :math:`K` and :math:`\\delta_m` on every dot; only :math:`\\Xi` varies).

With :math:`S_\\Gamma(\\omega) = \\Gamma n/(\\omega^2 + \\Gamma^2 n^2)` and
:math:`e^{-2n/\\Xi} K^{2n} = K^{2n\\varepsilon}`, this is

.. math::
    \\Gamma_I = \\frac{1}{z}\\sum_{J\\in\\partial I} \\Gamma_J\\, F_{IJ}(\\Gamma_J),\\qquad
    F_{IJ}(\\Gamma) = \\gamma^2 \\sum_{m\\ge2} W_m(\\varepsilon_I, \\varepsilon_J)\\,
    \\frac{n_m}{1 + (\\Gamma n_m K^m)^2},

    W_m = \\sum_{n+p=m} K^{2n\\varepsilon_I + 2p\\varepsilon_J}
        = K^{m(\\varepsilon_I+\\varepsilon_J)}\\,\\frac{\\sinh(w_m\\delta)}{\\sinh\\delta},
    \\quad \\delta = \\ln K\\,(\\varepsilon_I - \\varepsilon_J),

with :math:`w_m = m - 1` (``sum_range="infinite"``) or :math:`\\min(m-1, 2N+1-m)` (``"square"``,
:math:`1 \\le n, p \\le N`).  For :math:`\\varepsilon_I = \\varepsilon_J = \\varepsilon` the weight is
:math:`w_m K^{2m\\varepsilon}` and :math:`F_{IJ}` is the :math:`F` of Eq. (19), so a homogeneous array
solves :math:`\\Gamma = \\Gamma F(\\Gamma)`, Eq. (19), on every dot: ``eps_spread = 0`` reproduces
:func:`~nblm_helpers.meanfield.solve_linewidth` (``tests/test_arrays.py``: :math:`F_{IJ}` equals
Eq. 19's :math:`F` to 1e-13 in :math:`\\ln F`; a homogeneous array solved from a perturbed start
lands on ``solve_linewidth`` to 2e-13 in :math:`\\ln\\Gamma`, asserted to 1e-8).  For large
:math:`m` the weight grows like :math:`K^{2m\\max(\\varepsilon_I,\\varepsilon_J)}`: large
rearrangements happen on the more ergodic dot of a bond.  :math:`W_m` is symmetric, so
:math:`F_{IJ} = F_{JI}` as functions; they are evaluated at different linewidths.

Localization.  :math:`\\Gamma_I = 0` on every dot always solves the equations, and a dot next to a
metallic one always gets :math:`\\Gamma_I > 0` from it, decaying geometrically into a localized
region.  Following Sec. IV B (a dot whose linewidth falls below its many-body level spacing
"reverts to being fully localized"), a dot whose right-hand side is below ``ln_Gamma_floor``
(default :math:`-N\\ln K`, the spacing :math:`\\delta_m K^{-N}`) is set to :math:`\\Gamma_I = 0`
(status ``"localized"``, ``ln_Gamma = -inf``) and gives its neighbours no bath.

Modules
-------
* :mod:`.solve` -- :func:`solve_dot_array` (Newton in :math:`\\ln\\Gamma` with the sparse Jacobian),
  :class:`DotArrayResult`, :func:`draw_eps` (uniform :math:`\\varepsilon_I`), :func:`neighbours`.
* :mod:`.clusters` -- :func:`metallic_fraction`, :func:`metallic_clusters` (periodic
  ``scipy.ndimage.label``) and :class:`Clusters`, :func:`metallic_fraction_curve` and
  :class:`FractionCurve` (the fraction along a line of :math:`\\varepsilon` per seed, with the
  homogeneous :math:`\\varepsilon_c`).
* :mod:`.transition` -- :func:`fraction_crossing`: where a metallic-fraction curve first rises
  through a level (the midpoint and width of the crossover, interpolated in :math:`\\varepsilon`).
* private ``_kernel`` -- :math:`\\ln F_{IJ}` and its derivative for many bonds at once (Eq. 20 from
  :mod:`nblm_helpers.meanfield.nfast`; closed-form tail of the unbounded sum).

Work limits (``ValueError`` naming the parameter): at most 512 x 512 dots; orders up to 3000 per bond
(``ln_Gamma_floor >= -3000 ln K``, so the default floor needs ``N <= 3000``); ``N <= 1500`` for the
square sum; :func:`metallic_fraction_curve` at most 10000 solves and 2**22 dots per call.
"""

from .clusters import Clusters, FractionCurve, metallic_clusters, metallic_fraction, metallic_fraction_curve
from .solve import DotArrayResult, draw_eps, neighbours, solve_dot_array
from .transition import fraction_crossing

__all__ = [
    "solve_dot_array",
    "DotArrayResult",
    "draw_eps",
    "neighbours",
    "metallic_fraction",
    "metallic_clusters",
    "Clusters",
    "metallic_fraction_curve",
    "FractionCurve",
    "fraction_crossing",
]
