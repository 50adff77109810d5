"""Generic kernels of population dynamics: weights in logs, resampling, statistics.

Private; nothing here knows about a model.  A *population* is a 1-d float array of
``n`` members; a *weighted* population carries one log-weight per member.  The
kernels are vectorized NumPy, allocate O(n) memory and raise nothing on finite
input (every log-weight may be ``-inf`` except at least one).

* :func:`normalize_log_weights` -- ``ln mean(w)`` and ``w / max(w)`` from ``ln w``
  (no overflow for log-weights of any size);
* :func:`systematic_resample` -- the indices of a systematic resampling (one uniform
  per call, so the random numbers consumed do not depend on the weights);
* :func:`effective_fraction` -- the effective sample size over ``n``,
  :math:`(\\sum w)^2 / (n \\sum w^2)`;
* :func:`batch_means` -- mean and standard error of a correlated series by batch means
  (:func:`batch_mean_array`: the batch means themselves, e.g. for the covariance of several
  series driven by the same random numbers);
* :func:`clip_away_from_zero` -- ``x`` with ``|x| >= floor`` (the sign kept), so that
  ``1/x`` and sums of ``K`` such values stay finite.
"""

from __future__ import annotations

import math

import numpy as np


def normalize_log_weights(ln_w):
    """``(ln mean(w), w / max(w))`` of weights given as logs.

    Parameters
    ----------
    ln_w : numpy.ndarray
        Log-weights, finite or ``-inf``; at least one finite.

    Returns
    -------
    ln_mean : float
        :math:`\\ln(\\frac1n\\sum_i w_i)`, computed as ``m + ln mean(exp(ln_w - m))``
        with ``m = max(ln_w)``.
    w : numpy.ndarray
        ``exp(ln_w - m)``, in ``[0, 1]`` with maximum 1.
    """
    m = float(np.max(ln_w))
    w = np.exp(ln_w - m)
    return m + math.log(float(np.mean(w))), w


def systematic_resample(w, u0):
    """Indices of a systematic resampling of weights ``w`` (not normalized, some > 0).

    Member ``i`` is copied about ``n w_i / sum(w)`` times (the floor or the ceiling of
    it): slot ``j`` takes the member whose cumulative weight first exceeds
    ``(j + u0) / n``.  ``u0`` in [0, 1) is the only random number used.

    Returns
    -------
    numpy.ndarray of int
        ``n`` indices, non-decreasing.
    """
    n = w.size
    c = np.cumsum(w)
    c *= n / c[-1]
    # slots j < n C_i - u0 go to members <= i: N_i = ceil(n C_i - u0) of them
    filled = np.clip(np.ceil(c - u0), 0, n).astype(np.int64)
    filled[-1] = n
    counts = np.diff(filled, prepend=0)
    return np.repeat(np.arange(n), counts)


def effective_fraction(w):
    """Effective sample size over the population size, :math:`(\\sum w)^2/(n\\sum w^2)` in (0, 1].

    ``w``: finite weights >= 0, not all 0 (any scale).
    """
    v = w / float(np.max(w))  # no overflow of w**2 for weights up to the float maximum
    s1 = float(np.sum(v))
    s2 = float(np.square(v).sum())  # not np.dot: BLAS threads cost more than they save here
    return s1 * s1 / (w.size * s2)


def batch_mean_array(series, batches=20):
    """The means of ``min(batches, len(series))`` consecutive, nearly equal batches of ``series``."""
    x = np.asarray(series, dtype=float)
    nb = max(1, min(int(batches), x.size))
    return np.array([chunk.mean() for chunk in np.array_split(x, nb)])


def batch_means(series, batches=20):
    """Mean and standard error of a stationary, correlated series by batch means.

    The series is cut into ``min(batches, len(series))`` consecutive batches of
    (nearly) equal length; the standard error is the standard deviation of the batch
    means over the square root of their number (correlations shorter than a batch
    are accounted for).

    Returns
    -------
    mean, stderr : float
        ``stderr`` is 0.0 for a series of one value.
    """
    x = np.asarray(series, dtype=float)
    means = batch_mean_array(x, batches)
    nb = means.size
    mean = float(x.mean())
    if nb < 2:
        return mean, 0.0
    return mean, float(means.std(ddof=1) / math.sqrt(nb))


def clip_away_from_zero(x, floor):
    """``x`` with every ``|x| < floor`` replaced by ``+-floor`` (zero becomes ``+floor``); in place."""
    small = np.abs(x) < floor
    if small.any():
        x[small] = np.where(x[small] < 0, -floor, floor)
    return x
