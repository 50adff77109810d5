"""Level statistics: the consecutive-gap ratio of Oganesyan and Huse, PRB 75, 155111 (2007).

:math:`\\tilde r_i = \\min(s_i, s_{i+1})/\\max(s_i, s_{i+1})` with :math:`s_i = E_{i+1} - E_i`;
its mean is :data:`R_POISSON` = 2 ln 2 - 1 for uncorrelated (localized) levels and
:data:`R_GOE` = 0.5307 for the Gaussian orthogonal ensemble (Atas, Bogomolny, Giraud and Roux,
PRL 110, 084101 (2013), the large-matrix value; their Wigner-like surmise gives 4 - 2 sqrt 3 =
0.5359).  Needs no unfolding.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import scipy.linalg as la

from ..parameters import _show
from ._checks import as_real_array, check_filling, check_samples, check_seed, check_window, check_work, window_slice
from .model import draw_dot

__all__ = ["R_POISSON", "R_GOE", "GapRatio", "gap_ratios", "mean_gap_ratio"]

#: Mean gap ratio of uncorrelated (Poisson) levels, 2 ln 2 - 1 = 0.38629...
R_POISSON = 2.0 * math.log(2.0) - 1.0
#: Mean gap ratio of the GOE for large matrices, 0.5307(1) (Atas et al. 2013).
R_GOE = 0.5307


class GapRatio(NamedTuple):
    """Result of :func:`mean_gap_ratio`: the mean of r~ and its standard error (a 2-tuple)."""

    mean: float
    stderr: float


def _as_levels(energies, name="energies", minimum=3):
    E = as_real_array(name, energies, max_size=2**24)
    if E.ndim != 1 or E.size < minimum or not np.all(np.isfinite(E)) or E.size > 2**24:
        raise ValueError(f"{name} must be a 1-d array of at least {minimum} (at most 2**24) finite real numbers; "
                         f"got {_show(energies)}")
    return E


def _ratios(E):
    s = np.diff(np.sort(E))
    a, b = s[:-1], s[1:]
    hi = np.maximum(a, b)
    lo = np.minimum(a, b)
    return np.divide(lo, hi, out=np.ones_like(hi), where=hi > 0)


def gap_ratios(energies):
    """The ratios r~_i = min(s_i, s_{i+1})/max(s_i, s_{i+1}) of consecutive gaps of sorted ``energies``.

    Parameters
    ----------
    energies : array_like
        At least 3 finite levels (sorted here).

    Returns
    -------
    numpy.ndarray
        ``len(energies) - 2`` ratios in [0, 1]; ratio ``i`` belongs to level ``i + 1`` (the middle
        one).  Two zero gaps in a row (a triple degeneracy) count as r~ = 1.

    Raises
    ------
    ValueError
        If ``energies`` is not a 1-d array of at least 3 finite numbers.
    """
    return _ratios(_as_levels(energies))


def _window_ratios(E, lo, hi):
    """The ratios whose middle level lies in the rank window (lo, hi) (at least one)."""
    r = _ratios(E)
    i0, i1 = window_slice(E.size, lo, hi)
    a, b = max(i0, 1) - 1, min(i1, E.size - 1) - 1      # middle level j <-> ratio j - 1
    if b <= a:
        a = min(max(a, 0), r.size - 1)
        b = a + 1
    return r[a:b]


def mean_gap_ratio(*, n_levels, n_particles, coupling, n_samples, seed, window=0.5):
    """Mean consecutive-gap ratio <r~> of the AGKL dot over disorder, in a window of the spectrum.

    Parameters
    ----------
    n_levels, n_particles, coupling
        The dot (see :func:`~nblm_helpers.agkl.hamiltonian`); the Fock space must have at least 3
        states and at most 3500 (dense spectra).
    n_samples : int
        Number of realizations, >= 1; realization ``i`` is ``draw_dot(..., seed=seed + i)``.
    seed : int
        Seed of the first realization (integer >= 0).
    window : float or (float, float)
        The part of each spectrum used, by rank: a fraction in (0, 1] of the levels around the middle
        (0.5: the central half), or ``(lo, hi)`` with 0 <= lo < hi <= 1 (0 = ground state, 1 = top
        level; e.g. ``(0, 0.1)`` for the lowest tenth).  Ratios whose middle level lies in the window
        are used (at least one per spectrum).

    Returns
    -------
    GapRatio
        ``(mean, stderr)``: the mean over realizations of each spectrum's mean r~, and its standard
        error (sample standard deviation / sqrt(n_samples); for ``n_samples = 1``, the standard
        deviation of the ratios / sqrt(their number), an underestimate since neighbouring ratios are
        correlated).  Compare with :data:`R_POISSON` and :data:`R_GOE`.

    Raises
    ------
    ValueError
        For a parameter out of range; a Fock space of fewer than 3 or more than 3500 states; or a
        total work beyond about a minute (``n_samples`` x dimension^3 above 600 spectra of 924 states:
        e.g. at most 600 realizations at n_levels = 12, 15 at n_levels = 14, half filling).
    """
    n, m = check_filling(n_levels, n_particles)
    ns = check_samples(n_samples)
    s0 = check_seed(seed)
    check_seed(s0 + ns - 1, "seed + n_samples - 1")
    lo, hi = check_window(window)
    dim = check_work(n, m, ns, what="mean_gap_ratio")
    if dim < 3:
        raise ValueError(f"mean_gap_ratio needs a Fock space of at least 3 states; n_levels = {n} with "
                         f"n_particles = {m} has {dim}")
    draw_dot(n, coupling=coupling, seed=s0)  # validates coupling before any work
    means, last = [], None
    for i in range(ns):
        H, _ = draw_dot(n, coupling=coupling, seed=s0 + i).hamiltonian(m)
        E = la.eigh(H.toarray(), eigvals_only=True, check_finite=False)
        last = _window_ratios(E, lo, hi)
        means.append(float(last.mean()))
    mean = float(np.mean(means))
    if ns > 1:
        stderr = float(np.std(means, ddof=1) / math.sqrt(ns))
    else:
        stderr = float(np.std(last) / math.sqrt(last.size)) if last.size > 1 else 0.0
    return GapRatio(mean, stderr)
