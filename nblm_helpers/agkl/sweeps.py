"""Statistics of the AGKL dot over a grid of couplings and in energy bins, one diagonalization each.

:func:`~nblm_helpers.agkl.mean_gap_ratio` and :func:`~nblm_helpers.agkl.fock_statistics` give one
number per call (one coupling, one window of the spectrum) and diagonalize every realization anew.
A chapter that draws r~, Xi_ED and K_ED against the coupling *and* the excitation energy needs
them on a grid; the functions here diagonalize each realization once and bin its eigenstates by
rank into ``n_bins`` equal slices of the spectrum (bin ``b`` is the window
``(b/n_bins, (b+1)/n_bins)``).  Per bin and coupling the results are *the same numbers* as the
single-window functions with that window and the same seeds (tests check it bit for bit up to
summation order), with the same error bars: the standard error over realizations.

* :func:`gap_ratio_sweep` -- eigenvalues only: r~ per bin and in the central half, and the
  histogram of the central-half ratios;
* :func:`fock_sweep` -- eigenvectors: Fock-space IPR, Hamming-distance weight profile, Xi_ED and
  K_ED per bin;
* :func:`crossing_coupling` -- where a statistic on the grid of couplings first rises through a
  level (e.g. r~ through the midpoint of Poisson and GOE), interpolated in ln(coupling).

Work limits: as the single-window functions, with ``n_samples`` x ``len(couplings)`` spectra
counted against the budget of about a minute (e.g. 600 spectra of n_levels = 12 at half filling);
at most 64 couplings and 20 bins.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la

from ..parameters import ValidityWarning, _show, check_positive_int, check_real, check_scalar
from ._checks import as_real_array, check_coupling, check_filling, check_samples, check_seed, check_work, window_slice
from .fock import _coupled, _fit, _mean_err, _profile
from .gap_ratio import _window_ratios
from .model import draw_dot

__all__ = ["GapRatioSweep", "FockSweep", "gap_ratio_sweep", "fock_sweep", "crossing_coupling"]

#: Largest number of couplings of one sweep, and of energy bins.
MAX_COUPLINGS, MAX_BINS = 64, 20


def _check_couplings(couplings):
    c = as_real_array("couplings", couplings, max_size=MAX_COUPLINGS)
    if c.ndim > 1 or c.size < 1 or c.size > MAX_COUPLINGS:
        raise ValueError(f"couplings must be a number or a 1-d array of 1 to {MAX_COUPLINGS} couplings "
                         f"lambda/Delta in [0, 1e6]; got {_show(couplings)}")
    c = np.atleast_1d(c)
    if np.any(c < 0) or np.any(c > 1e6):
        raise ValueError(f"couplings must be lambda/Delta values in [0, 1e6]; got {_show(couplings)}")
    return np.array([check_coupling(float(v)) for v in c])


def _common(n_levels, n_particles, couplings, n_samples, seed, n_bins, what):
    n, m = check_filling(n_levels, n_particles)
    c = _check_couplings(couplings)
    ns = check_samples(n_samples)
    s0 = check_seed(seed)
    check_seed(s0 + ns - 1, "seed + n_samples - 1")
    nb = check_positive_int("n_bins", n_bins, minimum=1, maximum=MAX_BINS)
    dim = math.comb(n, m)
    if dim < 3 * nb:
        raise ValueError(f"n_bins must leave at least 3 levels per bin: n_levels = {n}, n_particles = {m} has "
                         f"{dim} states, so n_bins <= {max(1, dim // 3)}; got {nb}")
    check_work(n, m, ns * c.size, what=f"{what} (n_samples x len(couplings) spectra)")
    return n, m, c, ns, s0, nb, dim


def _bins(dim, nb):
    return [window_slice(dim, b / nb, (b + 1) / nb) for b in range(nb)]


@dataclass(frozen=True)
class GapRatioSweep:
    """Result of :func:`gap_ratio_sweep`; arrays have one row per coupling.

    Attributes
    ----------
    couplings : numpy.ndarray
        The couplings lambda/Delta, shape ``(C,)``.
    bin_edges : numpy.ndarray
        Rank fractions 0, 1/n_bins, ..., 1 of the bins, shape ``(n_bins + 1,)``.
    r, r_stderr : numpy.ndarray
        ``(C, n_bins)``: mean r~ of the ratios whose middle level lies in the bin (as
        ``mean_gap_ratio(window=(lo, hi))``), and its standard error over realizations.
    excitation_energy, excitation_energy_stderr : numpy.ndarray
        ``(C, n_bins)``: mean energy of the bin's levels above the ground state (units of Delta).
    r_central, r_central_stderr : numpy.ndarray
        ``(C,)``: r~ over the central half of each spectrum (``mean_gap_ratio(window=0.5)``).
    histogram : numpy.ndarray
        ``(C, len(histogram_edges) - 1)``: probability density of the central-half ratios pooled
        over realizations.
    histogram_edges : numpy.ndarray
        Edges of the histogram bins on [0, 1].
    """

    n_levels: int
    n_particles: int
    n_samples: int
    couplings: np.ndarray
    bin_edges: np.ndarray
    r: np.ndarray
    r_stderr: np.ndarray
    excitation_energy: np.ndarray
    excitation_energy_stderr: np.ndarray
    r_central: np.ndarray
    r_central_stderr: np.ndarray
    histogram: np.ndarray
    histogram_edges: np.ndarray


def gap_ratio_sweep(*, n_levels, n_particles, couplings, n_samples, seed, n_bins=5, histogram_bins=20):
    """The gap ratio r~ of the AGKL dot over a grid of couplings, per energy bin and in the central half.

    Parameters
    ----------
    n_levels, n_particles
        The dot (as :func:`~nblm_helpers.agkl.mean_gap_ratio`); at most 3500 states (dense spectra).
    couplings : float or array_like
        1 to 64 couplings lambda/Delta in [0, 1e6].  Each uses the same realizations (seeds
        ``seed, ..., seed + n_samples - 1``), scaled: a scan follows the same dots.
    n_samples : int
        Realizations per coupling, >= 1.
    seed : int
        Seed of the first realization (integer >= 0).
    n_bins : int
        Number of equal rank slices of each spectrum, 1 to 20, leaving at least 3 levels each.
    histogram_bins : int
        Number of bins of the r~ histogram on [0, 1], 1 to 200.

    Returns
    -------
    GapRatioSweep

    Raises
    ------
    ValueError
        For a parameter out of range, or more than about a minute of work
        (``n_samples * len(couplings)`` spectra; e.g. 600 at n_levels = 12, half filling).
    """
    n, m, c, ns, s0, nb, dim = _common(n_levels, n_particles, couplings, n_samples, seed, n_bins, "gap_ratio_sweep")
    hb = check_positive_int("histogram_bins", histogram_bins, minimum=1, maximum=200)
    bins = _bins(dim, nb)
    edges = np.linspace(0.0, 1.0, hb + 1)
    r = np.empty((c.size, ns, nb))
    exc = np.empty((c.size, ns, nb))
    central = np.empty((c.size, ns))
    last = np.empty(c.size)
    hist = np.zeros((c.size, hb))
    for j in range(ns):
        for i, lam in enumerate(c):
            H, _ = draw_dot(n, coupling=lam, seed=s0 + j).hamiltonian(m)
            E = la.eigh(H.toarray(), eigvals_only=True, check_finite=False)
            for b, (i0, i1) in enumerate(bins):
                r[i, j, b] = _window_ratios(E, b / nb, (b + 1) / nb).mean()
                exc[i, j, b] = (E[i0:i1] - E[0]).mean()
            rc = _window_ratios(E, 0.25, 0.75)
            central[i, j] = rc.mean()
            hist[i] += np.histogram(rc, bins=edges)[0]
            if ns == 1:
                last[i] = rc.std() / math.sqrt(rc.size) if rc.size > 1 else 0.0
    r_m, r_e = _mean_err(r, axis=1)
    x_m, x_e = _mean_err(exc, axis=1)
    c_m, c_e = _mean_err(central, axis=1)
    if ns == 1:
        c_e = last
    total = hist.sum(axis=1, keepdims=True)
    hist = hist / np.where(total > 0, total, 1.0) / np.diff(edges)
    return GapRatioSweep(n_levels=n, n_particles=m, n_samples=ns, couplings=c,
                         bin_edges=np.linspace(0.0, 1.0, nb + 1), r=r_m, r_stderr=r_e, excitation_energy=x_m,
                         excitation_energy_stderr=x_e, r_central=c_m, r_central_stderr=c_e, histogram=hist,
                         histogram_edges=edges)


@dataclass(frozen=True)
class FockSweep:
    """Result of :func:`fock_sweep`; arrays have one row per coupling and one column per energy bin.

    Each quantity ``x`` of shape ``(C, n_bins)`` comes with ``x_stderr``, its standard error over
    realizations; ``Xi`` is ``inf`` (stderr 0) in a cell where a realization's profile does not
    decay, as :func:`~nblm_helpers.agkl.fock_statistics`.

    Attributes
    ----------
    couplings, bin_edges
        As :class:`GapRatioSweep`.
    k, shell_size
        Hamming distances 0, 2, ..., and the number of configurations at each.
    ipr, Xi, K, excitation_energy
        ``(C, n_bins)``: Fock-space IPR, Xi_ED, K_ED (within ``energy_window``) and the energy above
        the ground state, as ``fock_statistics(window=(lo, hi))`` per bin.
    weight, weight_stderr
        ``(C, n_bins, len(k))``: mean weight on each Hamming shell from the dominant configuration.
    ln_typical
        ``(C, n_bins, len(k))``: mean typical log-weight per shell.
    n_coupled
        All configurations directly coupled to one, C(m,2) C(N-m,2) + m(N-m).
    """

    n_levels: int
    n_particles: int
    n_samples: int
    energy_window: float
    couplings: np.ndarray
    bin_edges: np.ndarray
    k: np.ndarray
    shell_size: np.ndarray
    ipr: np.ndarray
    ipr_stderr: np.ndarray
    Xi: np.ndarray
    Xi_stderr: np.ndarray
    K: np.ndarray
    K_stderr: np.ndarray
    excitation_energy: np.ndarray
    excitation_energy_stderr: np.ndarray
    weight: np.ndarray
    weight_stderr: np.ndarray
    ln_typical: np.ndarray
    n_coupled: int


def fock_sweep(*, n_levels, n_particles, couplings, n_samples, seed, n_bins=5, energy_window=1.0):
    """Fock-space IPR, Hamming profile, Xi_ED and K_ED over a grid of couplings and energy bins.

    No :class:`~nblm_helpers.parameters.ValidityWarning` here: the caller compares the dot's size
    with the Cayley-tree picture (:func:`~nblm_helpers.agkl.meanfield_parameters` warns when the
    numbers are used); :func:`~nblm_helpers.agkl.fock_statistics` warns for the same dots.

    Parameters
    ----------
    n_levels, n_particles, couplings, n_samples, seed, n_bins
        As :func:`gap_ratio_sweep`.
    energy_window : float
        Full width (units of Delta) within which K_ED counts directly coupled configurations, > 0.

    Returns
    -------
    FockSweep

    Raises
    ------
    ValueError
        For a parameter out of range or more than about a minute of work (as :func:`gap_ratio_sweep`).
    """
    n, m, c, ns, s0, nb, dim = _common(n_levels, n_particles, couplings, n_samples, seed, n_bins, "fock_sweep")
    ew = check_scalar(check_real, "energy_window", energy_window, lo=0.0)
    bins = _bins(dim, nb)
    nk = min(m, n - m) + 1
    ipr = np.empty((c.size, ns, nb))
    Xi = np.empty((c.size, ns, nb))
    K = np.empty((c.size, ns, nb))
    exc = np.empty((c.size, ns, nb))
    weight = np.empty((c.size, ns, nb, nk))
    lnt = np.empty((c.size, ns, nb, nk))
    prof = None
    for j in range(ns):
        for i, lam in enumerate(c):
            H, basis = draw_dot(n, coupling=lam, seed=s0 + j).hamiltonian(m)
            E, V = la.eigh(H.toarray(), check_finite=False)
            prof = _profile(V, basis, n, m)
            kf = prof.k.astype(float)
            K_all = _coupled(H, basis, np.searchsorted(basis, prof.dominant), ew)
            for b, (i0, i1) in enumerate(bins):
                lt = prof.ln_typical[i0:i1].mean(axis=0)
                ipr[i, j, b] = prof.ipr[i0:i1].mean()
                weight[i, j, b] = prof.weight[i0:i1].mean(axis=0)
                lnt[i, j, b] = lt
                Xi[i, j, b] = float(_fit(kf, lt, float(kf.max()))[0])
                K[i, j, b] = K_all[i0:i1].mean()
                exc[i, j, b] = (E[i0:i1] - E[0]).mean()
    finite = np.all(np.isfinite(Xi), axis=1)
    with np.errstate(invalid="ignore"):
        Xi_m, Xi_e = _mean_err(np.where(np.isfinite(Xi), Xi, 0.0), axis=1)
    Xi_m = np.where(finite, Xi_m, math.inf)
    Xi_e = np.where(finite, Xi_e, 0.0)
    ipr_m, ipr_e = _mean_err(ipr, axis=1)
    K_m, K_e = _mean_err(K, axis=1)
    x_m, x_e = _mean_err(exc, axis=1)
    w_m, w_e = _mean_err(weight, axis=1)
    l_m, _ = _mean_err(lnt, axis=1)
    return FockSweep(n_levels=n, n_particles=m, n_samples=ns, energy_window=ew, couplings=c,
                     bin_edges=np.linspace(0.0, 1.0, nb + 1), k=prof.k, shell_size=prof.shell_size, ipr=ipr_m,
                     ipr_stderr=ipr_e, Xi=Xi_m, Xi_stderr=Xi_e, K=K_m, K_stderr=K_e, excitation_energy=x_m,
                     excitation_energy_stderr=x_e, weight=w_m, weight_stderr=w_e, ln_typical=l_m,
                     n_coupled=math.comb(m, 2) * math.comb(n - m, 2) + m * (n - m))


def crossing_coupling(couplings, values, *, level):
    """The coupling at which ``values`` first rises through ``level``, interpolated linearly in ln(coupling).

    For a statistic on a grid of couplings, e.g. ``GapRatioSweep.r_central`` (one column) or
    ``GapRatioSweep.r`` (one column per energy bin) with ``level`` the midpoint
    ``(R_POISSON + R_GOE)/2`` of the Poisson and GOE values of r~.

    Parameters
    ----------
    couplings : array_like
        Increasing couplings > 0, 2 to 64 of them (``GapRatioSweep.couplings``).
    values : array_like
        Finite values, shape ``(len(couplings),)`` or ``(len(couplings), B)`` (columns treated apart).
    level : float
        The level, a finite real number.

    Returns
    -------
    float or numpy.ndarray
        Per column: the first crossing from below, ``c_j exp(t ln(c_{j+1}/c_j))`` with ``t`` the linear
        interpolation of ``values`` between grid points ``j`` and ``j + 1``; ``inf`` where the values
        stay below ``level`` on the whole grid (the crossing lies beyond it).

    Warns
    -----
    ValidityWarning
        Where the first value is already at or above ``level`` (the crossing lies at or below the
        smallest coupling): that column returns ``couplings[0]``, an upper bound.

    Raises
    ------
    ValueError
        For couplings that are not increasing and positive, values of the wrong shape or not finite,
        or a non-finite level.
    """
    c = as_real_array("couplings", couplings, max_size=MAX_COUPLINGS)
    if c.ndim != 1 or c.size < 2 or np.any(c <= 0) or np.any(np.diff(c) <= 0):
        raise ValueError(f"couplings must be 2 to {MAX_COUPLINGS} increasing couplings > 0; got {_show(couplings)}")
    v = as_real_array("values", values, max_size=MAX_COUPLINGS * 10**4)
    if v.ndim not in (1, 2) or v.shape[0] != c.size:
        raise ValueError(f"values must have shape (len(couplings),) or (len(couplings), B) with len(couplings) = "
                         f"{c.size}; got {_show(values)}")
    lv = check_scalar(check_real, "level", level)
    cols = v.reshape(c.size, -1)
    out = np.full(cols.shape[1], math.inf)
    below_grid = []
    lnc = np.log(c)
    for b in range(cols.shape[1]):
        col = cols[:, b]
        if col[0] >= lv:
            out[b] = c[0]
            below_grid.append(b)
            continue
        above = np.flatnonzero(col >= lv)
        if above.size:
            j = int(above[0])
            t = (lv - col[j - 1]) / (col[j] - col[j - 1])
            out[b] = math.exp(lnc[j - 1] + t * (lnc[j] - lnc[j - 1]))
    if below_grid:
        warnings.warn(f"values start at or above level = {lv:g} (columns {below_grid}): the crossing lies at or "
                      f"below the smallest coupling {c[0]:g}, returned as an upper bound", ValidityWarning,
                      stacklevel=2)
    return float(out[0]) if v.ndim == 1 else out
