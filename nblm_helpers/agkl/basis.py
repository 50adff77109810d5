"""The fixed-particle-number Fock basis of the dot: occupation bit patterns.

Basis state ``b`` (a Python/NumPy integer) has level :math:`\\alpha` occupied iff bit
:math:`\\alpha` of ``b`` is set, ``(b >> alpha) & 1``; level 0 (the lowest single-particle
level) is the least significant bit.  The state is the Slater determinant
:math:`c^\\dagger_{\\alpha_1} c^\\dagger_{\\alpha_2}\\cdots|0\\rangle` with
:math:`\\alpha_1 < \\alpha_2 < \\dots` (the Jordan-Wigner order: :math:`c_\\alpha` picks up
:math:`(-1)^{\\#\\{\\beta < \\alpha\\ \\mathrm{occupied}\\}}`).  The basis is sorted by the integer.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_bit_patterns, check_filling, check_levels, check_size

__all__ = ["fock_basis", "hamming_distance", "occupations"]


def _basis(n, m):
    """All n-bit integers with m bits set, sorted (int64)."""
    x = np.arange(1 << n, dtype=np.int64)
    return x[np.bitwise_count(x) == m]


def fock_basis(n_levels, n_particles):
    """The sorted occupation bit patterns with ``n_particles`` of ``n_levels`` levels occupied.

    Returns
    -------
    numpy.ndarray
        int64, shape ``(C(n_levels, n_particles),)``, increasing; see the module docstring for the
        bit order.

    Raises
    ------
    ValueError
        For ``n_levels`` outside [2, 20], ``n_particles`` outside [1, n_levels - 1], or a Fock space
        beyond the work limit (``_checks.MAX_DIM`` states).
    """
    n, m = check_filling(n_levels, n_particles)
    check_size(n, m)
    return _basis(n, m)


def occupations(basis, n_levels):
    """Occupation numbers ``n[i, alpha]`` (0 or 1, int8) of the basis states, shape ``(len(basis), n_levels)``.

    Raises
    ------
    ValueError
        If ``n_levels`` is outside [2, 20] or ``basis`` is not a 1-d array of integers in [0, 2**n_levels).
    """
    n = check_levels(n_levels)
    b = check_bit_patterns("basis", basis, n)
    if b.ndim != 1:
        raise ValueError(f"basis must be a 1-d array of bit patterns; got shape {b.shape}")
    return ((b[:, None] >> np.arange(n)) & 1).astype(np.int8)


def hamming_distance(a, b):
    """Number of levels whose occupation differs between bit patterns ``a`` and ``b`` (broadcast).

    One two-body move :math:`c^\\dagger_\\alpha c^\\dagger_\\beta c_\\gamma c_\\delta` changes four
    occupations (distance 4), or two if an index is shared (distance 2); at fixed particle number
    the distance is even.

    Raises
    ------
    ValueError
        If ``a`` or ``b`` is not an array of integers in [0, 2**62), or they do not broadcast.
    """
    from ..parameters import check_broadcast

    a_, b_ = check_bit_patterns("a", a), check_bit_patterns("b", b)
    check_broadcast(a=a_, b=b_)
    out = np.bitwise_count(np.bitwise_xor(a_, b_)).astype(np.int64)
    return int(out) if out.ndim == 0 else out
