"""The random AGKL dot, Eq. (14): GOE single-particle levels and a random two-body interaction.

.. math::

    H = \\sum_\\alpha \\varepsilon_\\alpha c^\\dagger_\\alpha c_\\alpha
        + \\sum_{\\alpha\\beta\\gamma\\delta} V_{\\alpha\\beta\\gamma\\delta}
          c^\\dagger_\\alpha c^\\dagger_\\beta c_\\gamma c_\\delta
      = \\sum_\\alpha \\varepsilon_\\alpha n_\\alpha + \\sum_{P,Q} W_{PQ} B_P A_Q ,

with pairs :math:`P = (p_1 < p_2)`, :math:`B_P = c^\\dagger_{p_1} c^\\dagger_{p_2}`,
:math:`A_Q = B_Q^\\dagger = c_{q_2} c_{q_1}`, and :math:`W_{PQ} = 4 V_{p_1 p_2 q_2 q_1}` (the
four orderings of an antisymmetric :math:`V` give the factor 4).  See :data:`NORMALIZATION`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_coupling, check_levels, check_seed

__all__ = ["NORMALIZATION", "AGKLDot", "draw_dot", "pairs"]

NORMALIZATION = """\
Units and normalization of nblm_helpers.agkl (energies in units of the mean single-particle
level spacing Delta = 1).

Single-particle levels eps_alpha: the eigenvalues E of a real symmetric GOE matrix
(A + A^T)/2, A with independent standard normal entries (off-diagonal variance 1/2, semicircle
radius R = sqrt(2 n_levels)), unfolded with the semicircle's integrated density,
eps = n_levels * F(E/R) - n_levels/2, F(x) = 1/2 + (x sqrt(1 - x^2) + arcsin x)/pi. The levels
keep GOE (Wigner-Dyson) correlations, fill [-n_levels/2, n_levels/2] with unit mean density
(mean spacing Delta = 1 in the unfolded sense) and are centred at 0.

