"""Physics and validation tests of nblm_helpers.agkl (exact diagonalization of the AGKL dot, Eq. 14)."""

import itertools
import math
import warnings

import numpy as np
import pytest

from nblm_helpers import ValidityWarning, agkl
from nblm_helpers.parameters import eps_from_Xi


# ------------------------------------------------------------------ a brute-force Jordan-Wigner reference

def jordan_wigner_hamiltonian(dot):
    """H of Eq. (14) on the whole 2^n Fock space from the four-index V and explicit c_alpha matrices."""
    n = dot.n_levels
    dim = 1 << n
    states = np.arange(dim)
    c = []
    for a in range(n):
        M = np.zeros((dim, dim))
        occ = (states >> a) & 1 == 1
        sign = (-1.0) ** np.array([bin(s & ((1 << a) - 1)).count("1") for s in states])
        M[states[occ] ^ (1 << a), states[occ]] = sign[occ]
        c.append(M)
    cd = [m.T for m in c]
    H = sum(e * cd[a] @ c[a] for a, e in enumerate(dot.levels))
    V = dot.V
    for a, b, g, d in itertools.product(range(n), repeat=4):
        if V[a, b, g, d] != 0.0:
            H = H + V[a, b, g, d] * (cd[a] @ cd[b] @ c[g] @ c[d])
    return H


@pytest.mark.parametrize("n", [4, 5, 6])
def test_block_of_the_jordan_wigner_hamiltonian(n):
    dot = agkl.draw_dot(n, coupling=0.7, seed=n)
    Hf = jordan_wigner_hamiltonian(dot)
    assert np.abs(Hf - Hf.T).max() < 1e-12
    N = np.array([bin(s).count("1") for s in range(1 << n)])
    assert np.all(Hf[N[:, None] != N[None, :]] == 0.0)        # block diagonal: H commutes with N
    for m in range(1, n):
        H, basis = dot.hamiltonian(m)
        assert np.abs(H.toarray() - Hf[np.ix_(basis, basis)]).max() < 1e-12


def test_hermitian_real_and_sparse_csr():
    H, basis = agkl.hamiltonian(12, 6, coupling=0.3, seed=1)
    assert H.format == "csr" and H.dtype == np.float64 and H.shape == (924, 924)
    assert abs(H - H.T).max() == 0.0
    assert np.all(np.diff(basis) > 0) and np.all(np.bitwise_count(basis) == 6)


def test_V_antisymmetric_and_hermitian():
    V = agkl.draw_dot(7, coupling=0.5, seed=2).V
    assert np.array_equal(V, -V.transpose(1, 0, 2, 3))
    assert np.array_equal(V, -V.transpose(0, 1, 3, 2))
    assert np.array_equal(V, V.transpose(3, 2, 1, 0))          # V_abcd = V_dcba* (real)


def test_non_interacting_spectrum_is_sums_of_levels():
    n, m = 10, 4
    dot = agkl.draw_dot(n, coupling=0.0, seed=3)
    sums = np.sort([sum(c) for c in itertools.combinations(dot.levels, m)])
    E = agkl.spectrum(n, m, coupling=0.0, seed=3).energies
    assert np.abs(E - sums).max() < 1e-12


def test_levels_and_pair_matrix_normalization():
    levels = np.concatenate([agkl.draw_dot(12, coupling=0.0, seed=s).levels for s in range(200)])
    assert abs(levels.mean()) < 0.1 and np.all(np.abs(levels) <= 6.0)
    spacing = np.diff(np.sort(agkl.draw_dot(20, coupling=0.0, seed=0).levels))
    assert 0.8 < spacing.mean() < 1.05
    dot = agkl.draw_dot(12, coupling=0.25, seed=4)
    W = dot.W
    off = W[~np.eye(len(W), dtype=bool)]
    assert np.array_equal(W, W.T)
    assert abs(np.sqrt(np.mean(off**2)) / 0.25 - 1) < 0.05
    assert abs(np.sqrt(np.mean(np.diag(W) ** 2)) / (0.25 * math.sqrt(2)) - 1) < 0.25
    # the seed fixes the realization, the coupling only scales W
    other = agkl.draw_dot(12, coupling=0.5, seed=4)
    assert np.array_equal(other.levels, dot.levels) and np.allclose(other.W, 2 * W)


