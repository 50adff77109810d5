"""Spin-echo decay and spectral lineshape of an l-bit on a slow bath (Sec. II C).

Equations (10)-(11) of the paper: an l-bit flips at rate :math:`\\Gamma_b`, and
the flips of the :math:`n_{fast}(t)` neighbours whose coupling
:math:`J e^{-r/\\xi}` exceeds :math:`1/t` dephase it, so the echo decays as

.. math:: \\psi(t) = \\exp[-\\Gamma_b\\, n_{fast}(t)\\, t]  \\qquad (10)

with the piecewise count of Eq. (11).  Times are in units of
:math:`1/\\Gamma_b` when ``gamma_b = 1``; all rates share one unit.

Reading of Eq. (11)
-------------------
The paper writes the three regimes with "much less than" signs and leaves
the behaviour at the crossovers open.  ``nfast="literal"`` switches branch
exactly at :math:`t = 1/J` and :math:`t = 1/\\Gamma_b` (so :math:`n_{fast}`
jumps from 1 to :math:`s\\xi^d\\ln^d(1) = 0` at :math:`t = 1/J`);
``nfast="continuous"`` uses :math:`\\max[1, s\\xi^d\\ln^d(J\\min(t,
1/\\Gamma_b))]`, which is continuous.  See the errata page.
"""

from __future__ import annotations

import numpy as np

from .parameters import check_dimension, check_positive, check_real

__all__ = ["NFAST_READINGS", "nfast_external", "echo_decay"]

#: The two readings of the piecewise n_fast of Eqs. (11) and (20).
NFAST_READINGS = ("literal", "continuous")


def _check_external(gamma_b, s_xi_d, J, d, nfast):
    gamma_b = float(check_positive("gamma_b", gamma_b))
    s_xi_d = float(check_positive("s_xi_d", s_xi_d))
    J = float(check_real("J", J, lo=gamma_b))
    d = check_dimension(d)
    if nfast not in NFAST_READINGS:
        raise ValueError(f"nfast must be one of {NFAST_READINGS}; got {nfast!r}")
    return gamma_b, s_xi_d, J, d


def nfast_external(t, *, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Number of fast-flipping neighbours that dephase an l-bit, Eq. (11).

    Parameters
    ----------
    t : float or array_like
        Time(s), :math:`t \\ge 0`, in the inverse unit of ``gamma_b`` and ``J``.
    gamma_b : float
        Flip rate :math:`\\Gamma_b > 0` of Eq. (7).
    s_xi_d : float
        :math:`s(T)\\xi^d > 0`: entropy per l-bit times the localization volume.
    J : float
        Nearest-neighbour interaction, :math:`J > \\Gamma_b`.
    d : int
        Spatial dimension (the power of the logarithm).
    nfast : {"literal", "continuous"}
        Reading of the piecewise Eq. (11); see the module docstring.

    Returns
    -------
    float or numpy.ndarray
        :math:`n_{fast}(t)`, same shape as ``t``.
    """
    gamma_b, s_xi_d, J, d = _check_external(gamma_b, s_xi_d, J, d, nfast)
    t = check_real("t", t, lo=0.0, lo_open=False)
    ta = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore"):
        log_jt = np.log(J * np.minimum(ta, 1.0 / gamma_b))
    middle = s_xi_d * np.where(log_jt > 0, log_jt, 0.0) ** d
    if nfast == "literal":
        out = np.where(ta < 1.0 / J, 1.0, middle)
    else:
        out = np.maximum(1.0, middle)
    return float(out) if np.ndim(t) == 0 else out


def echo_decay(t, *, gamma_b, s_xi_d, J, d=1, nfast="literal"):
    """Spin-echo decay :math:`\\psi(t) = \\exp[-\\Gamma_b n_{fast}(t) t]`, Eq. (10).

    Parameters are those of :func:`nfast_external`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\psi(t) \\in (0, 1]`, same shape as ``t``.
    """
    n = nfast_external(t, gamma_b=gamma_b, s_xi_d=s_xi_d, J=J, d=d, nfast=nfast)
    psi = np.exp(-float(gamma_b) * n * np.asarray(t, dtype=float))
    return float(psi) if np.ndim(t) == 0 else psi
