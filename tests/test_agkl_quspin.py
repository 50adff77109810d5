"""The AGKL Hamiltonian against an independent implementation: QuSpin's general spinless-fermion basis.

The same realization (levels and pair matrix W from ``agkl.draw_dot``) is written as QuSpin
operator strings, ``"n"`` for :math:`\\varepsilon_\\alpha c^\\dagger_\\alpha c_\\alpha` and
``"++--"`` with indices ``[p1, p2, q2, q1]`` for :math:`W_{PQ} c^\\dagger_{p_1} c^\\dagger_{p_2}
c_{q_2} c_{q_1}` (= :math:`W_{PQ} B_P A_Q`), and the spectra must agree to 1e-10.  QuSpin orders
its basis and its Jordan-Wigner string differently (site 0 is the most significant bit), so only
basis-independent quantities are compared.  QuSpin imports numba (~10 s); it stays in this file.
"""

import numpy as np
import pytest

from nblm_helpers import agkl

quspin_basis = pytest.importorskip("quspin.basis")
quspin_operators = pytest.importorskip("quspin.operators")


def quspin_hamiltonian(dot, n_particles):
    pq = dot.pairs
    n_pairs = len(pq)
    static = [
        ["n", [[float(e), a] for a, e in enumerate(dot.levels)]],
        ["++--", [[float(dot.W[P, Q]), int(pq[P, 0]), int(pq[P, 1]), int(pq[Q, 1]), int(pq[Q, 0])]
                  for P in range(n_pairs) for Q in range(n_pairs)]],
    ]
    basis = quspin_basis.spinless_fermion_basis_general(dot.n_levels, Nf=n_particles)
    # the checks are skipped on purpose: Hermiticity and particle-number conservation are what this
    # file tests (against our builder), and with check_*=True QuSpin prints its check reports
    H = quspin_operators.hamiltonian(static, [], basis=basis, dtype=np.float64,
                                     check_symm=False, check_herm=False, check_pcon=False)
    return H.toarray(), basis


CASES = [(6, 2, 0.3, 0), (6, 3, 1.0, 1), (8, 3, 0.4, 2), (8, 4, 0.1, 3), (10, 4, 0.5, 4), (10, 5, 0.2, 5),
         (12, 5, 0.3, 6), (12, 6, 0.6, 7), (9, 7, 2.0, 8)]


@pytest.mark.parametrize("n_levels,n_particles,coupling,seed", CASES)
def test_spectrum_agrees_with_quspin(n_levels, n_particles, coupling, seed):
    dot = agkl.draw_dot(n_levels, coupling=coupling, seed=seed)
    Hq, qbasis = quspin_hamiltonian(dot, n_particles)
    assert qbasis.Ns == len(agkl.fock_basis(n_levels, n_particles))
    assert np.abs(Hq - Hq.T).max() < 1e-12
    Eq = np.linalg.eigvalsh(Hq)
    E = agkl.spectrum(n_levels, n_particles, coupling=coupling, seed=seed).energies
    assert np.abs(E - Eq).max() < 1e-10


def test_same_matrix_up_to_basis_order_and_signs():
    """Beyond the spectrum: the matrices agree entry by entry up to the basis map and a diagonal +-1."""
    n, m = 8, 4
    dot = agkl.draw_dot(n, coupling=0.7, seed=11)
    Hq, qbasis = quspin_hamiltonian(dot, m)
    H, basis = dot.hamiltonian(m)
    # QuSpin's site i is bit (n - 1 - i) of its state integer: reverse the bits to get ours
    qs = np.asarray(qbasis.states, dtype=np.int64)
    ours = np.zeros_like(qs)
    for i in range(n):
        ours |= ((qs >> (n - 1 - i)) & 1) << i
    perm = np.searchsorted(basis, ours)          # QuSpin index -> our index
    assert np.array_equal(basis[perm], ours)
    Hp = H.toarray()[np.ix_(perm, perm)]
    assert np.allclose(np.abs(Hp), np.abs(Hq), atol=1e-12)
    # the two Jordan-Wigner orders differ by a sign per basis state: H_q = S H S with S diagonal
    s = np.ones(len(perm))
    seen = np.zeros(len(perm), bool)
    seen[0] = True
    stack = [0]
    while stack:  # fix the signs along the non-zero entries (the matrix is connected)
        i = stack.pop()
        for j in np.flatnonzero(np.abs(Hp[i]) > 1e-12):
            if not seen[j]:
                s[j] = s[i] * np.sign(Hq[i, j] / Hp[i, j])
                seen[j] = True
                stack.append(j)
    assert seen.all()
    assert np.allclose(s[:, None] * Hp * s[None, :], Hq, atol=1e-12)
