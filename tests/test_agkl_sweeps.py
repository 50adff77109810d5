"""agkl.sweeps: r~, IPR, Xi_ED and K_ED over a grid of couplings and energy bins (issue 14 chapter).

The sweeps diagonalize each realization once; per bin and coupling they must give the numbers of the
single-window helpers (mean_gap_ratio, fock_statistics) with the same seeds and window.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nblm_helpers import agkl
from nblm_helpers.parameters import ValidityWarning

COUPLINGS = [0.0, 0.05, 0.4]


@pytest.fixture(scope="module")
def gsweep():
    return agkl.gap_ratio_sweep(n_levels=9, n_particles=4, couplings=COUPLINGS, n_samples=3, seed=5, n_bins=4)


@pytest.fixture(scope="module")
def fsweep():
    return agkl.fock_sweep(n_levels=9, n_particles=4, couplings=COUPLINGS, n_samples=3, seed=5, n_bins=4,
                           energy_window=2.0)


def test_gap_ratio_sweep_equals_mean_gap_ratio_per_bin_and_central(gsweep):
    assert gsweep.r.shape == (3, 4) and gsweep.r_central.shape == (3,)
    for i, c in enumerate(COUPLINGS):
        ref = agkl.mean_gap_ratio(n_levels=9, n_particles=4, coupling=c, n_samples=3, seed=5)
        assert gsweep.r_central[i] == pytest.approx(ref.mean, rel=1e-12)
        assert gsweep.r_central_stderr[i] == pytest.approx(ref.stderr, rel=1e-9)
        for b in range(4):
            ref = agkl.mean_gap_ratio(n_levels=9, n_particles=4, coupling=c, n_samples=3, seed=5,
                                      window=(b / 4, (b + 1) / 4))
            assert gsweep.r[i, b] == pytest.approx(ref.mean, rel=1e-12)
            assert gsweep.r_stderr[i, b] == pytest.approx(ref.stderr, rel=1e-9)


def test_gap_ratio_sweep_histogram_and_energies(gsweep):
    width = np.diff(gsweep.histogram_edges)
    assert np.allclose((gsweep.histogram * width).sum(axis=1), 1.0)
    assert np.all(np.diff(gsweep.excitation_energy, axis=1) > 0)     # bins by rank: energies increase
    assert np.all(gsweep.excitation_energy[:, 0] > 0)


def test_gap_ratio_sweep_one_sample_stderr_is_that_of_mean_gap_ratio():
    s = agkl.gap_ratio_sweep(n_levels=8, n_particles=4, couplings=0.3, n_samples=1, seed=2)
    ref = agkl.mean_gap_ratio(n_levels=8, n_particles=4, coupling=0.3, n_samples=1, seed=2)
    assert s.r_central[0] == pytest.approx(ref.mean, rel=1e-12)
    assert s.r_central_stderr[0] == pytest.approx(ref.stderr, rel=1e-9)


def test_gap_ratio_limits_poisson_and_goe():
    """Small coupling: near Poisson; strong coupling: near GOE (within 4 standard errors + finite size)."""
    s = agkl.gap_ratio_sweep(n_levels=10, n_particles=5, couplings=[1e-3, 1.0], n_samples=12, seed=0)
    assert abs(s.r_central[0] - agkl.R_POISSON) < 4 * s.r_central_stderr[0] + 0.03
    assert abs(s.r_central[1] - agkl.R_GOE) < 4 * s.r_central_stderr[1] + 0.02


def test_fock_sweep_equals_fock_statistics_per_bin(fsweep):
    assert fsweep.Xi.shape == (3, 4) and fsweep.weight.shape == (3, 4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ValidityWarning)   # a 9-level dot is too small for the tree
        for i, c in enumerate(COUPLINGS):
            for b in range(4):
                ref = agkl.fock_statistics(n_levels=9, n_particles=4, coupling=c, n_samples=3, seed=5,
                                           window=(b / 4, (b + 1) / 4), energy_window=2.0)
                for name in ("ipr", "K", "excitation_energy"):
                    assert getattr(fsweep, name)[i, b] == pytest.approx(getattr(ref, name), rel=1e-10), name
                    assert getattr(fsweep, name + "_stderr")[i, b] == pytest.approx(
                        getattr(ref, name + "_stderr"), rel=1e-7, abs=1e-14), name
                assert np.allclose(fsweep.weight[i, b], ref.weight, rtol=1e-10, atol=1e-15)
                if math.isinf(ref.Xi):
                    assert math.isinf(fsweep.Xi[i, b]) and fsweep.Xi_stderr[i, b] == 0
                else:
                    assert fsweep.Xi[i, b] == pytest.approx(ref.Xi, rel=1e-9)
                    assert fsweep.Xi_stderr[i, b] == pytest.approx(ref.Xi_stderr, rel=1e-6, abs=1e-14)


def test_fock_sweep_physics(fsweep):
    assert np.allclose(fsweep.weight.sum(axis=2), 1.0)
    assert np.all(fsweep.ipr[0] == pytest.approx(1.0))          # lambda = 0: one configuration each
    assert np.all(fsweep.ipr[2] < fsweep.ipr[1])                # stronger coupling spreads the states
    assert np.all(fsweep.K <= fsweep.n_coupled)
    assert fsweep.n_coupled == math.comb(4, 2) * math.comb(5, 2) + 4 * 5


@pytest.mark.parametrize("kw, name", [
    (dict(couplings=[]), "couplings"),
    (dict(couplings=[0.1, -1.0]), "couplings"),
    (dict(couplings=[0.1, np.nan]), "couplings"),
    (dict(couplings=np.zeros((2, 2))), "couplings"),
    (dict(couplings=np.full(65, 0.1)), "couplings"),
    (dict(couplings="0.1"), "couplings"),
    (dict(n_bins=0), "n_bins"),
    (dict(n_bins=21), "n_bins"),
    (dict(n_bins=13), "n_bins"),            # 9 levels, 2 particles: 36 states, at most 12 bins of 3
    (dict(n_samples=0), "n_samples"),
    (dict(seed=-1), "seed"),
    (dict(n_particles=9), "n_particles"),
])
def test_validation(kw, name):
    base = dict(n_levels=9, n_particles=2, couplings=[0.1], n_samples=1, seed=0)
    for f in (agkl.gap_ratio_sweep, agkl.fock_sweep):
        with pytest.raises(ValueError, match=name):
            f(**{**base, **kw})
    with pytest.raises(ValueError, match="histogram_bins"):
        agkl.gap_ratio_sweep(**base, histogram_bins=0)
    with pytest.raises(ValueError, match="energy_window"):
        agkl.fock_sweep(**base, energy_window=0.0)


def test_work_limit_counts_samples_times_couplings():
    with pytest.raises(ValueError, match="n_samples"):
        agkl.gap_ratio_sweep(n_levels=12, n_particles=6, couplings=np.full(10, 0.1), n_samples=100, seed=0)


def test_crossing_coupling_interpolates_in_ln_coupling():
    c = np.array([0.01, 0.02, 0.04, 0.08])
    v = np.array([0.39, 0.40, 0.50, 0.53])
    # between 0.02 and 0.04, 0.45 is halfway: sqrt(0.02 * 0.04)
    assert agkl.crossing_coupling(c, v, level=0.45) == pytest.approx(math.sqrt(0.02 * 0.04), rel=1e-14)
    assert agkl.crossing_coupling(c, v, level=0.50) == pytest.approx(0.04, rel=1e-14)
    assert agkl.crossing_coupling(c, v, level=0.6) == math.inf
    two = agkl.crossing_coupling(c, np.stack([v, v[::-1] * 0 + v], axis=1), level=0.45)
    assert two.shape == (2,) and np.all(two == pytest.approx(math.sqrt(0.02 * 0.04)))
    # first upward crossing only
    assert agkl.crossing_coupling(c, [0.3, 0.5, 0.3, 0.5], level=0.4) == pytest.approx(math.sqrt(0.01 * 0.02))


def test_crossing_coupling_of_a_sweep():
    mid = (agkl.R_POISSON + agkl.R_GOE) / 2
    s = agkl.gap_ratio_sweep(n_levels=8, n_particles=4, couplings=[0.002, 0.5], n_samples=8, seed=1)
    lam = agkl.crossing_coupling(s.couplings, s.r_central, level=mid)
    assert 0.002 < lam < 0.5


def test_crossing_coupling_below_the_grid_warns():
    with pytest.warns(ValidityWarning, match="smallest coupling"):
        out = agkl.crossing_coupling([0.1, 0.2], [[0.5, 0.3], [0.6, 0.6]], level=0.4)
    assert out[0] == 0.1 and 0.1 < out[1] < 0.2


@pytest.mark.parametrize("kw, name", [
    (dict(couplings=[0.1]), "couplings"),
    (dict(couplings=[0.2, 0.1]), "couplings"),
    (dict(couplings=[0.0, 0.1]), "couplings"),
    (dict(values=[0.1, 0.2, 0.3]), "values"),
    (dict(values=[0.1, np.nan]), "values"),
    (dict(level=np.nan), "level"),
    (dict(level="x"), "level"),
])
def test_crossing_coupling_validation(kw, name):
    base = dict(couplings=[0.1, 0.2], values=[0.3, 0.5], level=0.4)
    with pytest.raises(ValueError, match=name):
        agkl.crossing_coupling(**{**base, **kw})
