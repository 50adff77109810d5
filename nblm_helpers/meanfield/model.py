"""The mean-field model as one validated, immutable object (Secs. IV D, V; App. E).

A :class:`MeanFieldModel` fixes the parameters of the self-consistency
:math:`\\Gamma = \\Gamma F(\\Gamma)` of Eq. (19) (with Eqs. 17, 18 and 20) or
of App. E (E1)-(E3):

.. math::
    F(\\Gamma) = \\gamma^2 \\sum_{m\\ge 2} w_m
    \\frac{K^{2m\\varepsilon}\\, n_m}{1 + (\\Gamma\\, n_m K^m)^2},
    \\qquad n_m = n_{\\rm fast}(t = K^m),

which is the Golden rule (18), :math:`\\Gamma = \\gamma^2\\sum_{n,p}
S_\\Gamma(\\delta E_{n,p}) e^{-2(n+p)/\\Xi}`, with the bath lineshape (17)
:math:`S_\\Gamma(\\omega) = \\Gamma n_{\\rm fast}(1/\\omega)/(\\omega^2 +
[\\Gamma n_{\\rm fast}(1/\\omega)]^2)` at :math:`\\delta E = K^{-m}`;
:math:`w_m = m - 1` (unbounded sum) or :math:`\\min(m-1, 2N+1-m)` (square
sum, and Eqs. E1, E2); Eq. (E3) uses :math:`m - 1` up to :math:`m = 2N` and
:math:`n_m = sN\\ln^d(\\gamma K^m)` without saturation (so does E2; E1 takes
:math:`n_m = \\max(1, sN\\ln_+^d(\\gamma K^m))`, i.e. 1 below :math:`N_0`).  Eq. (20):
:math:`n_{\\rm fast}(t) = 1` for :math:`\\gamma t \\le 1`,
:math:`sN\\ln^d(\\gamma t)` for :math:`t < 1/\\Gamma`, :math:`sN\\ln^d(\\gamma/\\Gamma)`
beyond (``nfast="literal"``), or :math:`\\max(1, sN\\ln_+^d(\\gamma\\min(t, 1/\\Gamma)))`
(``nfast="continuous"``).  The package docstring (:mod:`nblm_helpers.meanfield`)
holds the conventions, the monotonicity facts and the work limits.

The parameters are validated once, on construction, by the same checks (and
with the same messages) as the keyword functions; the methods validate only
their own arguments (``eps`` or ``Xi``, ``ln_Gamma``) and apply the work
limit of their operation (a solve of E2/E3 allows a smaller ``N`` than an
evaluation of :math:`F`).  ``gamma`` and ``s`` are scalars here; the keyword
:func:`~nblm_helpers.meanfield.solve_linewidth` also takes arrays of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import Parameters, resolve_eps
from ._checks import _check_cost, _check_params
from ._integral import _check_summation
from .boundary import _check_critical_cost, _critical_eps
from .ratio import _F_value, _ratio
from .solve import _solve


@dataclass(frozen=True)
class MeanFieldModel:
    """Validated, immutable parameters of Eq. (19) / (E1) / (E2) / (E3); hashable.

    Parameters
    ----------
    gamma : float
        Inter-dot coupling :math:`\\gamma/\\delta_m > 0`.
    K : float
        Cayley-tree branching number, ``K > 1``.
    N : int
        Single-particle levels per dot, ``>= 1``.
    s : float
        Entropy per level, in ``(0, 1]``.
    d : int
        Spatial dimension, ``1 <= d <= 64``.
    equation, sum_range, nfast, drop_negative, summation, integral_limits
        As in :func:`~nblm_helpers.meanfield.solve_linewidth` (``summation="integral"``: the sum
        over :math:`m = n + p` replaced by an integral, Eq. 19 only).

    Raises
    ------
    ValueError
        On construction, naming the first bad parameter, its value and the
        allowed range (the messages of the keyword functions), or a model
        beyond the work limits of one evaluation of :math:`F`.

    Examples
    --------
    >>> m = MeanFieldModel(gamma=0.1, K=3, N=10, s=0.5)
    >>> m.solve(0.3).status
    'root'
    """

    gamma: float
    K: float
    N: int
    s: float
    d: int = 1
    equation: str = "19"
    sum_range: str = "infinite"
    nfast: str = "literal"
    drop_negative: bool = False
    summation: str = "sum"
    integral_limits: str = "cell"

    def __post_init__(self):
        gamma, K, N, s, d, equation, sum_range, nfast, drop_negative = _check_params(
            self.gamma, self.K, self.N, self.s, self.d, self.equation, self.sum_range, self.nfast,
            self.drop_negative,
        )
        for name, v in (("gamma", gamma), ("s", s)):
            if np.ndim(v):
                raise ValueError(f"{name} must be a scalar here; got an array of shape {np.shape(v)}")
        summation, integral_limits = _check_summation(self.summation, self.integral_limits, equation)
        _check_cost(K=K, N=N, d=d, equation=equation, sum_range=sum_range, solve=False)
        for name, v in (("gamma", float(gamma)), ("K", K), ("N", N), ("s", float(s)), ("d", d),
                        ("equation", equation), ("sum_range", sum_range), ("nfast", nfast),
                        ("drop_negative", drop_negative), ("summation", summation),
                        ("integral_limits", integral_limits)):
            object.__setattr__(self, name, v)

    @classmethod
    def from_parameters(cls, p, **options):
        """The model of a :class:`~nblm_helpers.parameters.Parameters` ``p``.

        Takes ``gamma``, ``K``, ``N``, ``s`` and ``d`` (1 if unset) from ``p``;
        ``options`` are ``equation``, ``sum_range``, ``nfast``, ``drop_negative``, ``summation``,
        ``integral_limits``.
        ``p.eps`` (or ``p.Xi``) is the argument of the methods, e.g.
        ``MeanFieldModel.from_parameters(p).solve(p.eps)``.

        Raises
        ------
        ValueError
            If ``p`` is not a ``Parameters``, lacks one of ``gamma``, ``K``,
            ``N``, ``s``, or an option is unknown or invalid.
        """
        if not isinstance(p, Parameters):
            raise ValueError(f"p must be a nblm_helpers.Parameters; got {type(p).__name__}")
        missing = [name for name in ("gamma", "K", "N", "s") if getattr(p, name) is None]
        if missing:
            raise ValueError(f"Parameters lacks {', '.join(missing)}, which the mean-field model needs; got {p!r}")
        unknown = sorted(set(options) - {"equation", "sum_range", "nfast", "drop_negative", "summation",
                                         "integral_limits"})
        if unknown:
            raise ValueError(f"unknown option(s) {unknown}; MeanFieldModel takes equation, sum_range, nfast, "
                             "drop_negative, summation, integral_limits")
        return cls(gamma=p.gamma, K=p.K, N=p.N, s=p.s, d=1 if p.d is None else p.d, **options)

    def _params(self):
        return (self.gamma, self.K, self.N, self.s, self.d, self.equation, self.sum_range, self.nfast,
                self.drop_negative)

    def _summation(self):
        return (self.summation, self.integral_limits)

    def ratio(self, ln_Gamma, eps=None, *, Xi=None):
        """:math:`F(\\Gamma)` as ``(ln|F|, sign F)``; see :func:`~nblm_helpers.meanfield.self_consistency_ratio`."""
        return _ratio(ln_Gamma, resolve_eps(eps, Xi, self.K), *self._params(), *self._summation())

    def ln_F0(self, eps=None, *, Xi=None):
        """:math:`F(\\Gamma\\to0^+)` as ``(ln|F0|, sign)``; see :func:`~nblm_helpers.meanfield.ln_F_zero`."""
        e = resolve_eps(eps, Xi, self.K)
        return _ratio(-np.inf * np.ones_like(np.asarray(e, dtype=float)), e, *self._params(), *self._summation())

    def F0(self, eps=None, *, Xi=None):
        """:math:`F(\\Gamma\\to0^+)` as a number (``inf`` where divergent); see :func:`~nblm_helpers.meanfield.F_zero`."""
        return _F_value(*self.ln_F0(eps, Xi=Xi))

    def solve(self, eps=None, *, Xi=None, warn=True):
        """The self-consistent linewidth; see :func:`~nblm_helpers.meanfield.solve_linewidth`."""
        e = resolve_eps(eps, Xi, self.K)
        _check_cost(K=self.K, N=self.N, d=self.d, equation=self.equation, sum_range=self.sum_range, solve=True)
        return _solve(e, "eps" if Xi is None else "Xi", *self._params(), warn, *self._summation())

    def critical_eps(self):
        """:math:`\\varepsilon_c` at this ``gamma``; see :func:`~nblm_helpers.meanfield.critical_eps`."""
        _check_critical_cost(self.K, self.N, self.equation)
        return _critical_eps(np.asarray(self.gamma, dtype=float), K=self.K, N=self.N, s=self.s, d=self.d,
                             equation=self.equation, sum_range=self.sum_range, nfast=self.nfast,
                             summation=self.summation, integral_limits=self.integral_limits)