def test_gap_ratio_limits():
    poisson = agkl.mean_gap_ratio(n_levels=12, n_particles=6, coupling=0.0, n_samples=12, seed=0)
    assert abs(poisson.mean - agkl.R_POISSON) < 3 * poisson.stderr + 0.005
    goe = agkl.mean_gap_ratio(n_levels=12, n_particles=6, coupling=1.0, n_samples=12, seed=0)
    assert abs(goe.mean - agkl.R_GOE) < 3 * goe.stderr + 0.005
    assert goe.mean - poisson.mean > 5 * (goe.stderr + poisson.stderr)


def test_gap_ratios_definition():
    r = agkl.gap_ratios([0.0, 1.0, 3.0, 3.5, 3.5, 3.5])
    assert np.allclose(r, [0.5, 0.25, 0.0, 1.0])
    assert math.isclose(agkl.R_POISSON, 2 * math.log(2) - 1)


def test_shift_invert_equals_dense():
    dense = agkl.spectrum(12, 6, coupling=0.3, seed=5, eigenvectors=True)
    si = agkl.spectrum(12, 6, coupling=0.3, seed=5, eigenvectors=True, method="shift-invert", n_eigs=40)
    assert si.method == "shift-invert" and dense.method == "dense"
    i = np.searchsorted(dense.energies, si.energies[0] - 1e-9)
    assert np.abs(dense.energies[i:i + 40] - si.energies).max() < 1e-10
    overlap = np.abs(np.einsum("ij,ij->j", dense.vectors[:, i:i + 40], si.vectors))
    assert np.all(overlap > 1 - 1e-8)
    # the 40 found are the 40 closest to the target
    closest = np.sort(np.argsort(np.abs(dense.energies - si.target))[:40])
    assert np.array_equal(np.arange(i, i + 40), closest)


def test_ipr_and_hamming_profile():
    free = agkl.spectrum(10, 5, coupling=0.0, seed=6, eigenvectors=True)
    assert np.allclose(agkl.ipr(free.vectors), 1.0)
    chaotic = agkl.spectrum(10, 5, coupling=1.0, seed=6, eigenvectors=True)
    mid = chaotic.vectors[:, 100:150]
    assert 1.5 / 252 < np.mean(agkl.ipr(mid)) < 6 / 252                  # GOE: 3/D
    prof = agkl.hamming_profile(mid, chaotic.basis)
    assert np.array_equal(prof.k, [0, 2, 4, 6, 8, 10])
    assert np.allclose(prof.weight.sum(axis=1), 1.0)
    assert np.allclose(prof.shell_size, [1, 25, 100, 100, 25, 1]) and prof.shell_size.sum() == 252
    assert np.allclose(prof.ipr, agkl.ipr(mid))
    # away from the dominant configuration (k = 0, the largest weight by construction) the ergodic
    # state's weight follows the shell sizes
    assert np.abs(prof.weight.mean(axis=0)[1:] - prof.shell_size[1:] / 252).max() < 0.03
    p0 = agkl.hamming_profile(free.vectors[:, :5], free.basis)
    assert np.allclose(p0.weight[:, 0], 1.0) and np.array_equal(p0.dominant, free.basis[np.argmax(np.abs(free.vectors[:, :5]), axis=0)])


def test_fit_Xi_recovers_an_exponential():
    k = np.arange(0, 14, 2)
    assert math.isclose(agkl.fit_Xi(k, -2 * (k / 4) / 1.7 + 0.3), 1.7, rel_tol=1e-12)
    assert agkl.fit_Xi(k, np.zeros(7)) == math.inf
    assert np.allclose(agkl.fit_Xi(k, np.array([-2 * (k / 4) / x for x in (0.5, 3.0)])), [0.5, 3.0])


