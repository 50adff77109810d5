"""Statistics of an array's solution: metallic fraction, clusters of metallic dots (periodic), and the
metallic fraction along a line of eps for several seeds (what :func:`nblm_helpers.sweep.map_grid`
distributes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

import math

from ..meanfield import critical_eps, eps_at_linewidth
from ..parameters import check_real, check_seed
from .solve import MAX_DOTS, DotArrayResult, solve_dot_array

MAX_CURVE_SOLVES = 10_000  #: most (seed, eps) solves of one :func:`metallic_fraction_curve` call


def _mask(metallic):
    """A boolean map (1-D or 2-D, square) from a :class:`DotArrayResult` or an array of booleans."""
    if isinstance(metallic, DotArrayResult):
        return np.asarray(metallic.metallic, dtype=bool)
    try:
        m = np.asarray(metallic)
    except Exception:  # ragged nested sequences
        raise ValueError(f"metallic must be a DotArrayResult or a 1-D/2-D array of booleans; got {metallic!r:.80}") from None
    if m.dtype != bool or m.ndim not in (1, 2) or m.size == 0 or m.size > MAX_DOTS:
        raise ValueError(
            f"metallic must be a DotArrayResult or a non-empty 1-D/2-D boolean array of at most {MAX_DOTS} "
            f"dots; got dtype {m.dtype}, shape {m.shape}"
        )
    return m


def metallic_fraction(metallic):
    """Fraction of the dots with :math:`\\Gamma_I > 0` (status ``"metallic"`` or ``"above_gamma"``).

    Parameters
    ----------
    metallic : DotArrayResult or array_like of bool
        A solution of :func:`~nblm_helpers.arrays.solve_dot_array`, or its map of metallic dots.

    Returns
    -------
    float
        In ``[0, 1]``.
    """
    m = _mask(metallic)
    return float(np.count_nonzero(m)) / m.size


@dataclass(frozen=True)
class Clusters:
    """Connected clusters of metallic dots on the periodic lattice (:func:`metallic_clusters`).

    Attributes
    ----------
    labels : numpy.ndarray of int
        The array's shape; 0 for a localized dot, ``1 .. n`` the cluster of a metallic dot, numbered
        in the order of their first dot (row-major).
    sizes : numpy.ndarray of int
        ``sizes[k - 1]`` is the number of dots of cluster ``k``.
    """

    labels: Any
    sizes: Any

    def size_distribution(self):
        """(size, count): the distinct cluster sizes, ascending, and how many clusters have each."""
        size, count = np.unique(self.sizes, return_counts=True)
        return size, count


def metallic_clusters(metallic):
    """Clusters of metallic dots connected through nearest neighbours, periodic boundaries included.

    ``scipy.ndimage.label`` with the lattice's nearest-neighbour structure (chain: left/right; square
    lattice: up/down/left/right, no diagonals), then clusters that touch across a periodic boundary
    are merged (union-find over the labels on opposite edges).  With a localized background these
    are the rare ergodic spots (Griffiths regions); with a metallic background, the holes are
    ``metallic_clusters(~mask)``.

    Parameters
    ----------
    metallic : DotArrayResult or array_like of bool
        A solution, or a 1-D or square 2-D boolean map.

    Returns
    -------
    Clusters
    """
    m = _mask(metallic)
    structure = ndimage.generate_binary_structure(m.ndim, 1)
    lab, n = ndimage.label(m, structure=structure)
    parent = np.arange(n + 1)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for axis in range(m.ndim):
        a = np.take(lab, 0, axis=axis).ravel()
        b = np.take(lab, -1, axis=axis).ravel()
        for u, v in zip(a[(a > 0) & (b > 0)].tolist(), b[(a > 0) & (b > 0)].tolist()):
            ru, rv = find(u), find(v)
            if ru != rv:
                parent[max(ru, rv)] = min(ru, rv)
    roots = np.array([find(i) for i in range(n + 1)], dtype=np.int64)
    merged = roots[lab]
    # renumber 1..k in the order of the first dot of each cluster
    flat = merged.ravel()
    uniq, first = np.unique(flat[flat > 0], return_index=True)
    order = uniq[np.argsort(first)]
    new = np.zeros(n + 1, dtype=np.int64)
    new[order] = np.arange(1, order.size + 1)
    labels = new[merged]
    sizes = np.bincount(labels.ravel(), minlength=order.size + 1)[1:]
    return Clusters(labels=labels, sizes=sizes)


@dataclass(frozen=True)
class FractionCurve:
    """Metallic fraction of arrays along a line of eps (:func:`metallic_fraction_curve`).

    Attributes
    ----------
    eps : numpy.ndarray
        The mean :math:`\\varepsilon` of each column.
    seeds : numpy.ndarray of int
        One row per seed.
    fraction : numpy.ndarray
        ``(len(seeds), len(eps))`` metallic fractions.
    converged : numpy.ndarray of bool
        Same shape: whether each solve converged.
    eps_c : float
        The homogeneous transition :math:`\\varepsilon_c` of Eq. (19), where :math:`\\Gamma\\to0`
        (:func:`~nblm_helpers.meanfield.critical_eps` with the same options; ``1.0``: no metal).
    eps_floor : float or None
        Where the homogeneous linewidth equals the floor
        (:func:`~nblm_helpers.meanfield.eps_at_linewidth` at ``ln_Gamma_floor``): the transition of the
        array with ``eps_spread = 0``.  ``1.0`` if the floor is at or above
        :math:`\\ln\\gamma - 10^{-9}`; ``None`` if it lies within :math:`d/2` of :math:`\\ln\\gamma`
        (outside ``eps_at_linewidth``'s range).
    options : dict
        The array parameters (``shape``, ``eps_spread``, ``gamma``, ...).
    """

    eps: Any
    seeds: Any
    fraction: Any
    converged: Any
    eps_c: float
    eps_floor: Any
    options: dict

    @property
    def Xi_c(self):
        """The homogeneous :math:`\\Xi_c = 1/((1 - \\varepsilon_c)\\ln K)`
        (:func:`~nblm_helpers.meanfield.critical_Xi`); ``inf`` if ``eps_c == 1``."""
        return math.inf if self.eps_c >= 1.0 else 1.0 / ((1.0 - self.eps_c) * math.log(self.options["K"]))


def metallic_fraction_curve(*, eps, seeds, shape, gamma, K, N, s, d=None, eps_spread=0.0, sum_range="infinite",
                            nfast="literal", ln_Gamma_floor=None, tol=1e-10, max_iter=100):
    """Metallic fraction of :func:`solve_dot_array` along a line of mean :math:`\\varepsilon`, per seed.

    Every (seed, eps) pair is solved on its own, from the homogeneous start (a point does not
    depend on its neighbours on the line, so splitting the line or the seeds over workers, e.g.
    with :func:`nblm_helpers.sweep.map_grid`, gives the same numbers bit for bit).  Compare the fraction with the homogeneous transition
    ``eps_c`` (``FractionCurve.eps_c``; :math:`\\Xi_c` is
    :func:`~nblm_helpers.meanfield.critical_Xi`).

    Parameters
    ----------
    eps : array_like
        1-D mean :math:`\\varepsilon` values, each ``< 1`` and ``+ eps_spread < 1``.
    seeds : int or array_like of int
        Seeds of the draws (``>= 0``).
    shape, gamma, K, N, s, d, eps_spread, sum_range, nfast, ln_Gamma_floor, tol, max_iter
        As in :func:`solve_dot_array`.

    Returns
    -------
    FractionCurve

    Validity
    --------
    As :func:`solve_dot_array`, with its warnings suppressed (``converged`` records them); at most
    10000 solves (``len(seeds) * len(eps)``) and ``len(seeds) * len(eps) * L^d <= 2**22`` dots in
    all (work limits, ``ValueError`` naming ``eps``).
    """
    e = np.atleast_1d(check_real("eps", eps, hi=1.0))
    if e.ndim != 1:
        raise ValueError(f"eps must be a scalar or a 1-D array; got shape {e.shape}")
    sd = np.atleast_1d(np.asarray(seeds if not isinstance(seeds, (bool, np.bool_)) else [seeds], dtype=object))
    if sd.ndim != 1 or sd.size == 0:
        raise ValueError(f"seeds must be an int or a non-empty 1-D sequence of ints >= 0; got {seeds!r:.80}")
    sd = np.array([check_seed("seeds", v) for v in sd.tolist()], dtype=np.int64)
    ndots = int(np.prod(np.atleast_1d(np.asarray(shape, dtype=object)).astype(float))) if not isinstance(
        shape, (int, np.integer)) else int(shape)
    if e.size * sd.size > MAX_CURVE_SOLVES or e.size * sd.size * max(ndots, 1) > 2**22:
        raise ValueError(
            f"eps: {e.size} values x {sd.size} seeds x {ndots} dots is beyond the work limit "
            f"({MAX_CURVE_SOLVES} solves, 2**22 dots in all); split the line over calls (nblm_helpers.sweep)"
        )
    kw = dict(shape=shape, gamma=gamma, K=K, N=N, s=s, d=d, eps_spread=eps_spread, sum_range=sum_range,
              nfast=nfast, ln_Gamma_floor=ln_Gamma_floor, tol=tol, max_iter=max_iter, warn=False)
    frac = np.empty((sd.size, e.size))
    conv = np.empty((sd.size, e.size), dtype=bool)
    opts = None
    for i, seed in enumerate(sd.tolist()):
        for j, ej in enumerate(e.tolist()):
            r = solve_dot_array(eps=ej, seed=seed, **kw)
            frac[i, j] = metallic_fraction(r)
            conv[i, j] = r.converged
            opts = r.options
    o = {k: v for k, v in opts.items() if k not in ("eps", "seed")}
    ec = critical_eps(gamma=o["gamma"], K=o["K"], N=o["N"], s=o["s"], d=o["d"], sum_range=o["sum_range"],
                      nfast=o["nfast"])
    floor, lg = o["ln_Gamma_floor"], math.log(o["gamma"])
    if floor >= lg - 1e-9:
        ef = 1.0
    elif floor > lg - o["d"] / 2.0:
        ef = None
    else:
        ef = float(eps_at_linewidth(ln_Gamma=floor, gamma=o["gamma"], K=o["K"], N=o["N"], s=o["s"], d=o["d"],
                                    sum_range=o["sum_range"], nfast=o["nfast"]))
    return FractionCurve(eps=e, seeds=sd, fraction=frac, converged=conv, eps_c=float(ec), eps_floor=ef, options=o)
