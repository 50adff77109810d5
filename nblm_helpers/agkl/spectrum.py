"""Many-body spectra of the AGKL dot: dense ``eigh`` for small Fock spaces, shift-invert beyond.

Up to :data:`~nblm_helpers.agkl._checks.MAX_DENSE_DIM` = 3500 states (n_levels = 14 at half
filling) the whole spectrum is computed with ``scipy.linalg.eigh``; above it (up to 13 000
states, n_levels = 16 at half filling) ``n_eigs`` eigenpairs closest to a target energy are found
by shift-invert (a dense LU of :math:`H - \\sigma` and block Lanczos; see ``_shift_invert``).
Work limits: n_levels = 12 half filled takes ~0.1 s, 14 ~2 s, 16 (100 eigenpairs) ~30 s.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la

from ..parameters import ValidityWarning, _show, check_choice, check_positive_int, check_real, check_scalar
from ._checks import MAX_DENSE_DIM, MAX_EIGS, check_filling, check_size
from ._shift_invert import shift_invert_eigh
from .model import draw_dot

__all__ = ["Spectrum", "spectrum", "spectrum_of_dot"]


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues (and optionally eigenvectors) of one realization; result of :func:`spectrum`.

    Attributes
    ----------
    energies : numpy.ndarray
        Sorted eigenvalues in units of :math:`\\Delta` (all of them, or the ``n_eigs`` closest to
        ``target``).
    vectors : numpy.ndarray or None
        Eigenvectors as columns, shape ``(len(basis), len(energies))``, if asked for.
    basis : numpy.ndarray
        The Fock basis (occupation bit patterns) the vectors are written in.
    method : str
        ``"dense"`` or ``"shift-invert"``.
    target : float
        The energy the eigenpairs were chosen around (the centre ``tr H / D`` of the many-body
        density of states unless given); for a full dense spectrum, that centre.
    """

    energies: np.ndarray
    vectors: np.ndarray | None
    basis: np.ndarray
    method: str
    target: float


def _check_n_eigs(n_eigs, dim):
    if n_eigs is None:
        return None
    hi = min(MAX_EIGS, dim)
    return check_positive_int("n_eigs", n_eigs, minimum=1, maximum=hi)


def _solve(H, basis, *, n_eigs, target, eigenvectors, method):
    dim = H.shape[0]
    center = float(H.diagonal().sum() / dim)
    sigma = center if target is None else target
    if method == "auto":
        method = "dense" if dim <= MAX_DENSE_DIM else "shift-invert"
    if method == "dense":
        if dim > MAX_DENSE_DIM:
            raise ValueError(f"method='dense' needs at most MAX_DENSE_DIM = {MAX_DENSE_DIM} states; this Fock space "
                             f"has {dim}: use method='shift-invert' (or 'auto') with n_eigs")
        if eigenvectors:
            E, V = la.eigh(H.toarray(), check_finite=False)
        else:
            E, V = la.eigh(H.toarray(), eigvals_only=True, check_finite=False), None
        if n_eigs is not None:
            idx = np.sort(np.argsort(np.abs(E - sigma), kind="stable")[:n_eigs])
            E = E[idx]
            V = None if V is None else V[:, idx]
        return Spectrum(E, V, basis, "dense", sigma)
    k = n_eigs if n_eigs is not None else min(100, dim)
    E, V, converged = shift_invert_eigh(H, sigma, k, vectors=eigenvectors)
    if not converged:
        warnings.warn(f"shift-invert at target = {sigma:.6g} did not reach the residual tolerance 1e-10 for "
                      f"all {k} eigenpairs (a nearly degenerate cluster at the edge of the window?)",
                      ValidityWarning, stacklevel=3)
    return Spectrum(E, V, basis, "shift-invert", sigma)


def spectrum(n_levels, n_particles, *, coupling, seed, eigenvectors=False, n_eigs=None, target=None,
             method="auto"):
    """Eigenvalues (and eigenvectors) of the AGKL Hamiltonian, Eq. (14), for one realization.

    Parameters
    ----------
    n_levels, n_particles, coupling, seed
        As for :func:`~nblm_helpers.agkl.hamiltonian` (2 <= n_levels <= 20,
        1 <= n_particles <= n_levels - 1, coupling = lambda/Delta >= 0, integer seed >= 0).
    eigenvectors : bool
        Also return the eigenvectors (``Spectrum.vectors``).
    n_eigs : int, optional
        Number of eigenpairs closest to ``target`` (1 <= n_eigs <= min(1000, dimension)).  Default:
        all of them with the dense method, 100 with shift-invert.
    target : float, optional
        The energy (units of Delta) around which ``n_eigs`` eigenpairs are taken; default the centre
        ``tr H / D`` of the many-body density of states (mid-spectrum).
    method : {"auto", "dense", "shift-invert"}
        ``"auto"``: dense ``eigh`` up to 3500 states, shift-invert beyond.

    Returns
    -------
    Spectrum
        ``energies`` (sorted), ``vectors``, ``basis``, ``method``, ``target``.

    Raises
    ------
    ValueError
        For a parameter out of its range, a Fock space beyond the work limit (13 000 states), or
        ``method="dense"`` above 3500 states.

    Warns
    -----
    ValidityWarning
        If shift-invert stops (at 10 ``n_eigs`` Krylov vectors) before every eigenpair reached a
        residual of 1e-10 (never seen on the realizations tested).
    """
    n, m = check_filling(n_levels, n_particles)
    dim = check_size(n, m)
    dot = draw_dot(n, coupling=coupling, seed=seed)
    return _spectrum_of_dot(dot, m, dim, eigenvectors=eigenvectors, n_eigs=n_eigs, target=target, method=method)


def spectrum_of_dot(dot, n_particles, *, eigenvectors=False, n_eigs=None, target=None, method="auto"):
    """:func:`spectrum` of a given realization ``dot`` (an :class:`~nblm_helpers.agkl.AGKLDot`, e.g. to follow
    one realization along the coupling with ``draw_dot(n, coupling=c, seed=s)``); same options and limits."""
    from .model import AGKLDot

    if not isinstance(dot, AGKLDot):
        raise ValueError(f"dot must be an AGKLDot (from agkl.draw_dot); got {_show(dot)}")
    n, m = check_filling(dot.n_levels, n_particles)
    dim = check_size(n, m)
    return _spectrum_of_dot(dot, m, dim, eigenvectors=eigenvectors, n_eigs=n_eigs, target=target, method=method)


def _spectrum_of_dot(dot, m, dim, *, eigenvectors, n_eigs, target, method):
    n = dot.n_levels
    if not isinstance(eigenvectors, (bool, np.bool_)):
        raise ValueError(f"eigenvectors must be True or False; got {_show(eigenvectors)}")
    method = check_choice("method", method, ("auto", "dense", "shift-invert"))
    k = _check_n_eigs(n_eigs, dim)
    if method == "shift-invert" and k is None and dim < 100:
        k = dim
    tgt = None if target is None else check_scalar(check_real, "target", target)
    if method == "dense" and dim > MAX_DENSE_DIM:
        raise ValueError(f"method='dense' needs at most MAX_DENSE_DIM = {MAX_DENSE_DIM} states; n_levels = {n} with "
                         f"n_particles = {m} has {dim}: use method='shift-invert' (or 'auto') with n_eigs")
    H, basis = dot.hamiltonian(m)
    return _solve(H, basis, n_eigs=k, target=tgt, eigenvectors=bool(eigenvectors), method=method)
