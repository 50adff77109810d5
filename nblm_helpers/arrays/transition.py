"""Where an inhomogeneous array of dots turns metallic: crossings of the metallic-fraction curve (beyond the paper).

:func:`nblm_helpers.arrays.metallic_fraction_curve` gives the fraction of metallic dots of
:func:`~nblm_helpers.arrays.solve_dot_array` along a line of the mean :math:`\\varepsilon`, one row
per seed; a sweep (:func:`nblm_helpers.sweep.map_grid`) gives such curves over a grid of
``eps_spread``.  Without disorder the fraction jumps from 0 to 1 where the homogeneous linewidth of
Eq. (19) reaches the floor; with disorder it rises smoothly.  :func:`fraction_crossing` locates
where a curve first rises through a level (the midpoint 1/2, or 0.2 and 0.8 for the width of the
crossover), by linear interpolation in :math:`\\varepsilon` between the grid points: a grid
quantity, as accurate as the grid is fine.  A metallic fraction of 1/2 is a convention for the
middle of the crossover, not a percolation or conduction threshold.

The chapter "Inhomogeneous arrays" (``book/arrays.ipynb``) uses it for the midpoints of the
disorder-averaged phase diagram.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..parameters import ValidityWarning, _show, check_real, check_scalar


MAX_POINTS = 10_000  #: most grid points of one curve (and most curves of one call)


def fraction_crossing(eps, fraction, *, level=0.5):
    """The mean :math:`\\varepsilon` at which a metallic-fraction curve first rises through ``level``.

    Parameters
    ----------
    eps : array_like
        The grid of mean :math:`\\varepsilon`, 2 to 10000 strictly increasing finite values
        (``FractionCurve.eps``).
    fraction : array_like
        Metallic fractions in ``[0, 1]``, shape ``(len(eps),)`` for one curve or ``(B, len(eps))``
        for ``B <= 10000`` curves treated apart (``FractionCurve.fraction``, one row per seed, or
        a seed average per ``eps_spread``).
    level : float
        In ``(0, 1)``; default 1/2.

    Returns
    -------
    float or numpy.ndarray
        Per curve: the first grid interval ``[eps_j, eps_{j+1}]`` with ``fraction_j < level <=
        fraction_{j+1}``, interpolated linearly,
        ``eps_j + (level - f_j)/(f_{j+1} - f_j) (eps_{j+1} - eps_j)``; a float for one curve, an
        array of ``B`` for several.

    Warns
    -----
    ValidityWarning
        Where a curve starts at or above ``level`` (the crossing lies at or below ``eps[0]``:
        ``eps[0]`` is returned, an upper bound), or stays below it on the whole grid (the crossing
        lies beyond ``eps[-1]``: ``inf`` is returned).

    Raises
    ------
    ValueError
        Naming the parameter: ``eps`` not strictly increasing, finite, 2 to 10000 values;
        ``fraction`` of the wrong shape, not finite or outside ``[0, 1]``; ``level`` outside
        ``(0, 1)``.
    """
    e = check_real("eps", eps)
    e = np.atleast_1d(np.asarray(e, dtype=float))
    if e.ndim != 1 or not 2 <= e.size <= MAX_POINTS or np.any(np.diff(e) <= 0):
        raise ValueError(f"eps must be 2 to {MAX_POINTS} strictly increasing finite values; got {_show(eps)}")
    f = check_real("fraction", fraction, lo=0.0, hi=1.0, lo_open=False, hi_open=False)
    f = np.atleast_1d(np.asarray(f, dtype=float))
    if f.ndim not in (1, 2) or f.shape[-1] != e.size or (f.ndim == 2 and not 1 <= f.shape[0] <= MAX_POINTS):
        raise ValueError(f"fraction must have shape (len(eps),) or (B, len(eps)) with len(eps) = {e.size} and "
                         f"1 <= B <= {MAX_POINTS}; got shape {f.shape}")
    lv = check_scalar(check_real, "level", level, lo=0.0, hi=1.0)
    rows = f.reshape(-1, e.size)
    out = np.empty(rows.shape[0])
    at_start, beyond = [], []
    for b, row in enumerate(rows):
        above = np.flatnonzero(row >= lv)
        if above.size == 0:
            out[b] = math.inf
            beyond.append(b)
        elif above[0] == 0:
            out[b] = e[0]
            at_start.append(b)
        else:
            j = int(above[0])
            t = (lv - row[j - 1]) / (row[j] - row[j - 1])
            out[b] = e[j - 1] + t * (e[j] - e[j - 1])
    if at_start:
        warnings.warn(f"fraction starts at or above level = {lv:g} (curves {at_start[:10]}): the crossing lies at "
                      f"or below eps[0] = {e[0]:g}, returned as an upper bound", ValidityWarning, stacklevel=2)
    if beyond:
        warnings.warn(f"fraction stays below level = {lv:g} on the whole grid (curves {beyond[:10]}): the "
                      f"crossing lies beyond eps[-1] = {e[-1]:g}, returned as inf", ValidityWarning, stacklevel=2)
    return float(out[0]) if f.ndim == 1 else out