def test_fock_statistics_trends():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ValidityWarning)   # 12 levels: too small for the tree (tested below)
        weak = agkl.fock_statistics(n_levels=12, n_particles=6, coupling=0.02, n_samples=4, seed=0,
                                    window=(0.0, 0.1))
        strong = agkl.fock_statistics(n_levels=12, n_particles=6, coupling=0.5, n_samples=4, seed=0)
    assert weak.ipr > strong.ipr and weak.Xi < strong.Xi
    assert np.isclose(weak.weight.sum(), 1.0) and np.isclose(strong.weight.sum(), 1.0)
    assert strong.n_coupled == 15 * 15 + 36 and 0 < strong.K < strong.n_coupled
    assert weak.excitation_energy < strong.excitation_energy
    assert weak.Xi_stderr >= 0 and strong.K_stderr >= 0


def test_fock_statistics_warns_for_a_small_dot():
    with pytest.warns(ValidityWarning, match="too small for the Cayley-tree"):
        agkl.fock_statistics(n_levels=8, n_particles=4, coupling=0.3, n_samples=1, seed=0)


def test_coupled_count():
    H, basis = agkl.hamiltonian(10, 4, coupling=0.3, seed=7)
    allc = agkl.coupled_count(H, basis, basis[:10], energy_window=math.inf)
    assert np.all(allc == math.comb(4, 2) * math.comb(6, 2) + 4 * 6)
    few = agkl.coupled_count(H, basis, basis[:10], energy_window=1.0)
    assert np.all(few < allc)


def test_K_of_coupling_and_meanfield_parameters():
    assert math.isclose(agkl.K_of_coupling(0.1), 1000 / 6)
    with pytest.warns(ValidityWarning, match="too small"):
        p = agkl.meanfield_parameters(1.2, 5.0, n_levels=12, n_particles=6, gamma=0.1, s=0.5, d=1)
    assert p.N == 12 and p.eps == eps_from_Xi(1.2, 5.0)
    with pytest.raises(ValueError, match="K must"):
        agkl.meanfield_parameters(1.2, 0.5, n_levels=12, n_particles=6)


@pytest.mark.parametrize("call,name", [
    (lambda: agkl.hamiltonian(1, 1, coupling=0.1, seed=0), "n_levels"),
    (lambda: agkl.hamiltonian(21, 2, coupling=0.1, seed=0), "n_levels"),
    (lambda: agkl.hamiltonian(8, 0, coupling=0.1, seed=0), "n_particles"),
    (lambda: agkl.hamiltonian(8, 8, coupling=0.1, seed=0), "n_particles"),
    (lambda: agkl.hamiltonian(8, 4, coupling=-0.1, seed=0), "coupling"),
    (lambda: agkl.hamiltonian(8, 4, coupling=math.nan, seed=0), "coupling"),
    (lambda: agkl.hamiltonian(8, 4, coupling=0.1, seed=-1), "seed"),
    (lambda: agkl.hamiltonian(8, 4, coupling=0.1, seed=1.5), "seed"),
    (lambda: agkl.hamiltonian(18, 9, coupling=0.1, seed=0), "n_levels"),
    (lambda: agkl.spectrum(16, 8, coupling=0.1, seed=0, method="dense"), "dense"),
    (lambda: agkl.spectrum(8, 4, coupling=0.1, seed=0, n_eigs=71), "n_eigs"),
    (lambda: agkl.mean_gap_ratio(n_levels=8, n_particles=4, coupling=0.1, n_samples=0, seed=0), "n_samples"),
    (lambda: agkl.mean_gap_ratio(n_levels=8, n_particles=4, coupling=0.1, n_samples=2, seed=0, window=0), "window"),
    (lambda: agkl.mean_gap_ratio(n_levels=8, n_particles=4, coupling=0.1, n_samples=2, seed=0, window=(0.5, 0.2)),
     "window"),
    (lambda: agkl.mean_gap_ratio(n_levels=14, n_particles=7, coupling=0.1, n_samples=100, seed=0), "n_samples"),
    (lambda: agkl.mean_gap_ratio(n_levels=16, n_particles=8, coupling=0.1, n_samples=1, seed=0), "n_levels"),
    (lambda: agkl.mean_gap_ratio(n_levels=2, n_particles=1, coupling=0.1, n_samples=1, seed=0), "n_levels"),
    (lambda: agkl.gap_ratios([1.0, 2.0]), "energies"),
    (lambda: agkl.fit_Xi([0, 2], [0.0]), "ln_typical"),
])
def test_invalid_inputs_raise_valueerror_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