Two-body part: W_PQ = <P|V|Q>, the matrix element between the antisymmetrized two-particle
states |P> = c+_p1 c+_p2 |0> (p1 < p2), is real symmetric and Gaussian (a GOE in the
n_levels(n_levels-1)/2-dimensional pair space, the two-body random ensemble): off-diagonal
entries of variance lambda^2, diagonal ones of variance 2 lambda^2, with coupling = lambda/Delta.
In the four-index form of Eq. (14), V_{p1 p2 q2 q1} = W_PQ/4, antisymmetric under
alpha <-> beta and gamma <-> delta, with V_{abcd} = V_{dcba} (Hermiticity, V real).
So `coupling` is the rms two-body matrix element between Slater determinants that differ by
two particles: the "typical matrix element lambda" of the paper (Sec. IV B), which Altshuler,
Gefen, Kamenev and Levitov, PRL 78, 2803 (1997), estimate as V ~ Delta/g for a diffusive dot of
dimensionless conductance g, and the interaction strength U of the two-body random interaction
model of Jacquod and Shepelyansky, PRL 79, 1837 (1997), up to the shape of the distribution (if
U_{ij,kl} is drawn uniformly from [-U, U], its rms is U/sqrt 3: compare at equal rms). Hence

    coupling = lambda/Delta  <->  1/g ,   K = g^3/6 = 1/(6 coupling^3)   (the paper's Sec. IV B),

an order-of-magnitude identification (AGKL's V ~ Delta/g holds up to a number of order 1).
The disorder realization depends on the seed only: draw_dot(n, coupling=c, seed=s) has the
levels of seed s and the two-body matrix of seed s scaled by c, so a scan over the coupling at one
seed follows one realization.
"""


def pairs(n_levels):
    """The pairs (p1 < p2) of levels in the order of the pair-space index: ``(n_pairs, 2)`` int array.

    Pair ``P`` of :attr:`AGKLDot.W` is ``pairs(n_levels)[P]`` (lexicographic: (0,1), (0,2), ...).
    """
    n = check_levels(n_levels)
    i, j = np.triu_indices(n, k=1)
    return np.stack([i, j], axis=1)


def _unfolded_goe_levels(n, rng):
    """GOE eigenvalues unfolded by the semicircle (unit mean density, centred at 0), sorted."""
    a = rng.standard_normal((n, n))
    e = np.linalg.eigvalsh((a + a.T) / 2.0)
    x = np.clip(e / math.sqrt(2.0 * n), -1.0, 1.0)
    f = 0.5 + (x * np.sqrt(1.0 - x * x) + np.arcsin(x)) / math.pi
    return n * f - n / 2.0


@dataclass(frozen=True)
class AGKLDot:
    """One disorder realization of the AGKL dot (Eq. 14); see :data:`NORMALIZATION`.

    Attributes
    ----------
    levels : numpy.ndarray
        The single-particle energies :math:`\\varepsilon_\\alpha/\\Delta`, sorted, shape ``(n_levels,)``.
        Level :math:`\\alpha` is bit :math:`\\alpha` of a basis state.
    W : numpy.ndarray
        The pair-space matrix :math:`W_{PQ} = \\langle P|V|Q\\rangle`, real symmetric, shape
        ``(n_pairs, n_pairs)`` with pairs ordered as :func:`pairs`.
    coupling : float
        :math:`\\lambda/\\Delta`, the rms of the off-diagonal :math:`W_{PQ}`.
    seed : int
        The seed the realization was drawn with.
    """

    levels: np.ndarray
    W: np.ndarray
    coupling: float
    seed: int
    n_levels: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "n_levels", int(np.shape(self.levels)[0]))

    @property
    def pairs(self):
        """The pairs (p1 < p2) indexing :attr:`W` (see :func:`pairs`)."""
        return pairs(self.n_levels)

    @property
    def V(self):
        """The antisymmetrized four-index tensor :math:`V_{\\alpha\\beta\\gamma\\delta}` of Eq. (14).

        ``V[a, b, c, d]`` multiplies :math:`c^\\dagger_a c^\\dagger_b c_c c_d` in a sum over all four
        indices; :math:`V_{p_1 p_2 q_2 q_1} = W_{PQ}/4`.
        """
        n = self.n_levels
        pq = self.pairs
        p1, p2 = pq[:, 0], pq[:, 1]
        V = np.zeros((n, n, n, n))
        w = self.W / 4.0
        P1, P2 = p1[:, None], p2[:, None]
        Q1, Q2 = p1[None, :], p2[None, :]
        V[P1, P2, Q2, Q1] = w
        V[P2, P1, Q2, Q1] = -w
        V[P1, P2, Q1, Q2] = -w
        V[P2, P1, Q1, Q2] = w
        return V

    def hamiltonian(self, n_particles):
        """``(H, basis)`` of this realization with ``n_particles`` particles (see :func:`~nblm_helpers.agkl.hamiltonian`)."""
        from .hamiltonian import _build
        from ._checks import check_filling, check_size

        n, m = check_filling(self.n_levels, n_particles)
        check_size(n, m)
        return _build(self.levels, self.W, m)


def draw_dot(n_levels, *, coupling, seed):
    """Draw one AGKL dot: GOE levels (Delta = 1) and a two-body matrix of rms ``coupling``.

    Parameters
    ----------
    n_levels : int
        Number of single-particle levels, 2 <= n_levels <= 20 (the paper's N of Eq. 14).
    coupling : float
        :math:`\\lambda/\\Delta \\ge 0`, the rms two-body matrix element (``<= 1e6``).
    seed : int
        Seed of ``numpy.random.default_rng``, an integer in [0, 2**63 - 1].  The levels and the
        unscaled two-body matrix depend on it only (not on ``coupling``).

    Returns
    -------
    AGKLDot
        ``levels``, ``W`` (pair space), ``coupling``, ``seed``; ``.V`` the four-index tensor,
        ``.hamiltonian(n_particles)`` the many-body matrix.

    Raises
    ------
    ValueError
        Naming the parameter, its allowed range and the value received.

    Notes
    -----
    The convention against Jacquod-Shepelyansky (1997) and AGKL (1997), and the map
    coupling <-> 1/g, K = g^3/6, are in :data:`NORMALIZATION`.
    """
    n = check_levels(n_levels)
    lam = check_coupling(coupling)
    s = check_seed(seed)
    rng = np.random.default_rng(s)
    levels = _unfolded_goe_levels(n, rng)
    n_pairs = n * (n - 1) // 2
    a = rng.standard_normal((n_pairs, n_pairs))
    W = lam * (a + a.T) / math.sqrt(2.0)
    return AGKLDot(levels=levels, W=W, coupling=lam, seed=s)
