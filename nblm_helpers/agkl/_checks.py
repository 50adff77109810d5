"""Validation and work limits of :mod:`nblm_helpers.agkl` (private).

Every public helper of the subpackage validates its inputs here, so that a bad
value raises one :class:`ValueError` naming the parameter, the allowed range and
the value received, and a request that would take more than about a minute (or
more than ~2 GiB) is refused before any work starts.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..parameters import _show, check_positive_int, check_real, check_scalar

#: Smallest and largest number of single-particle levels of a dot.  Above 20 the
#: fixed-N Fock space of any filling worth diagonalizing exceeds the work limits anyway.
MIN_LEVELS, MAX_LEVELS = 2, 20

#: Largest Hilbert-space dimension diagonalized densely (``scipy.linalg.eigh``): n_levels = 14 at
#: half filling is 3432 states (~2 s); above it the spectrum is computed by shift-invert Lanczos.
MAX_DENSE_DIM = 3500

#: Largest Hilbert-space dimension accepted at all: n_levels = 16 at half filling (12 870 states;
#: shift-invert needs a dense LU of the shifted matrix, 1.3 GB, ~10-20 s).
MAX_DIM = 13000

#: Largest number of Hamiltonian matrix elements (with duplicates, before summing) built at once;
#: n_levels = 16 at half filling needs 1.6e7.
MAX_TERMS = 2 * 10**7

#: Work budget of the statistics over disorder: sum over samples of (dimension^3) for dense
#: spectra, in units of the cost of one n_levels = 12 half-filled spectrum (924 states, ~0.1 s).
#: 600 units is about a minute on the 2-core development machine.
MAX_WORK_UNITS = 600.0
_UNIT_DIM = 924
#: The fixed cost of one realization (drawing it, building H: ~5 ms) in the same units.
_SAMPLE_OVERHEAD = 0.05

#: Largest number of eigenpairs of one shift-invert call.
MAX_EIGS = 1000


def check_levels(n_levels):
    """``n_levels`` as an int in [MIN_LEVELS, MAX_LEVELS]."""
    return check_positive_int("n_levels", n_levels, minimum=MIN_LEVELS, maximum=MAX_LEVELS)


def check_filling(n_levels, n_particles):
    """``n_particles`` as an int with 0 < n_particles < n_levels (an empty or full dot has one state)."""
    n = check_levels(n_levels)
    if isinstance(n_particles, (bool, np.bool_)) or not isinstance(n_particles, numbers.Real):
        raise ValueError(f"n_particles must be an integer in [1, n_levels - 1] = [1, {n - 1}]; got {_show(n_particles)}")
    m = check_positive_int("n_particles", n_particles, minimum=1, maximum=max(1, n - 1))
    if m >= n:
        raise ValueError(f"n_particles must be an integer in [1, n_levels - 1] = [1, {n - 1}]; got {m}")
    return n, m


def dimension(n_levels, n_particles):
    """Dimension C(n_levels, n_particles) of the fixed-particle-number Fock space."""
    return math.comb(n_levels, n_particles)


def n_terms(n_levels, n_particles):
    """Number of (state, pair move) terms the vectorized builder generates."""
    m = n_particles
    return dimension(n_levels, m) * (math.comb(m, 2) * math.comb(n_levels - m + 2, 2) + 1)


def check_size(n_levels, n_particles):
    """Refuse a Fock space beyond :data:`MAX_DIM` (or :data:`MAX_TERMS` matrix elements)."""
    dim = dimension(n_levels, n_particles)
    if dim > MAX_DIM or n_terms(n_levels, n_particles) > MAX_TERMS:
        raise ValueError(
            f"n_levels = {n_levels} with n_particles = {n_particles} has {dim} Fock states; at most "
            f"MAX_DIM = {MAX_DIM} states (n_levels = 16 at half filling) are diagonalized within the work "
            "limit: choose a smaller n_levels or a filling further from half"
        )
    return dim


def check_coupling(coupling):
    """``coupling`` = lambda/Delta as a float >= 0 (finite); 0 is the non-interacting dot."""
    return check_scalar(check_real, "coupling", coupling, lo=0.0, lo_open=False, hi=1e6, hi_open=False)


def check_seed(seed, name="seed"):
    """A seed: an integer in [0, 2**53] (integral floats accepted; numpy's ``default_rng`` takes any such)."""
    return check_positive_int(name, seed, minimum=0, maximum=2**53)


def check_bit_patterns(name, value, n_bits=62):
    """A 1-d int64 array of bit patterns in [0, 2**n_bits), or :class:`ValueError` naming ``name``."""
    try:
        arr = np.asarray(value)
    except Exception:
        raise ValueError(f"{name} must be an array of non-negative integer bit patterns; got {_show(value)}") from None
    if arr.dtype == object or arr.dtype.kind not in "iu" or arr.size > 2**24:
        raise ValueError(f"{name} must be an array of non-negative integer bit patterns (at most 2**24); "
                         f"got {_show(value)}")
    if arr.size and (np.any(arr < 0) or np.any(arr >= 2**n_bits)):
        raise ValueError(f"{name} must hold integers in [0, 2**{n_bits}); got {_show(value)}")
    return arr.astype(np.int64)


def check_samples(n_samples):
    """``n_samples`` as an int >= 1 (<= 10**6; the work limit refuses most large values earlier)."""
    return check_positive_int("n_samples", n_samples, minimum=1, maximum=10**6)


def check_window(window):
    """A window of the spectrum, as fractions ``(lo, hi)`` of the rank, 0 <= lo < hi <= 1.

    A float ``w`` in (0, 1] is the central fraction ``((1 - w)/2, (1 + w)/2)``.
    """
    if isinstance(window, (tuple, list)) and len(window) == 2:
        lo = check_scalar(check_real, "window", window[0], lo=0.0, lo_open=False, hi=1.0, hi_open=True)
        hi = check_scalar(check_real, "window", window[1], lo=0.0, lo_open=True, hi=1.0, hi_open=False)
        if not lo < hi:
            raise ValueError(f"window must be (lo, hi) with 0 <= lo < hi <= 1; got {_show(tuple(window))}")
        return lo, hi
    if isinstance(window, (tuple, list, np.ndarray)):
        raise ValueError(f"window must be a fraction in (0, 1] or a pair (lo, hi) with 0 <= lo < hi <= 1; "
                         f"got {_show(window)}")
    w = check_scalar(check_real, "window", window, lo=0.0, hi=1.0, hi_open=False)
    return 0.5 - w / 2, 0.5 + w / 2


def window_slice(n, lo, hi):
    """Indices ``[i0, i1)`` of the window (lo, hi) of ``n`` sorted levels (at least one level)."""
    i0 = min(int(math.floor(lo * n)), n - 1)
    i1 = max(int(math.ceil(hi * n)), i0 + 1)
    return i0, min(i1, n)


def check_work(n_levels, n_particles, n_samples, *, what):
    """Refuse a statistic over disorder beyond about a minute: n_samples x ((D/924)^3 + 0.05) > 600 (dense spectra only)."""
    dim = check_size(n_levels, n_particles)
    if dim > MAX_DENSE_DIM:
        raise ValueError(
            f"{what} diagonalizes every realization fully: n_levels = {n_levels} with n_particles = "
            f"{n_particles} has {dim} states, more than MAX_DENSE_DIM = {MAX_DENSE_DIM}"
        )
    per_sample = (dim / _UNIT_DIM) ** 3 + _SAMPLE_OVERHEAD
    units = n_samples * per_sample
    if units > MAX_WORK_UNITS:
        largest = max(1, int(MAX_WORK_UNITS / per_sample))
        raise ValueError(
            f"n_samples = {n_samples} dense spectra of {dim} states exceed the work limit of about a minute; "
            f"at most n_samples = {largest} at n_levels = {n_levels}, n_particles = {n_particles}"
        )
    return dim


def as_real_array(name, value, *, max_size=2**26):
    """``value`` as a float64 array (real numbers only; complex, strings, objects refused by name)."""
    try:
        arr = np.asarray(value)
    except Exception:
        raise ValueError(f"{name} must be an array of finite real numbers; got {_show(value)}") from None
    if arr.dtype == object or arr.dtype.kind not in "iuf" or arr.size > max_size:
        raise ValueError(f"{name} must be an array of finite real numbers (at most {max_size}); got {_show(value)}")
    with np.errstate(over="ignore"):
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be an array of finite real numbers; got {_show(value)}")
    return arr
