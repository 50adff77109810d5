"""The one validation path of the mean-field parameters (gamma, K, N, s, d, equation, sum_range,
nfast, drop_negative) and the work limits (a call answers within seconds or refuses by name)."""

from __future__ import annotations

import math

import numpy as np

from ..parameters import (
    check_branching,
    check_choice,
    check_dimension,
    check_positive,
    check_positive_int,
    check_unit_interval,
    resolve_eps,
)
from ._numerics import _APP_SCAN_BUDGET, _BAND_HI, _BAND_LO, _MAX_BAND, _MAX_D, _MAX_N_APP_RATIO, _MAX_N_SQUARE


EQUATIONS = ("19", "E3", "E2", "E1")
SUM_RANGES = ("infinite", "square")
NFAST_READINGS = ("literal", "continuous")


def _check_params(gamma, K, N, s, d, equation, sum_range, nfast, drop_negative):
    """The model parameters, validated in this order (the first bad one is named in the ValueError).

    ``gamma`` and ``s`` may be arrays here (:func:`_validate` decides whether that is allowed).
    """
    equation = check_choice("equation", equation, EQUATIONS)
    sum_range = check_choice("sum_range", sum_range, SUM_RANGES)
    nfast = check_choice("nfast", nfast, NFAST_READINGS)
    if not isinstance(drop_negative, (bool, np.bool_)):
        raise ValueError(f"drop_negative must be True or False; got {drop_negative!r}")
    gamma = check_positive("gamma", gamma)
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    s = check_unit_interval("s", s)
    d = check_dimension(d)
    return gamma, K, N, s, d, equation, sum_range, nfast, bool(drop_negative)


def _validate(eps, Xi, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative=False, arrays=False):
    """Validated parameters; ``gamma`` and ``s`` may be arrays only if ``arrays``.

    With ``arrays``, ``gamma`` and ``s`` are returned as floats when scalar
    and as float64 arrays otherwise, and their shapes must broadcast against
    that of ``eps`` (or ``Xi``).
    """
    gamma, K, N, s, d, equation, sum_range, nfast, drop_negative = _check_params(
        gamma, K, N, s, d, equation, sum_range, nfast, drop_negative
    )
    eps = resolve_eps(eps, Xi, K)
    for name, v in (("gamma", gamma), ("s", s)):
        if np.ndim(v) and not arrays:
            raise ValueError(f"{name} must be a scalar here; got an array of shape {np.shape(v)}")
    if arrays:
        ename = "eps" if Xi is None else "Xi"
        shape = np.shape(eps)
        for name, v in (("gamma", gamma), ("s", s)):
            try:
                shape = np.broadcast_shapes(shape, np.shape(v))
            except ValueError:
                raise ValueError(
                    f"{name} (shape {np.shape(v)}) does not broadcast against {ename} (shape {np.shape(eps)})"
                    + ("" if name == "gamma" else f" and gamma (shape {np.shape(gamma)})")
                ) from None
    _check_cost(K=K, N=N, d=d, equation=equation, sum_range=sum_range, solve=arrays)  # arrays: solve_linewidth
    return eps, gamma, K, N, s, d, equation, sum_range, nfast, bool(drop_negative)


def _max_n_app_solve(K):
    """Largest N for which an E2/E3 solve stays within _APP_SCAN_BUDGET per column."""
    return max(1, int(math.sqrt(_APP_SCAN_BUDGET * 3.0 / (4.0 * math.log(K)))))


def _check_d(d):
    if d > _MAX_D:
        raise ValueError(f"d must be <= {_MAX_D} (the spatial dimension of the dot array); got d={d}")


def _check_size(N, d, sum_range):
    """The limits shared by every Eq. (19) evaluation: ``d <= 64`` and, for the square sum, ``N``."""
    _check_d(d)
    if sum_range == "square" and N > _MAX_N_SQUARE:
        raise ValueError(
            f"N must be <= {_MAX_N_SQUARE} for sum_range='square' (2N terms per evaluation of F); "
            f"got N={N}. The unbounded sum (sum_range='infinite') has no limit on N."
        )


def _check_cost(*, K, N, d, equation, sum_range, solve):
    """Refuse (ValueError) a model whose evaluation would not fit in seconds and bounded memory.

    The message names the parameter, its value and the largest (or smallest) value that works.
    """
    if equation == "19":
        _check_size(N, d, sum_range)
        band = (_BAND_HI - _BAND_LO) / math.log(K)
        if band > _MAX_BAND and not (sum_range == "square" and 2 * N + 1 <= _MAX_BAND):
            k_min = math.exp((_BAND_HI - _BAND_LO) / _MAX_BAND)
            raise ValueError(
                f"K must be >= {k_min:.6g} for equation '19' with sum_range={sum_range!r} (the crossover "
                f"of Eq. 19 spans ~{(_BAND_HI - _BAND_LO):.3g}/ln K explicit terms); got K={K!r}"
            )
        return
    _check_d(d)
    n_max = _max_n_app_solve(K) if solve else _MAX_N_APP_RATIO
    if N > n_max:
        what = "a solve" if solve else "an evaluation of F"
        raise ValueError(
            f"N must be <= {n_max} for equation {equation!r} with K={K:g} ({what} sums 2N terms"
            + (" on a scan grid of ~2N ln K/3 points" if solve else "")
            + f"); got N={N}. Eq. (19) has no such limit."
        )


def _validate_boundary(K, N, s, d, sum_range, nfast):
    sum_range = check_choice("sum_range", sum_range, SUM_RANGES)
    nfast = check_choice("nfast", nfast, NFAST_READINGS)
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    s = float(check_unit_interval("s", s))
    d = check_dimension(d)
    _check_size(N, d, sum_range)
    return K, N, s, d, sum_range, nfast
