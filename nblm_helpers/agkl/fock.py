"""Fock-space structure of the AGKL eigenstates: IPR, Hamming-distance profile, Xi_ED and K_ED.

Distance and generation
-----------------------
The Fock space is the hypercube of occupations; the Hamming distance ``k`` between two fixed-N
configurations is even.  One two-body move :math:`c^\\dagger_\\alpha c^\\dagger_\\beta c_\\gamma
c_\\delta` changes four occupations (``k = 4``), or two when an index is shared (``k = 2``; the
"one-body" part of the interaction, :math:`\\sum_\\beta n_\\beta c^\\dagger_\\alpha c_\\delta`).
The four-index moves dominate (:math:`\\binom{m}{2}\\binom{N-m}{2}` of them against
:math:`m(N-m)`), so a Cayley-tree *generation* -- the paper's :math:`n` in
:math:`e^{-n/\\Xi}` (Sec. IV B, Eq. 16) -- is taken to be ``n = k/4``.  (Counting the fewest
moves, ``ceil(k/4)``, differs by at most half a generation.)

Xi_ED
-----
For each eigenstate, its dominant configuration :math:`c_0` (largest :math:`|\\psi|^2`) is the
root; the *typical* weight on shell ``k`` is :math:`\\exp\\langle\\ln|\\psi(c)|^2\\rangle` over the
configurations at distance ``k`` (|psi|^2 floored at 1e-30, the level of round-off).  On the
Cayley tree :math:`|\\psi|^2 \\sim e^{-2n/\\Xi}`, so a straight line through
:math:`\\langle\\ln|\\psi|^2\\rangle` against ``n = k/4`` (least squares over k = 0, 2, ..., k_max)
has slope :math:`-2/\\Xi_{ED}`.  On a dot of a dozen levels the hypercube has a diameter of 2-4
generations, so Xi_ED is a rough estimate: an ergodic state still gives a finite Xi_ED (the root
is the largest amplitude by construction), of the order of the diameter (2.4 at n_levels = 12, coupling 1,
mid-spectrum); a non-interacting one
gives Xi_ED ~ 0.1 (set by the floor: 0.135 at n_levels = 12, half filling).

K_ED
----
The configurations *directly coupled* to :math:`c_0` (a non-zero matrix element of H) whose
diagonal energy :math:`H_{cc}` lies within ``energy_window/2`` of :math:`H_{c_0c_0}`: the
number of Cayley-tree branches within that energy shell.  Its density, ``K_ED/energy_window``, is
the inverse of the accessible spacing :math:`\\delta_m \\simeq \\Delta^3/\\varepsilon^2` (Sec. IV B).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la

from ..parameters import ValidityWarning, _show, check_real, check_scalar
from ._checks import as_real_array, check_filling, check_samples, check_seed, check_window, check_work, window_slice
from .model import draw_dot

__all__ = ["HammingProfile", "FockStatistics", "ipr", "hamming_profile", "fit_Xi", "coupled_count",
           "fock_statistics", "K_of_coupling"]

#: |psi|^2 below this is round-off (eigenvectors are accurate to ~1e-15 in amplitude).
WEIGHT_FLOOR = 1e-30


def _as_vectors(vectors):
    V = as_real_array("vectors", vectors)
    if V.ndim == 1:
        V = V[:, None]
    if V.ndim != 2 or V.size == 0 or V.size > 2**26 or not np.all(np.isfinite(V)):
        raise ValueError(f"vectors must be a finite 1-d or 2-d (columns) real array of at most 2**26 entries; "
                         f"got {_show(vectors)}")
    scale = np.abs(V).max(axis=0)
    if np.any(scale == 0):
        raise ValueError("vectors must have non-zero columns (eigenvectors)")
    return V / scale          # each column's largest entry is 1: no overflow or underflow in |psi|^2


def ipr(vectors):
    """Inverse participation ratio :math:`\\sum_c |\\psi(c)|^4` of each (normalized) column.

    1 for a single configuration (the non-interacting dot), ~3/D for a random real vector of
    dimension D (GOE).  Columns are normalized first; a zero column raises.

    Raises
    ------
    ValueError
        If ``vectors`` is not a finite real 1-d or 2-d array, or has a zero column.
    """
    V = _as_vectors(vectors)
    p = V * V
    norm = p.sum(axis=0)
    out = (p * p).sum(axis=0) / norm**2
    return float(out[0]) if np.ndim(vectors) == 1 else out


@dataclass(frozen=True)
class HammingProfile:
    """Result of :func:`hamming_profile` for ``S`` eigenstates over shells k = 0, 2, ..., k_max.

    Attributes
    ----------
    k : numpy.ndarray
        Hamming distances 0, 2, ..., k_max = 2 min(m, N - m).
    shell_size : numpy.ndarray
        Number of configurations at distance k from any configuration, C(m, k/2) C(N-m, k/2).
    weight : numpy.ndarray
        ``(S, len(k))``: :math:`\\sum_{c:\\,d(c,c_0)=k}|\\psi(c)|^2`; each row sums to 1.
    ln_typical : numpy.ndarray
        ``(S, len(k))``: :math:`\\langle\\ln\\max(|\\psi(c)|^2, 10^{-30})\\rangle` over the shell.
    dominant : numpy.ndarray
        ``(S,)``: the dominant configuration (bit pattern) of each eigenstate.
    ipr : numpy.ndarray
        ``(S,)``: :math:`\\sum_c|\\psi(c)|^4`.
    """

    k: np.ndarray
    shell_size: np.ndarray
    weight: np.ndarray
    ln_typical: np.ndarray
    dominant: np.ndarray
    ipr: np.ndarray


def _check_basis(basis, dim):
    try:
        b = np.asarray(basis)
    except Exception:
        raise ValueError(f"basis must be the Fock basis (sorted int bit patterns); got {_show(basis)}") from None
    if b.ndim != 1 or b.dtype.kind not in "iu" or b.size != dim or b.size < 2 or np.any(b < 0) \
            or np.any(b >= 2**20) or np.any(np.diff(b) <= 0):
        raise ValueError(f"basis must be the sorted Fock basis matching the vectors ({dim} states); got {_show(basis)}")
    b = b.astype(np.int64)
    m = int(np.bitwise_count(b[0]))
    n = int(b.max()).bit_length()
    if np.any(np.bitwise_count(b) != m) or m >= n or b.size != math.comb(n, m):
        raise ValueError(f"basis must be a whole fixed-particle-number Fock basis (agkl.fock_basis); got "
                         f"{b.size} states of {m} particles on {n} levels")
    return b, n, m


def _profile(V, b, n, m):
    p = V * V
    p /= p.sum(axis=0)
    dom_idx = np.argmax(p, axis=0)
    dominant = b[dom_idx]
    nk = min(m, n - m) + 1
    dist = np.bitwise_count(b[:, None] ^ dominant[None, :]).astype(np.int64) // 2   # (D, S): k/2
    S = V.shape[1]
    shell = np.array([math.comb(m, j) * math.comb(n - m, j) for j in range(nk)], dtype=float)
    cols = np.broadcast_to(np.arange(S), dist.shape)
    weight = np.zeros((nk, S))
    np.add.at(weight, (dist, cols), p)
    lnp = np.log(np.maximum(p, WEIGHT_FLOOR))
    lsum = np.zeros((nk, S))
    np.add.at(lsum, (dist, cols), lnp)
    ln_typ = lsum / shell[:, None]
    return HammingProfile(k=2 * np.arange(nk), shell_size=shell, weight=weight.T, ln_typical=ln_typ.T,
                          dominant=dominant, ipr=(p * p).sum(axis=0))


def hamming_profile(vectors, basis):
    """Weight and typical amplitude of eigenstates against the Hamming distance from their dominant configuration.

    Parameters
    ----------
    vectors : array_like
        Eigenvectors as columns (``Spectrum.vectors``), or one vector; normalized here.
    basis : array_like
        The whole fixed-N Fock basis they are written in (``Spectrum.basis``).

    Returns
    -------
    HammingProfile
        ``k``, ``shell_size``, ``weight`` (rows sum to 1), ``ln_typical``, ``dominant``, ``ipr``.

    Raises
    ------
    ValueError
        If ``vectors`` is not finite and real, or ``basis`` is not a whole sorted Fock basis of
        ``len(vectors)`` states.
    """
    V = _as_vectors(vectors)
    b, n, m = _check_basis(basis, V.shape[0])
    if V.shape[0] * V.shape[1] > 2**25:
        raise ValueError(f"vectors has {V.shape[1]} columns of {V.shape[0]}; at most 2**25 entries per call")
    return _profile(V, b, n, m)


def _fit(k, ln_typical, k_max):
    """Slope-based Xi (finite > 0, or inf for a flat profile) of one or many profiles (rows)."""
    sel = k <= k_max
    x = k[sel] / 4.0                       # generations n = k/4
    y = np.atleast_2d(ln_typical)[:, sel]
    xc = x - x.mean()
    slope = (y - y.mean(axis=1, keepdims=True)) @ xc / (xc @ xc)
    with np.errstate(divide="ignore"):
        Xi = np.where(slope < 0, -2.0 / np.minimum(slope, -1e-300), np.inf)
    return Xi


def fit_Xi(k, ln_typical, *, k_max=None):
    """Fock-space localization length :math:`\\Xi_{ED}` from a typical-amplitude profile.

    Fits :math:`\\langle\\ln|\\psi|^2\\rangle = a - 2n/\\Xi` with ``n = k/4`` (see the module
    docstring) by least squares over the shells ``k <= k_max`` (default all).

    Parameters
    ----------
    k : array_like
        Even Hamming distances (``HammingProfile.k``), at least 2 of them.
    ln_typical : array_like
        The profile (one row, or one row per eigenstate), same length as ``k``.
    k_max : int, optional
        Largest distance fitted (>= the second smallest ``k``).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\Xi_{ED} > 0` (per row); ``inf`` for a profile that does not decay (slope >= 0).

    Raises
    ------
    ValueError
        For non-finite or mismatched inputs, or fewer than 2 shells to fit.
    """
    kk = as_real_array("k", k, max_size=64)
    y = as_real_array("ln_typical", ln_typical, max_size=2**24)
    if kk.ndim != 1 or kk.size < 2 or not np.all(np.isfinite(kk)) or np.any(kk < 0) or np.any(np.diff(kk) <= 0) \
            or kk.size > 64:
        raise ValueError(f"k must be increasing distances >= 0 (2 to 64 of them); got {_show(k)}")
    if y.ndim not in (1, 2) or y.shape[-1] != kk.size or not np.all(np.isfinite(y)) or y.size > 2**24:
        raise ValueError(f"ln_typical must be finite with rows of len(k) = {kk.size} entries; got {_show(ln_typical)}")
    kmax = float(kk.max()) if k_max is None else check_scalar(check_real, "k_max", k_max, lo=0.0)
    if np.count_nonzero(kk <= kmax) < 2:
        raise ValueError(f"k_max must include at least 2 shells (>= {kk[1]:g}); got {_show(k_max)}")
    Xi = _fit(kk, y, kmax)
    return float(Xi[0]) if y.ndim == 1 else Xi


def _coupled(H, basis, idx, energy_window):
    """Number of configurations directly coupled to basis[idx] within energy_window/2 of its diagonal energy."""
    diag = H.diagonal()
    out = np.empty(idx.size, dtype=np.int64)
    for j, i in enumerate(idx):
        cols = H.indices[H.indptr[i]:H.indptr[i + 1]]
        cols = cols[cols != i]
        out[j] = np.count_nonzero(np.abs(diag[cols] - diag[i]) <= energy_window / 2.0)
    return out


def coupled_count(H, basis, configurations, *, energy_window=1.0):
    """K_ED of given configurations: directly coupled ones within ``energy_window/2`` in diagonal energy.

    Parameters
    ----------
    H, basis
        A Hamiltonian and its basis from :func:`~nblm_helpers.agkl.hamiltonian`.
    configurations : array_like of int
        Bit patterns of basis states.
    energy_window : float
        Full width (units of Delta) of the shell of diagonal energies counted, > 0; ``inf`` counts
        every directly coupled configuration (C(m,2) C(N-m,2) + m (N-m) of them).

    Returns
    -------
    numpy.ndarray
        int counts, one per configuration.

    Raises
    ------
    ValueError
        If H and basis do not match, a configuration is not in the basis, or energy_window <= 0.
    """
    import scipy.sparse as sp

    if not sp.issparse(H) or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be the sparse Hamiltonian from agkl.hamiltonian; got {_show(H)}")
    b, n, m = _check_basis(basis, H.shape[0])
    ew = energy_window
    if not (isinstance(ew, float) and ew == math.inf):
        ew = check_scalar(check_real, "energy_window", energy_window, lo=0.0)
    try:
        c = np.atleast_1d(np.asarray(configurations))
    except Exception:
        raise ValueError(f"configurations must be bit patterns of basis states; got {_show(configurations)}") from None
    if c.dtype.kind not in "iu" or c.ndim != 1 or c.size > 10**6:
        raise ValueError(f"configurations must be a 1-d array of int bit patterns; got {_show(configurations)}")
    idx = np.searchsorted(b, c)
    if np.any(idx >= b.size) or np.any(b[np.minimum(idx, b.size - 1)] != c):
        raise ValueError("configurations must be bit patterns of basis states (with the basis' particle number)")
    return _coupled(H.tocsr(), b, idx, ew)


@dataclass(frozen=True)
class FockStatistics:
    """Result of :func:`fock_statistics`: means over the window's eigenstates and over realizations.

    Each quantity ``x`` comes with ``x_stderr``, the standard error over realizations (sample
    standard deviation of the per-realization means / sqrt(n_samples); 0 for one realization).

    Attributes
    ----------
    k, shell_size
        Hamming distances 0, 2, ..., and the number of configurations at each.
    ipr
        Mean inverse participation ratio in Fock space.
    weight
        Mean weight on each shell (sums to 1).
    ln_typical
        Mean typical log-weight per shell, :math:`\\langle\\ln|\\psi|^2\\rangle`.
    Xi
        Fock-space localization length :math:`\\Xi_{ED}` (:func:`fit_Xi` of each realization's mean
        profile; generations n = k/4).
    K
        Mean :math:`K_{ED}`: configurations directly coupled to an eigenstate's dominant one within
        ``energy_window``.
    n_coupled
        All directly coupled configurations, C(m,2) C(N-m,2) + m(N-m).
    excitation_energy
        Mean energy of the window's eigenstates above the ground state (units of Delta).
    """

    n_levels: int
    n_particles: int
    coupling: float
    n_samples: int
    window: tuple
    energy_window: float
    k: np.ndarray
    shell_size: np.ndarray
    ipr: float
    ipr_stderr: float
    weight: np.ndarray
    weight_stderr: np.ndarray
    ln_typical: np.ndarray
    ln_typical_stderr: np.ndarray
    Xi: float
    Xi_stderr: float
    K: float
    K_stderr: float
    n_coupled: int
    excitation_energy: float
    excitation_energy_stderr: float


def _mean_err(rows, axis=0):
    """Mean over realizations (along ``axis``) and its standard error (0 for one realization)."""
    a = np.asarray(rows, dtype=float)
    mean = a.mean(axis=axis)
    err = a.std(axis=axis, ddof=1) / math.sqrt(a.shape[axis]) if a.shape[axis] > 1 else np.zeros_like(mean)
    if np.ndim(mean) == 0:
        return float(mean), float(err)
    return mean, err


def fock_statistics(*, n_levels, n_particles, coupling, n_samples, seed, window=0.5, energy_window=1.0):
    """IPR, Hamming profile, Xi_ED and K_ED of the eigenstates in a window, with error bars over disorder.

    Parameters
    ----------
    n_levels, n_particles, coupling, n_samples, seed, window
        As for :func:`~nblm_helpers.agkl.mean_gap_ratio` (realization i has seed ``seed + i``;
        ``window`` a central fraction or ``(lo, hi)`` by rank).  At most 3500 states (dense).
    energy_window : float
        Full width (units of Delta) of the shell of diagonal energies within which K_ED counts
        directly coupled configurations, > 0 (default 1).

    Returns
    -------
    FockStatistics

    Raises
    ------
    ValueError
        For a parameter out of range or a request beyond the work limit (as :func:`mean_gap_ratio`).

    Warns
    -----
    ValidityWarning
        When the Fock-space hypercube has fewer than 4 generations (min(m, N - m)/2 < 4 moves of
        four occupations across), as for every dot of at most 15 levels: the exponential decay that
        defines Xi is then fitted on very few shells and the dot is too small for the Cayley-tree
        picture of Sec. IV B.
    """
    n, m = check_filling(n_levels, n_particles)
    ns = check_samples(n_samples)
    s0 = check_seed(seed)
    check_seed(s0 + ns - 1, "seed + n_samples - 1")
    lo, hi = check_window(window)
    ew = check_scalar(check_real, "energy_window", energy_window, lo=0.0)
    dim = check_work(n, m, ns, what="fock_statistics")
    draw_dot(n, coupling=coupling, seed=s0)
    gens = min(m, n - m) / 2.0  # four-index moves across the hypercube (k_max / 4)
    if gens < 4:
        warnings.warn(f"the Fock space of n_levels = {n}, n_particles = {m} is only {gens:g} generations across "
                      "(min(m, N - m)/2 two-body moves): too small for the Cayley-tree picture; Xi_ED is a rough "
                      "estimate", ValidityWarning, stacklevel=2)
    rows = dict(ipr=[], weight=[], ln_typical=[], Xi=[], K=[], exc=[])
    prof = None
    for i in range(ns):
        dot = draw_dot(n, coupling=coupling, seed=s0 + i)
        H, basis = dot.hamiltonian(m)
        E, V = la.eigh(H.toarray(), check_finite=False)
        i0, i1 = window_slice(dim, lo, hi)
        prof = _profile(V[:, i0:i1], basis, n, m)
        lt = prof.ln_typical.mean(axis=0)
        rows["ipr"].append(prof.ipr.mean())
        rows["weight"].append(prof.weight.mean(axis=0))
        rows["ln_typical"].append(lt)
        rows["Xi"].append(float(_fit(prof.k.astype(float), lt, float(prof.k.max()))[0]))
        idx = np.searchsorted(basis, prof.dominant)
        rows["K"].append(_coupled(H, basis, idx, ew).mean())
        rows["exc"].append(float((E[i0:i1] - E[0]).mean()))
    ipr_m, ipr_e = _mean_err(rows["ipr"])
    w_m, w_e = _mean_err(rows["weight"])
    l_m, l_e = _mean_err(rows["ln_typical"])
    with np.errstate(invalid="ignore"):
        Xi_m, Xi_e = _mean_err(rows["Xi"]) if np.all(np.isfinite(rows["Xi"])) else (math.inf, 0.0)
    K_m, K_e = _mean_err(rows["K"])
    x_m, x_e = _mean_err(rows["exc"])
    n_coupled = math.comb(m, 2) * math.comb(n - m, 2) + m * (n - m)
    return FockStatistics(n_levels=n, n_particles=m, coupling=float(coupling), n_samples=ns, window=(lo, hi),
                          energy_window=ew, k=prof.k, shell_size=prof.shell_size, ipr=ipr_m, ipr_stderr=ipr_e,
                          weight=w_m, weight_stderr=w_e, ln_typical=l_m, ln_typical_stderr=l_e, Xi=Xi_m,
                          Xi_stderr=Xi_e, K=K_m, K_stderr=K_e, n_coupled=n_coupled, excitation_energy=x_m,
                          excitation_energy_stderr=x_e)


def K_of_coupling(coupling):
    """The paper's branching :math:`K = g^3/6` with :math:`g = \\Delta/\\lambda` = 1/coupling (Sec. IV B).

    The AGKL identification :math:`\\lambda \\sim \\Delta/g` (see :data:`~nblm_helpers.agkl.NORMALIZATION`);
    an order-of-magnitude map, to compare with :attr:`FockStatistics.K`.

    Raises
    ------
    ValueError
        For coupling <= 0, non-finite, or so small that K overflows (coupling < ~1e-103).
    """
    c = check_real("coupling", coupling, lo=0.0)
    with np.errstate(over="ignore", divide="ignore", under="ignore"):
        K = 1.0 / (6.0 * np.asarray(c, dtype=float) ** 3)
    if not np.all(np.isfinite(K)):
        raise ValueError(f"coupling must be >= 1e-102 (K = 1/(6 coupling^3) overflows below); got {_show(coupling)}")
    return float(K) if np.ndim(K) == 0 else K
