"""Private special-function kernels shared by the physics modules (no validation here).

* :func:`lambertw_exp` -- the principal branch :math:`\\mathcal W_0(e^L)` for real ``L``
  without overflow: :func:`scipy.special.lambertw` of :math:`e^L` up to ``L = 700``, and
  beyond, where :math:`e^L` overflows, Newton's method on :math:`w + \\ln w = L` from
  :math:`w_0 = L - \\ln L` (converged to a relative step of 1e-15).  The public, validated
  form is :func:`nblm_helpers.saddle_point.lambertw_exp`; :mod:`~nblm_helpers.relaxation`
  (Eq. 8) and :mod:`~nblm_helpers.lineshape` (Eq. 13) call this kernel.
"""

from __future__ import annotations

import numpy as np
from scipy.special import lambertw

__all__: list[str] = []


def lambertw_exp(L):
    """:math:`\\mathcal W_0(e^L)` for a float array ``L`` (or ``-inf``: W(0) = 0); an array."""
    L = np.asarray(L, dtype=float)
    out = np.empty_like(L)
    small = L <= 700.0
    if np.any(small):
        out[small] = lambertw(np.exp(L[small]), 0).real
    if np.any(~small):
        Lb = L[~small]
        w = Lb - np.log(Lb)
        for _ in range(50):
            step = (w + np.log(w) - Lb) / (1.0 + 1.0 / w)
            w = w - step
            if np.all(np.abs(step) <= 1e-15 * w):
                break
        out[~small] = w
    return out
