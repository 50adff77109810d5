"""The many-body Hamiltonian of the AGKL dot, Eq. (14), as a sparse matrix in the fixed-N Fock basis.

Built vectorized: for every pair :math:`Q` of levels, all basis states with :math:`Q` occupied
lose it, gain every empty pair :math:`P`, and the fermionic sign is read from popcounts of the
bits below each index (:mod:`~nblm_helpers.agkl.basis` gives the order); targets are found by
``searchsorted`` in the sorted basis and duplicates (the moves that share an index) are summed by
the COO -> CSR conversion.  n_levels = 12 at half filling (924 states) takes ~10 ms.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._checks import check_filling, check_size
from .basis import _basis
from .model import draw_dot

__all__ = ["hamiltonian"]


def _build(levels, W, m):
    """CSR Hamiltonian and basis for levels (n,), pair matrix W (n_pairs, n_pairs), m particles."""
    n = levels.shape[0]
    basis = _basis(n, m)
    dim = basis.size
    one = np.int64(1)
    bits = one << np.arange(n, dtype=np.int64)
    below = bits - 1                                  # mask of the levels below alpha
    p1, p2 = np.triu_indices(n, k=1)
    pmask = bits[p1] | bits[p2]
    occ = (basis[:, None] >> np.arange(n)) & 1
    rows, cols, vals = [np.arange(dim)], [np.arange(dim)], [occ @ levels]
    if np.any(W != 0.0):
        for q in range(p1.size):
            qm = pmask[q]
            idx = np.flatnonzero((basis & qm) == qm)
            s2 = basis[idx] ^ qm                      # Q = (q1 < q2) removed: A_Q = c_q2 c_q1
            # c_q1 on |s>: (-1)^{#occ < q1}; then c_q2 on s - q1: (-1)^{#occ < q2 in s} - 1
            nq = (np.bitwise_count(basis[idx] & below[p1[q]]) + np.bitwise_count(basis[idx] & below[p2[q]]) + 1)
            ok = (s2[:, None] & pmask[None, :]) == 0  # P = (p1 < p2) empty in s - Q
            i, P = np.nonzero(ok)
            s2i = s2[i]
            # B_P = c+_p1 c+_p2: c+_p2 first on s2, then c+_p1 (p1 < p2 not counted)
            npar = nq[i] + np.bitwise_count(s2i & below[p1[P]]) + np.bitwise_count(s2i & below[p2[P]])
            t = s2i | pmask[P]
            sign = 1.0 - 2.0 * (npar & 1)
            rows.append(np.searchsorted(basis, t))
            cols.append(idx[i])
            vals.append(W[P, q] * sign)
    r = np.concatenate(rows).astype(np.int32)
    c = np.concatenate(cols).astype(np.int32)
    v = np.concatenate(vals)
    H = sp.coo_matrix((v, (r, c)), shape=(dim, dim)).tocsr()
    H.eliminate_zeros()
    H = ((H + H.T) * 0.5).tocsr()                    # exactly symmetric (duplicates summed in another order)
    H.sort_indices()
    return H, basis


def hamiltonian(n_levels, n_particles, *, coupling, seed):
    """The Hamiltonian of Eq. (14) for one disorder realization, in the fixed-N Fock basis.

    Parameters
    ----------
    n_levels : int
        Number of single-particle levels, 2 <= n_levels <= 20.
    n_particles : int
        Number of fermions, 1 <= n_particles <= n_levels - 1.
    coupling : float
        :math:`\\lambda/\\Delta \\ge 0`, the rms two-body matrix element (see
        :data:`~nblm_helpers.agkl.NORMALIZATION`).
    seed : int
        Seed of the realization (:func:`~nblm_helpers.agkl.draw_dot`).

    Returns
    -------
    H : scipy.sparse.csr_matrix
        Real symmetric, shape ``(D, D)`` with :math:`D = \\binom{n_{levels}}{n_{particles}}`,
        energies in units of :math:`\\Delta`.  Diagonal: :math:`\\sum_\\alpha \\varepsilon_\\alpha
        n_\\alpha + \\sum_{P\\ \\mathrm{occupied}} W_{PP}`.
    basis : numpy.ndarray
        The sorted occupation bit patterns (bit :math:`\\alpha` = level :math:`\\alpha`;
        :func:`~nblm_helpers.agkl.fock_basis`).

    Raises
    ------
    ValueError
        Naming the parameter, its range and the value; or a Fock space beyond the work limit
        (more than 13 000 states: n_levels = 16 at half filling is the largest).
    """
    n, m = check_filling(n_levels, n_particles)
    check_size(n, m)
    dot = draw_dot(n, coupling=coupling, seed=seed)
    return _build(dot.levels, dot.W, m)
