"""Private numerics shared by the physics modules: a root finder that always terminates."""

from __future__ import annotations

import numpy as np
from scipy.optimize import bisect, brentq


def brentq_or_bisect(f, a, b, **kw):
    """:func:`scipy.optimize.brentq`, and where it does not converge in its ``maxiter`` (e.g. a bracket
    spanning hundreds of decades) plain bisection, which always does in ~1100 steps."""
    try:
        return brentq(f, a, b, **kw)
    except RuntimeError:
        xtol = kw.get("xtol", 2e-12)
        rtol = max(kw.get("rtol", 8.9e-16), 4 * np.finfo(float).eps)
        return bisect(f, a, b, xtol=xtol, rtol=rtol, maxiter=5000)
