"""Self-consistent mean-field linewidth of nearly-MBL metals (Secs. IV D, V; App. E).

Gopalakrishnan & Nandkishore, PRB 90, 224203 (2014).

Units and conventions
---------------------
* Energies in units of :math:`\\delta_m` (set :math:`\\delta_m = 1`):
  ``gamma`` is :math:`\\gamma/\\delta_m`, the linewidth ``Gamma`` is
  :math:`\\Gamma/\\delta_m`, times are in units of :math:`1/\\delta_m`.
* :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)` (the definition printed in App. E is
  garbled).  The keyword ``xi`` is the Fock-space localization length
  :math:`\\Xi`; give ``eps`` or ``xi``, not both.  With it
  :math:`e^{-2m(1/\\Xi - \\ln K)} = K^{2m\\varepsilon}`.
* ``m = n + p`` is the total rearrangement order of Eq. (19).
* Everything is computed in :math:`x = \\ln\\Gamma` and as
  :math:`(\\ln|F|, \\mathrm{sign}\\,F)` with signed log-sum-exp, so
  :math:`\\ln\\Gamma \\approx -10^4` is fine.

The self-consistency ratio
--------------------------
Eq. (19) reads :math:`\\Gamma = \\Gamma\\,F(\\Gamma)` with

.. math::
    F(\\Gamma) = \\gamma^2 \\sum_{m\\ge 2} w_m
    \\frac{K^{2m\\varepsilon}\\, n_m}{1 + (\\Gamma\\, n_m K^m)^2},
    \\qquad n_m = n_{\\rm fast}(t = K^m),

so :math:`\\Gamma = 0` always solves it and a non-trivial solution has
:math:`F(\\Gamma) = 1`.  Options:

``equation="19"``   Eqs. (19)-(20).  Domain :math:`\\Gamma < \\gamma` (Eq. 20).
    ``sum_range="infinite"``: :math:`n, p \\ge 1` unbounded, :math:`w_m = m-1`.
    ``sum_range="square"``: :math:`1 \\le n, p \\le N`,
    :math:`w_m = \\min(m-1, 2N+1-m)`, :math:`m \\le 2N`.
    ``nfast="literal"``: Eq. (20) branch by branch (see :func:`n_fast`).
    ``nfast="continuous"``: :math:`n = \\max(1, sN\\ln_+^d(\\gamma\\min(t, 1/\\Gamma)))`.
``equation="E3"``   App. E, Eq. (E3) literally:
    :math:`F = \\gamma^2\\sum_{m=2}^{2N}(m-1)\\, sN K^{2m\\varepsilon} L_m^d /
    (1 + \\Gamma^2K^{2m}s^2N^2L_m^{2d})`, :math:`L_m = \\ln(\\gamma K^m)`.
    Terms with :math:`L_m < 0` and odd ``d`` are negative and are kept
    (``drop_negative=True`` removes them).  No saturation of :math:`n_{\\rm fast}`
    and no :math:`\\Gamma < \\gamma` domain limit.  ``sum_range`` and ``nfast``
    are validated but ignored (E3 fixes both).
``equation="E2"``   Eq. (E2): the same summand summed over the square
    :math:`1 \\le n,p \\le N`, i.e. multiplicity :math:`\\min(m-1, 2N+1-m)`.
    E3 claims to be a rewriting of E2 but uses :math:`m-1` for all
    :math:`m \\le 2N` (a paper inconsistency); ``"E2"`` is the consistent form.

Monotonicity facts used by the solver
-------------------------------------
Each term is :math:`c_m n/(1+u)`, :math:`u = (\\Gamma n K^m)^2`, and
:math:`\\nu = d\\ln n/dx \\in [-\\delta, 0]` (only the saturated branch depends
on ``x``), so :math:`d\\ln(\\mathrm{term})/dx = \\nu - \\tfrac{u}{1+u}(2+2\\nu)`
lies in :math:`[-(2+\\delta), \\max(0,\\delta-2)]`; a sum of positive terms
inherits the bound.  Hence, for Eq. (19) (both ranges, both readings of Eq. 20),
:math:`d\\ln F/dx \\in [-(2+\\delta), \\max(0, \\delta-2)]` with
:math:`\\delta = d/\\ln(\\gamma/\\Gamma)`: :math:`F` is non-increasing for
:math:`\\ln(\\gamma/\\Gamma) \\ge d/2`, and every term is bounded by its
:math:`\\Gamma \\to 0` value, so :math:`F(\\Gamma) \\le F(0^+)`: *localized
iff* :math:`F(0^+) \\le 1`.  For E2/E3, :math:`dF/dx \\in [-2P, 2Q]` with
:math:`P, Q` the sums of the positive and of the absolute negative terms
(both non-increasing in ``x``).  These bounds make the bracket scan rigorous:
a grid cell is discarded only when the bound proves it has no root.

Validity contract
-----------------
Every public function returns within seconds and bounded memory, warns, or
raises ``ValueError`` naming the parameter, its value and the allowed range:

* :func:`solve_linewidth` warns (:class:`~nblm_helpers.parameters.ValidityWarning`,
  unless ``warn=False``) when a root violates Eq. (23), (26) or (27), or a
  point has status ``"above_gamma"``.  The other functions evaluate the
  equations as mathematical objects (:math:`F`, :math:`F_0`, the boundary
  :math:`F_0 = 1`) and do not warn; whether a boundary point lies inside
  Eq. (23) is what :func:`critical_coupling_eq23_edge` and
  :mod:`~nblm_helpers.validity` answer.
* Work limits (``ValueError`` beyond them): ``sum_range="square"`` needs
  ``N <= 20000``; Eq. (19) needs ``K >= 1.00013`` (its crossover spans
  ~25/ln K explicit terms) unless the square sum is shorter; E2/E3 need
  ``N <= sqrt(1.5e7 / ln K)`` for a solve (``N <= 3695`` at ``K = 3``) and
  ``N <= 10**6`` for an evaluation of :math:`F` (a tenth of the solve limit for
  :func:`critical_eps` / :func:`critical_xi`, which solve ~100 times); ``d <= 64``; the unbounded
  sum is summed explicitly up to order :math:`m = 10^7`, so a linewidth
  below :math:`\\ln\\Gamma \\approx -10^7\\ln K` (e.g. :math:`\\varepsilon = 0`
  with :math:`\\gamma \\lesssim 10^{-8}`) is refused, and so is a literal-
  reading boundary search that would examine more than 5000 drop points
  :math:`\\gamma = K^{-m}` (``K`` very close to 1).  One :func:`solve_linewidth`
  call solves at most 20000 distinct points (split larger sweeps).  The
  :math:`F_0` boundary helpers sum at most 50000 head terms before
  :math:`n_{\\rm fast}` leaves its first branch (about :math:`\\ln(1/\\gamma)/\\ln K`,
  more for the continuous reading with tiny :math:`sN`), and
  :func:`eps_at_linewidth` targets :math:`\\ln\\Gamma \\ge -2\\cdot10^5\\ln K`.
* ``ln_gamma = -inf`` means :math:`\\Gamma = 0` (localized); ``F0 = inf``
  means the unbounded sum diverges (:math:`\\varepsilon \\ge 0`); no result is NaN.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import elementwise as _elementwise
from scipy.special import logsumexp

from ._roots import brentq_or_bisect
from .parameters import (
    ValidityWarning,
    check_broadcast,
    check_scalar,
    check_branching,
    check_choice,
    check_dimension,
    check_ln_rate,
    check_positive,
    check_positive_int,
    check_real,
    check_unit_interval,
    resolve_eps,
)
from .saddle_point import saddle_point_ln_linewidth  # re-exported
from .validity import condition_23, condition_26, condition_27

__all__ = [
    "LinewidthResult",
    "solve_linewidth",
    "self_consistency_ratio",
    "n_fast",
    "ln_n_fast",
    "ln_F_zero",
    "F_zero",
    "bath_lineshape",
    "saddle_point_ln_linewidth",
    "EQUATIONS",
    "SUM_RANGES",
    "NFAST_READINGS",
]

EQUATIONS = ("19", "E3", "E2")
SUM_RANGES = ("infinite", "square")
NFAST_READINGS = ("literal", "continuous")

_LN_TAU_LO = math.log(1e-17)  # scan ends: where tau = Gamma n K^m (u = tau^2) is negligible
# Eq. 19 is summed as a prefix table (m < Mlo, where tau < 1e-9: 1/(1+u) = 1 to < 1e-18),
# an explicit band, and a series tail (m >= Mhi, where tau > 1e2: 1/(1+u) expanded in 1/u)
_BAND_LO = math.log(1e-9)
_BAND_HI = math.log(1e2)
_J_TAIL = 5  # terms of the tail series: error <= u^-6 <= 1e-24 relative
_DOMAIN_GAP = 1e-9  # Eq. 19 scan stops at ln Gamma = ln gamma - 1e-9
_CHUNK = 1_500_000  # array elements per evaluation chunk
_TABLE_BUDGET = 4_000_000  # prefix-table elements per column chunk
_MAX_ORDER = 10_000_000  # largest rearrangement order m summed explicitly (~80 MB per column)
_ORDER_FLOOR = _MAX_ORDER - 256  # ln Gamma >= -_ORDER_FLOOR ln K keeps every table within _MAX_ORDER
_ROOT_TOL = 1e-10  # |ln F| at an accepted root
# Work limits (a call answers within seconds and bounded memory, or refuses with a ValueError):
_MAX_N_SQUARE = 20_000  # square sum: 2N terms per evaluation and a 2N+1 prefix table per column
_MAX_BAND = 200_000  # Eq. 19: explicit crossover terms per evaluation, ~ln(1e11)/ln K
_MAX_N_APP_RATIO = 1_000_000  # E2/E3: 2N terms per evaluation of F
_APP_SCAN_BUDGET = 2e7  # E2/E3 solve: (2N terms) x (~2N ln K / 3 scan points) per column
_MAX_D = 64  # spatial dimension: the closed-form tail expands (a + m ln K)^d in d + 2 Eulerian terms
_MAX_NODES = 5000  # literal Eq. 20: F0 drops at gamma = K^-m; at most this many are examined
_MAX_HEAD = 50_000  # F0 boundary searches: explicit head terms 2 <= m < M0 per evaluation
_MAX_ORDER_CONTOUR = 200_000  # eps_at_linewidth: deepest order (ln Gamma / ln K) of its target
_MAX_POINTS = 20_000  # distinct (eps, gamma, s) points of one solve_linewidth call (~1-2 s)


# --------------------------------------------------------------------------
# small numerical helpers
# --------------------------------------------------------------------------


def _slse(a, b, axis=-1):
    """Signed log-sum-exp: ``(ln|sum b e^a|, sign)`` along ``axis``.

    Same result as ``scipy.special.logsumexp(a, b=b, return_sign=True)``
    (max-shifted, so no overflow), but several times faster on the small
    trailing axes used here.  Rows that are all ``-inf`` give ``(-inf, 0)``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        mx = np.max(a, axis=axis, keepdims=True)
        mx = np.where(np.isfinite(mx), mx, 0.0)
        tot = np.sum(b * np.exp(a - mx), axis=axis)
        out = np.squeeze(mx, axis=axis) + np.log(np.abs(tot))
    return out, np.sign(tot)


def _find_root(func, a, b, args=(), *, xatol, xrtol, fatol, maxiter):
    """SciPy's vectorized Chandrupatla, ``scipy.optimize.elementwise.find_root`` (``frtol=0``).

    ``func(x, *args)`` is elementwise; ``a``, ``b`` and ``args`` are 1-D arrays
    of one length.  Returns ``(x, f_x, xl, xr, fl, fr, status)``: the iterate
    of smallest ``|f|``, the final bracket and its values, SciPy's status.
    """
    res = _elementwise.find_root(
        func, (np.asarray(a, float), np.asarray(b, float)), args=tuple(args),
        tolerances=dict(xatol=xatol, xrtol=xrtol, fatol=fatol, frtol=0.0), maxiter=maxiter,
    )
    return (np.asarray(res.x, float), np.asarray(res.f_x, float), res.bracket[0], res.bracket[1],
            res.f_bracket[0], res.f_bracket[1], res.status)


def _cum_lse(lam, block=64):
    """C[..., k] = ln sum_{i<k} exp(lam[..., i]) for k = 0..n (accurate).

    Blockwise: exact linear cumulative sums inside blocks of ``block``
    entries (scaled by the block maximum), log-space accumulation across
    blocks.  Relative error ~ (block + n/block) * 1e-16.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _cum_lse_impl(lam, block)


def _cum_lse_impl(lam, block):
    lead = lam.shape[:-1]
    n = lam.shape[-1]
    nb = max(1, -(-n // block))
    pad = np.full(lead + (nb * block,), -np.inf)
    pad[..., :n] = lam
    L = pad.reshape(lead + (nb, block))
    mx = L.max(axis=-1)
    mx = np.where(np.isfinite(mx), mx, 0.0)
    cs = np.cumsum(np.exp(L - mx[..., None]), axis=-1)
    lcs = mx[..., None] + np.log(cs)
    tot = lcs[..., -1]
    acc = np.logaddexp.accumulate(tot, axis=-1)
    excl = np.concatenate([np.full(lead + (1,), -np.inf), acc[..., :-1]], axis=-1)
    incl = np.logaddexp(excl[..., None], lcs).reshape(lead + (nb * block,))[..., :n]
    return np.concatenate([np.full(lead + (1,), -np.inf), incl], axis=-1)


def _eulerian(p):
    """Eulerian numbers A(p, i), i = 0..p-1 (p >= 1), as Python ints."""
    row = [1]
    for n in range(2, p + 1):
        new = [0] * n
        for i in range(n):
            left = row[i - 1] if 0 <= i - 1 < len(row) else 0
            here = row[i] if i < len(row) else 0
            new[i] = (i + 1) * here + (n - i) * left
        row = new
    return row




def _ln_unsat_tail(M, eps, a, lnsN, d, ell):
    """ln sum_{m >= M} (m-1) e^lnsN (a + m l)^d K^{2 m eps} (l = ln K), eps < 0, a + M l >= 0.

    ``M``, ``eps``, ``a`` (= ln gamma) and ``lnsN`` (= ln s N) broadcast
    elementwise.  Closed form with non-negative coefficients (no
    cancellation): expand in j = m - M and use
    sum_j j^p q^j = q A_p(q)/(1-q)^(p+1).
    """
    b = a + M * ell
    with np.errstate(divide="ignore"):
        lnb = np.log(b)
    lnq = 2.0 * eps * ell
    ln1mq = np.log(-np.expm1(lnq))
    terms = []
    for p in range(d + 2):
        pieces = []
        if p <= d:
            e = (d - p) * lnb if d - p > 0 else 0.0
            pieces.append(np.log(M - 1.0) + math.log(math.comb(d, p)) + e + p * math.log(ell))
        if p >= 1:
            e = (d - p + 1) * lnb if d - p + 1 > 0 else 0.0
            pieces.append(math.log(math.comb(d, p - 1)) + e + (p - 1) * math.log(ell))
        lncp = pieces[0] if len(pieces) == 1 else np.logaddexp(pieces[0], pieces[1])
        if p == 0:
            lnLi = -ln1mq
        else:
            A = _eulerian(p)
            lnAq = (
                np.array([math.log(c) for c in A])[None, :]
                + np.arange(p)[None, :] * np.atleast_1d(lnq)[:, None]
            )
            # (logsumexp of a single term is that term, exactly)
            lnA = lnAq[:, 0] if p == 1 else logsumexp(lnAq, axis=1)
            lnLi = lnq + lnA - (p + 1) * ln1mq
        terms.append(lncp + lnLi)
    tot = logsumexp(np.stack(np.broadcast_arrays(*terms), axis=0), axis=0)
    return lnsN + M * lnq + tot


def _ln_n_unsat(L, lnsN, d, literal):
    """ln n_fast of Eq. (20) below saturation, from ``L = ln(gamma t)``.

    Literal reading: 1 for ``gamma t <= 1`` (the first branch includes the
    tie gamma t = 1), else ``s N ln^d(gamma t)``.  Continuous reading:
    ``max(1, s N ln_+^d(gamma t))``.  ``L`` and ``lnsN`` broadcast.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(L > 0, lnsN + d * np.log(np.where(L > 0, L, 1.0)), -np.inf)
    return np.where(L <= 0, 0.0, v) if literal else np.maximum(0.0, v)


# --------------------------------------------------------------------------
# the model: evaluation of ln F for batches of (x = ln Gamma, column) points
# --------------------------------------------------------------------------


class _Model:
    """Evaluates ln|F| for points (x, column); one column per (eps, gamma, s).

    Eq. 19: ``gamma`` and ``s`` are scalars or arrays of one value per
    column (``eps.size``); ``self.gamma``, ``self.s``, ``self.a = ln gamma``
    and ``self.lnsN = ln(s N)`` are then float64 arrays of length ``ncol``
    (each entry computed with :func:`math.log` exactly as for a scalar, so a
    column's values do not depend on its companions).  E2/E3: scalars only.
    """

    def __init__(self, *, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative, eps):
        self.K, self.N, self.d = K, N, d
        self.ell = math.log(K)
        self.equation = equation
        self.eps = np.atleast_1d(np.asarray(eps, dtype=float))
        self.ncol = self.eps.size
        self._opts = dict(K=K, N=N, d=d, equation=equation, sum_range=sum_range, nfast=nfast,
                          drop_negative=drop_negative)
        if equation != "19":
            if np.ndim(gamma) or np.ndim(s):  # pragma: no cover - solve_linewidth groups E2/E3 columns
                raise ValueError("internal error: E2/E3 model needs scalar gamma and s")
            self.gamma, self.s = float(gamma), float(s)
            self.a = math.log(self.gamma)
            self.lnsN = math.log(self.s * N)
        else:
            g = np.broadcast_to(np.asarray(gamma, dtype=float), self.eps.shape).copy()
            sv = np.broadcast_to(np.asarray(s, dtype=float), self.eps.shape).copy()
            self.gamma, self.s = g, sv
            # math.log per distinct value: bit-identical to the scalar model's math.log(gamma)
            self.a = np.array([math.log(v) for v in g.tolist()])
            self.lnsN = np.array([math.log(v * N) for v in sv.tolist()])
            # one (gamma, s) for all columns: the per-m factor ln n_m^(0) is a shared 1-D table
            self.uniform = bool(np.all(g == g[0]) and np.all(sv == sv[0])) if self.ncol else True
        if equation == "19":
            self.kind = "inf" if sum_range == "infinite" else "sq"
            self.literal = nfast == "literal"
            # prefix table: T[c, 0..Mcol[c]] at _Tf[_off[c]:], one flat array; see ensure_table
            self._Tf = np.empty(0)
            self._off = np.zeros(self.ncol, dtype=np.int64)
            self._Mcol = np.zeros(self.ncol, dtype=np.int64)
            # ln w_m and (uniform gamma, s only) ln n_m^(0) at m = 0, 1, 2, ...
            # (Gamma-independent per-m factors); per-column n_m^(0) are computed where used
            self._lnw_m = np.empty(0)
            self._nfU_m = np.empty(0)
            if self.kind == "sq":
                self.ensure_table(2 * N + 1)
        else:
            self.kind = "app"
            m = np.arange(2, 2 * N + 1, dtype=float)
            L = self.a + m * self.ell
            sg = np.sign(L) ** d
            if drop_negative:
                sg = np.where(sg < 0, 0.0, sg)
            if equation == "E3":
                w = m - 1.0
            else:
                w = np.minimum(m - 1.0, 2 * N + 1.0 - m)
            with np.errstate(divide="ignore"):
                lnL = np.log(np.abs(L))
            self.m = m
            self.sg = sg
            self.ln_nf = np.where(sg != 0, self.lnsN + d * lnL, -np.inf)
            self.ln_c = np.where(sg != 0, np.log(w) + self.ln_nf, -np.inf)
            self.has_neg = bool(np.any(sg < 0))
            self.has_terms = bool(np.any(sg != 0))

    # ---------------- Eq. 19 pieces ----------------
    def sub(self, cols):
        """The Eq. 19 model of the columns ``cols`` (their eps, gamma and s)."""
        cols = np.asarray(cols, dtype=np.int64)
        return _Model(eps=self.eps[cols], gamma=self.gamma[cols], s=self.s[cols], **self._opts)

    def ln_nfU(self, m, a=None, lnsN=None):
        """ln n_fast(K^m) for Gamma -> 0 (unsaturated), Eq. 20.

        ``a = ln gamma`` and ``lnsN = ln(s N)`` broadcast against ``m``
        (default: the common values of a uniform model).
        """
        if a is None:
            a, lnsN = float(self.a[0]), float(self.lnsN[0])
        return _ln_n_unsat(a + m * self.ell, lnsN, self.d, self.literal)

    def ln_w(self, m):
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "inf":
                return np.log(m - 1.0)
            w = np.minimum(m - 1.0, 2 * self.N + 1.0 - m)
            return np.where(w > 0, np.log(np.where(w > 0, w, 1.0)), -np.inf)

    def _ensure_m(self, M):
        """Per-m lookup tables ln w_m (and, if uniform, ln n_m^(0)) for m = 0 .. M-1 (at least)."""
        if M <= self._lnw_m.size:
            return
        m = np.arange(max(int(M), 2 * self._lnw_m.size, 64), dtype=float)
        self._lnw_m = self.ln_w(m)
        if self.uniform:
            self._nfU_m = self.ln_nfU(m)

    def ensure_table(self, M, cols=None):
        """Prefix table T[c, M] = ln sum_{m=2}^{M-1} w_m K^{2 m eps_c} n_m^(0).

        ``M`` is a length for every column or one per column of ``cols``
        (default: all columns).  Each row is built only as long as its own
        column needs (a row's values do not depend on its length), in a few
        rectangular groups of similar lengths, and appended to one flat array
        (a row that has to grow is appended anew).
        """
        cols = np.arange(self.ncol) if cols is None else np.asarray(cols, dtype=np.int64)
        need = np.broadcast_to(np.asarray(M, dtype=np.int64), cols.shape)
        grow = need > self._Mcol[cols]
        if not np.any(grow):
            return
        cols, need = cols[grow], need[grow]
        if self.kind == "sq":
            new = np.full(cols.size, 2 * self.N + 1, dtype=np.int64)
        else:
            if need.max() > _MAX_ORDER:
                eps = np.atleast_1d(self.eps)
                g = self.gamma
                gtxt = f"gamma={g[0]:g}" if self.uniform else f"gamma in [{g.min():g}, {g.max():g}]"
                raise ValueError(
                    f"the linewidth for {gtxt}, K={self.K:g}, eps in [{eps.min():g}, {eps.max():g}] lies "
                    f"below ln(Gamma) ~ {-(_MAX_ORDER * self.ell):.3g} = -{_MAX_ORDER:.0e} ln K, beyond the "
                    f"solver's range (rearrangement orders m <= {_MAX_ORDER:.0e}); Gamma is 0 to any precision "
                    "there and far outside the validity window (Eq. 27). Use a larger gamma or K, or move eps "
                    "away from the transition."
                )
            new = np.maximum(np.maximum(need, 2 * self._Mcol[cols]), 64)
        self._ensure_m(int(new.max()))
        blocks = [self._Tf]
        size = self._Tf.size
        order = np.argsort(-new, kind="stable")
        cols, new = cols[order], new[order]
        i = 0
        while i < cols.size:  # groups whose lengths are within a factor 2 of the longest
            M_g = int(new[i])
            j = i + int(np.count_nonzero(2 * new[i:] >= M_g))
            g = cols[i:j]
            m = np.arange(M_g, dtype=float)
            if self.uniform:
                base = np.where(m >= 2, self._lnw_m[:M_g] + self._nfU_m[:M_g], -np.inf)[None, :]
            else:  # the same values, row by row
                nfU = self.ln_nfU(m[None, :], self.a[g][:, None], self.lnsN[g][:, None])
                base = np.where(m >= 2, self._lnw_m[:M_g] + nfU, -np.inf)
            lam = base + 2.0 * self.ell * self.eps[g][:, None] * m[None, :]
            lam[:, :2] = -np.inf
            blocks.append(_cum_lse(lam).ravel())  # rows of M_g + 1 entries, appended
            self._off[g] = size + (M_g + 1) * np.arange(g.size)
            self._Mcol[g] = M_g
            size += (M_g + 1) * g.size
            i = j
        self._Tf = np.concatenate(blocks)

    def table(self, col, M):
        """T[col, M] (entries made by :meth:`ensure_table`)."""
        return self._Tf[self._off[col] + M]

    def _Mlo_Mhi(self, x, col):
        """Band [Mlo, Mhi) of explicit terms at each x (call inside np.errstate(all="ignore"))."""
        A = self.a[col] - x
        t = self.lnsN[col] + self.d * np.log(A)
        ln_c = t if self.literal else np.maximum(0.0, t)
        ln_nfmax = np.maximum(0.0, t)
        Msat = np.ceil(-x / self.ell)
        Mlo = np.floor((_BAND_LO - x - ln_nfmax) / self.ell)
        Mlo = np.minimum(Mlo, Msat - 1.0)
        if self.kind == "sq":
            Mlo = np.clip(Mlo, 2.0, 2.0 * self.N + 1.0)
            Mhi = np.full_like(Mlo, 2.0 * self.N + 1.0)
        else:
            Mlo = np.maximum(Mlo, 2.0)
            Mhi = np.maximum(Msat + 1.0, np.ceil((_BAND_HI - x - ln_c) / self.ell) + 1.0)
            Mhi = np.maximum(Mhi, Mlo)
        return Mlo, Mhi, ln_c

    def _lnF19(self, x, col, Mlo, Mhi, ln_c):
        """ln|F|, sign at points x (columns col) with their bands from :meth:`_Mlo_Mhi`.

        F = gamma^2 [prefix (table, m < Mlo) + explicit band (Mlo <= m < Mhi)
        + tail series (m >= Mhi, infinite sum only)].  The terms of a point
        are laid out along axis 0 and summed in a fixed order, so a point's
        value does not depend on the other points evaluated with it (the
        band is padded with -inf up to the widest band of the batch).
        Call inside np.errstate(all="ignore").
        """
        n = x.size
        ell = self.ell
        Mlo_i = Mlo.astype(np.int64)
        W = max(int((Mhi - Mlo).max()), 1) if n else 1
        self._ensure_m((int(Mlo_i.max()) if n else 0) + W)
        J = _J_TAIL if self.kind == "inf" else 0
        eps = self.eps[col]
        a = self.a[col]
        A = np.empty((1 + J + W, n))  # rows: prefix, tail j = 1..J, band m = Mlo + k
        A[0] = self._Tf[self._off[col] + Mlo_i]
        mi = Mlo_i + np.arange(W)[:, None]
        m = mi.astype(float)
        xm = m * ell
        xm += x  # ln(Gamma K^m)
        ln_nf = self._nfU_m[mi] if self.uniform else self.ln_nfU(m, a, self.lnsN[col])
        np.copyto(ln_nf, ln_c, where=xm >= 0)  # saturated branch for K^m >= 1/Gamma
        band = A[1 + J :]
        np.take(self._lnw_m, mi, out=band)
        band += (2.0 * ell * eps) * m
        band += ln_nf
        xm += ln_nf
        xm *= 2.0
        band -= np.logaddexp(0.0, xm, out=xm)  # ln(1 + u), u = (Gamma n K^m)^2
        np.copyto(band, -np.inf, where=m >= Mhi)
        if J:
            j = np.arange(1, J + 1, dtype=float)[:, None]
            lnr = 2.0 * ell * (eps - j)
            ln1mr = np.log(-np.expm1(lnr))
            lnS = Mhi * lnr + np.logaddexp(np.log(Mhi - 1.0) - ln1mr, lnr - 2.0 * ln1mr)
            A[1 : 1 + J] = (1.0 - 2.0 * j) * ln_c - 2.0 * j * x + lnS
        mx = np.max(A, axis=0)
        mx = np.where(np.isfinite(mx), mx, 0.0)
        A -= mx
        E = np.exp(A, out=A)
        if J:
            E[2 : 1 + J : 2] *= -1.0  # sign (-1)^(j+1): row j holds tail term j
        # sequential sum over the rows (the -inf padding adds exact zeros last);
        # add.reduce over axis 0 is sequential for n > 1, pairwise for n == 1
        tot = np.add.reduce(E, axis=0) if n > 1 else np.add.accumulate(E, axis=0)[-1]
        return 2.0 * a + (mx + np.log(np.abs(tot))), np.sign(tot)

    # ---------------- App. E pieces ----------------
    def _app_terms(self, x, col):
        eps = self.eps[col]
        m = self.m[None, :]
        with np.errstate(invalid="ignore"):
            den = np.logaddexp(0.0, 2.0 * (x[:, None] + m * self.ell + self.ln_nf[None, :]))
        lt = self.ln_c[None, :] + 2.0 * self.ell * eps[:, None] * m - den
        return np.where(self.sg[None, :] != 0, lt, -np.inf)

    def _lnF_app(self, x, col, parts=False):
        lt = self._app_terms(x, col)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            mx = np.max(lt, axis=1, keepdims=True)
            mx = np.where(np.isfinite(mx), mx, 0.0)
            e = np.exp(lt - mx)
            mx = mx[:, 0] + 2.0 * self.a
            # plain row sums (not BLAS matmul) so a row's value does not
            # depend on how many rows are evaluated together
            P = np.sum(np.where(self.sg > 0, e, 0.0), axis=1)
            Q = np.sum(np.where(self.sg < 0, e, 0.0), axis=1)
            tot = P - Q
            lnF = mx + np.log(np.abs(tot))
            s = np.sign(tot)
            if not parts:
                return lnF, s
            return lnF, s, mx + np.log(P), mx + np.log(Q)

    # ---------------- public-ish evaluation ----------------
    def lnF(self, x, col, parts=False):
        """(ln|F|, sign[, lnP, lnQ]) at flat arrays x (finite) and col (int)."""
        x = np.asarray(x, dtype=float).ravel()
        col = np.asarray(col, dtype=np.int64).ravel()
        n = x.size
        width = 2 * self.N if self.kind == "app" else 64
        step = max(1, _CHUNK // max(width, 1))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            if self.kind == "app":
                if n <= step:
                    outs = self._lnF_app(x, col, parts=parts)
                else:
                    outs = [np.empty(n) for _ in range(4 if parts else 2)]
                    for i0 in range(0, n, step):
                        sl = slice(i0, i0 + step)
                        for k, v in enumerate(self._lnF_app(x[sl], col[sl], parts=parts)):
                            outs[k][sl] = v
            else:
                Mlo, Mhi, ln_c = self._Mlo_Mhi(x, col)
                if self.kind == "inf" and n:
                    Mneed = Mlo.astype(np.int64) + 1
                    if np.any(Mneed > self._Mcol[col]):
                        need = np.zeros(self.ncol, dtype=np.int64)
                        np.maximum.at(need, col, Mneed)
                        self.ensure_table(need)
                band = (Mhi - Mlo) + (1 + _J_TAIL)  # rows of a point's term array
                if n <= step and n * float(band.max(initial=0.0)) <= _CHUNK:
                    outs = self._lnF19(x, col, Mlo, Mhi, ln_c)
                else:  # chunks of similar band width, each at most ~_CHUNK elements
                    outs = (np.empty(n), np.empty(n))
                    order = np.argsort(Mhi - Mlo, kind="stable")
                    i0 = 0
                    while i0 < n:
                        # the widest band of the chunk is its last (sorted ascending)
                        rows = max(1, min(step, int(_CHUNK // band[order[min(i0 + step, n) - 1]])))
                        while rows > 1 and rows * band[order[min(i0 + rows, n) - 1]] > _CHUNK:
                            rows //= 2
                        idx = order[i0 : i0 + rows]
                        i0 += rows
                        r = self._lnF19(x[idx], col[idx], Mlo[idx], Mhi[idx], ln_c[idx])
                        outs[0][idx], outs[1][idx] = r
                if parts:
                    outs = (outs[0], outs[1], outs[0], np.full(n, -np.inf))
        if np.any(np.isnan(outs[0])):  # pragma: no cover - internal guard
            raise RuntimeError("internal error: NaN in ln F")
        return tuple(outs)

    def lnF0(self):
        """(ln|F(0+)|, sign) per column; +inf where the infinite sum diverges."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            if self.kind == "app":
                lt = self.ln_c[None, :] + 2.0 * self.ell * self.eps[:, None] * self.m[None, :]
                lt = np.where(self.sg[None, :] != 0, lt, -np.inf)
                lnF, s = _slse(lt, np.broadcast_to(self.sg[None, :], lt.shape), axis=1)
                return lnF + 2.0 * self.a, s
            if self.kind == "sq":
                return self.table(np.arange(self.ncol), 2 * self.N + 1) + 2.0 * self.a, np.ones(self.ncol)
            out = np.full(self.ncol, np.inf)
            neg = self.eps < 0
            if np.any(neg):
                cols = np.nonzero(neg)[0]
                M0 = self._M0(cols)
                self.ensure_table(M0 + 1, cols)
                tail = self._ln_unsat_tail(M0.astype(float), self.eps[cols], cols)
                out[cols] = np.logaddexp(self.table(cols, M0), tail) + 2.0 * self.a[cols]
            return out, np.ones(self.ncol)

    def _M0(self, cols):
        """Per column of ``cols``: first m >= 2 from which n_m^(0) = s N (a + m l)^d exactly."""
        cols = np.asarray(cols, dtype=np.int64)
        if self.uniform and cols.size:
            return np.full(cols.size, self._M0_one(float(self.a[0]), float(self.lnsN[0])), dtype=np.int64)
        return np.array([self._M0_one(float(self.a[c]), float(self.lnsN[c])) for c in cols], dtype=np.int64)

    def _M0_one(self, a, lnsN):
        if self.literal:
            if -a / self.ell > _MAX_ORDER:
                raise ValueError(
                    f"gamma={math.exp(a):.3g} with K={self.K:g}: n_fast leaves its first branch only at order "
                    f"m ~ ln(1/gamma)/ln K = {-a / self.ell:.3g}, beyond the {_MAX_ORDER:.0e} orders summed "
                    "explicitly; use a larger gamma or K"
                )
            M0 = max(2, math.ceil(-a / self.ell))
            while a + M0 * self.ell <= 0:  # n_m = sN (a + m l)^d needs gamma K^m > 1
                M0 += 1
        else:
            thr = math.exp(min(-lnsN / self.d, 700.0))
            if (thr - a) / self.ell > _MAX_ORDER:
                raise ValueError(
                    f"s N = {math.exp(lnsN):.3g} is too small for nfast='continuous' with gamma="
                    f"{math.exp(a):.3g}, K={self.K:g}, d={self.d}: n_fast = max(1, sN ln^d(gamma K^m)) stays 1 "
                    f"up to order m ~ {(thr - a) / self.ell:.3g}, beyond the {_MAX_ORDER:.0e} orders summed "
                    "explicitly; use a larger s or N, or nfast='literal'"
                )
            M0 = max(2, math.ceil((thr - a) / self.ell))
            while self.ln_nfU(np.array([float(M0)]), a, lnsN)[0] <= 0 and (a + M0 * self.ell) < thr:
                M0 += 1
        return int(M0)

    def _ln_unsat_tail(self, M, eps, cols):
        """ln sum_{m >= M} (m-1) s N (a + m l)^d K^{2 m eps}, eps < 0, a + M l >= 0 (columns ``cols``).

        Closed form with non-negative coefficients (no cancellation):
        expand in j = m - M and use sum_j j^p q^j = q A_p(q)/(1-q)^(p+1).
        """
        return _ln_unsat_tail(M, eps, self.a[cols], self.lnsN[cols], self.d, self.ell)

    # ---------------- scan support ----------------
    def scan_values(self, x, col):
        """Scan function f (ln F for Eq. 19, F - 1 for E2/E3) and aux data."""
        if self.kind == "app":
            lnF, s, lnP, lnQ = self.lnF(x, col, parts=True)
            f = s * np.exp(np.minimum(lnF, 700.0)) - 1.0
            near = (s > 0) & (lnF < 700.0)
            f = np.where(near, np.expm1(np.minimum(lnF, 700.0)), f)
            return f, (lnF, s, lnP, lnQ)
        lnF, _ = self.lnF(x, col)
        return lnF, None

    def root_fn(self, x, col):
        f, _ = self.scan_values(x, np.asarray(col).astype(np.int64))
        return f

    def exclude(self, xl, xr, fl, fr, auxl, auxr, col):
        """True where the derivative bound proves the cell has no root."""
        dx = xr - xl
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            if self.kind == "app":
                lnF, s, lnP, lnQ = auxl
                S = np.maximum(np.maximum(lnP, lnQ), 0.0)
                sc = np.exp(-S)
                # (F - 1) e^-S at both ends; f = F - 1 is capped at e^700, so where
                # ln F >= 700 the scaled value is formed in logs (it is O(1) there)
                gl = np.where(lnF < 700.0, fl * sc, s * np.exp(lnF - S) - sc)
                gr = np.where(auxr[0] < 700.0, fr * sc, auxr[1] * np.exp(auxr[0] - S) - sc)
                D = 2.0 * np.exp(lnP - S)
                U = 2.0 * np.exp(lnQ - S)
            else:
                gl, gr = fl, fr
                delta = self.d / (self.a[col] - xr)
                D = 2.0 + delta
                U = np.maximum(0.0, delta - 2.0)
            tot = U + D
            safe = np.where(tot > 0, tot, 1.0)
            maxb = np.where(tot > 0, (D * gl + U * gr + U * D * dx) / safe, np.maximum(gl, gr))
            minb = np.where(tot > 0, (U * gl + D * gr - U * D * dx) / safe, np.minimum(gl, gr))
        both_neg = (gl < 0) & (gr < 0) & (maxb < 0)
        both_pos = (gl > 0) & (gr > 0) & (minb > 0)
        return both_neg | both_pos


# --------------------------------------------------------------------------
# root scan
# --------------------------------------------------------------------------


def _scan_roots(model, grid, max_depth=48):
    """Every root of the scan function on per-row grids (rows = columns).

    Returns a list (one per row) of lists of (x_root, downward, residual).
    """
    ncol, npt = grid.shape
    cols = np.repeat(np.arange(ncol), npt)
    f, aux = model.scan_values(grid.ravel(), cols)
    f = f.reshape(ncol, npt)
    out = [[] for _ in range(ncol)]
    # exact zeros on the grid
    zr, zc = np.nonzero(f == 0.0)
    for r, c in zip(zr, zc):
        left = f[r, c - 1] if c > 0 else np.nan
        out[r].append((float(grid[r, c]), bool(left > 0) if c > 0 else True, 0.0))

    def take(arr, sl):
        return None if arr is None else tuple(a.reshape(ncol, npt)[:, sl].ravel() for a in arr)

    xl = grid[:, :-1].ravel()
    xr = grid[:, 1:].ravel()
    fl = f[:, :-1].ravel()
    fr = f[:, 1:].ravel()
    auxl = take(aux, slice(0, -1))
    auxr = take(aux, slice(1, None))
    cc = np.repeat(np.arange(ncol), npt - 1)
    br_l, br_r, br_c, br_fl = [], [], [], []
    for _depth in range(max_depth + 1):
        if xl.size == 0:
            break
        change = ((fl > 0) & (fr < 0)) | ((fl < 0) & (fr > 0))
        br_l.append(xl[change])
        br_r.append(xr[change])
        br_c.append(cc[change])
        br_fl.append(fl[change])
        same = ~change & (fl != 0) & (fr != 0)
        keep = same & ~model.exclude(xl, xr, fl, fr, auxl, auxr, cc)
        keep &= (xr - xl) > 1e-13 * np.maximum(1.0, np.abs(xl))
        if not np.any(keep) or _depth == max_depth:
            break
        xl, xr, fl, fr, cc = xl[keep], xr[keep], fl[keep], fr[keep], cc[keep]
        if auxl is not None:
            auxl = tuple(a[keep] for a in auxl)
            auxr = tuple(a[keep] for a in auxr)
        xm = 0.5 * (xl + xr)
        fm, auxm = model.scan_values(xm, cc)
        # new cells [xl, xm] and [xm, xr]; fm == 0 -> exact root
        zero = fm == 0.0
        for i in np.nonzero(zero)[0]:
            out[cc[i]].append((float(xm[i]), bool(fl[i] > 0), 0.0))
        xl, xr = np.concatenate([xl, xm]), np.concatenate([xm, xr])
        fl, fr = np.concatenate([fl, fm]), np.concatenate([fm, fr])
        cc = np.concatenate([cc, cc])
        if auxl is not None:  # cells [xl, xm] and [xm, xr]
            auxl, auxr = (tuple(np.concatenate([a, b]) for a, b in zip(auxl, auxm)),
                          tuple(np.concatenate([a, b]) for a, b in zip(auxm, auxr)))
    if br_l:
        bl = np.concatenate(br_l)
        brr = np.concatenate(br_r)
        bc = np.concatenate(br_c)
        bfl = np.concatenate(br_fl)
        if bl.size:
            rx, rf, rxl, rxr, rfl, rfr, _status = _find_root(
                model.root_fn,
                bl,
                brr,
                (bc.astype(float),),
                xatol=1e-15,
                # 4 ulp: a bracket of adjacent doubles meets it and ends the search (with
                # eps/2, never met for |x| > ~1, such brackets ran to maxiter: 5x slower widgets)
                xrtol=4 * np.finfo(float).eps,
                # |f| <= 1e-15 (ln F and F - 1 are rounded to steps of ~1e-16 to
                # 2e-15 near a root): without it, a root whose |f| stays one step
                # above 0 is approached by Chandrupatla's slow endgame (steps of
                # tol/2) up to maxiter.
                fatol=1e-15,
                # Chandrupatla falls back to bisection, so 80 steps shrink any bracket of
                # the scan below one ulp; without a cap a bracket already two ulps wide
                # whose |f| stays above fatol runs to scipy's default of thousands.
                maxiter=80,
            )
            # keep the best of the final iterate and the final bracket ends
            cand_x = np.stack([rx, rxl, rxr])
            cand_f = np.abs(np.stack([rf, rfl, rfr]))
            best = np.argmin(cand_f, axis=0)
            xs = np.take_along_axis(cand_x, best[None, :], axis=0)[0]
            resid = np.take_along_axis(cand_f, best[None, :], axis=0)[0]
            for x0, c, down, r in zip(xs, bc, bfl > 0, resid):
                out[int(c)].append((float(x0), bool(down), float(r)))
    for lst in out:
        lst.sort(key=lambda t: t[0])
    return out


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinewidthResult:
    """Solution of the mean-field self-consistency (returned by :func:`solve_linewidth`).

    Attributes
    ----------
    ln_gamma : float or numpy.ndarray
        :math:`\\ln(\\Gamma/\\delta_m)` of the physical solution; ``-inf`` where
        localized; ``ln(gamma)`` where ``status == "above_gamma"`` (a bound,
        not a root).  Shape: the broadcast shape of ``eps``, ``gamma`` and
        ``s`` (a float when all three are scalars); every array attribute
        below has this shape.
    gamma : float or numpy.ndarray
        ``exp(ln_gamma)`` (0.0 where localized or where it underflows; ``inf``
        where it overflows, ``ln_gamma > 709``, possible only far outside
        Eq. 23, which then warns).
    localized : bool or numpy.ndarray of bool
        ``status == "localized"``.
    status : str or numpy.ndarray of str
        ``"root"`` (a non-trivial solution), ``"localized"`` (only
        :math:`\\Gamma = 0`), ``"above_gamma"`` (Eq. 19 only: :math:`F > 1` up to
        the end of Eq. 20's domain :math:`\\Gamma = \\gamma`; no root invented).
    roots : tuple
        Scalar ``eps``: a tuple of every non-trivial root :math:`\\ln\\Gamma`
        found, ascending (including unstable / non-physical ones, e.g. those
        the literal :math:`n_{\\rm fast}` creates just below
        :math:`\\Gamma = \\gamma`).  Array input: a tuple with one such tuple
        per point of the broadcast shape in C (row-major, ``ravel()``) order.
    n_roots : int or numpy.ndarray of int
        Number of roots per point.
    F0 : float or numpy.ndarray
        :math:`F(\\Gamma\\to 0^+)`; ``inf`` where the infinite sum diverges
        (``eps >= 0``); may be negative for E3.  ``F0 > 1`` means metal when
        ``F`` is monotone.
    ln_F0 : float or numpy.ndarray
        :math:`\\ln|F(0^+)|`.
    bistable : bool or numpy.ndarray of bool
        E2/E3 only: a stable non-trivial root exists although
        :math:`F(0^+) \\le 1` (both :math:`\\Gamma = 0` and the root are stable).
    eps : float or numpy.ndarray
        The :math:`\\varepsilon` values used (broadcast to the result's shape).
    options : dict
        ``equation``, ``sum_range``, ``nfast``, ``drop_negative`` and the
        model parameters ``gamma``, ``K``, ``N``, ``s``, ``d``.  ``gamma`` and
        ``s`` are floats if they were given as scalars, else arrays of the
        result's shape.
    """

    ln_gamma: Any
    gamma: Any
    localized: Any
    status: Any
    roots: tuple
    n_roots: Any
    F0: Any
    ln_F0: Any
    bistable: Any
    eps: Any
    options: dict


def _validate(eps, xi, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative=False, arrays=False):
    """Validated parameters; ``gamma`` and ``s`` may be arrays only if ``arrays``.

    With ``arrays``, ``gamma`` and ``s`` are returned as floats when scalar
    and as float64 arrays otherwise, and their shapes must broadcast against
    that of ``eps`` (or ``xi``).
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
    eps = resolve_eps(eps, xi, K)
    for name, v in (("gamma", gamma), ("s", s)):
        if np.ndim(v) and not arrays:
            raise ValueError(f"{name} must be a scalar here; got an array of shape {np.shape(v)}")
    if arrays:
        ename = "eps" if xi is None else "xi"
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


def _x_lo_inf(model, cols):
    """Lower scan end for the infinite sum (F(x_lo) > 1 is checked later)."""
    eps = model.eps[cols]
    a = model.a[cols]
    x_m = a - model.d / 2.0
    out = np.empty(cols.size)
    pos = eps > 0
    # eps > 0: ln F ~ 2 ln gamma - 2 eps x  =>  root near x ~ ln(gamma)/eps
    # eps = 0: F ~ gamma^2 m*^2 n/2 with m* ~ -x/ln K.  F grows with eps, so
    # the eps = 0 root is below every eps > 0 root: cap the guess there.
    # (per column in Python floats, as for a scalar gamma and s)
    # sqrt(2 / (gamma^2 s N)) in logs: gamma**2 underflows to 0 below gamma ~ 1e-154
    # (capped at e^700: such a start lies far beyond the solver's range, which then refuses by name)
    x0 = np.array([-2.0 * ((math.exp(min(700.0, 0.5 * (math.log(2.0) - 2.0 * math.log(g) - math.log(s * model.N))))
                            + 2.0) * model.ell + 30.0)
                   for g, s in zip(model.gamma[cols].tolist(), model.s[cols].tolist())])
    guess = -((-2.0 * a + 2.0) / (2.0 * np.where(pos, eps, 1.0)) + 10.0)
    out[pos] = np.maximum(guess[pos], x0[pos])
    zero = eps == 0
    out[zero] = x0[zero]
    neg = eps < 0
    if np.any(neg):
        cn = cols[neg]
        M0 = model._M0(cn)
        ln_full = np.logaddexp(model.table(cn, M0), model._ln_unsat_tail(M0.astype(float), eps[neg], cn))
        # Mconv = the first M0 + 2^k (k = 0..63) where the tail is e^-41 of F0
        nneg = int(neg.sum())
        Mconv = M0.astype(float)
        done = np.zeros(nneg, dtype=bool)
        for k0 in range(0, 64, 16):  # 16 values of k per evaluation
            Mk = M0[None, :] + np.ldexp(1.0, np.arange(k0, k0 + 16))[:, None]  # (16, nneg)
            tl = _ln_unsat_tail(Mk.ravel(), np.tile(eps[neg], 16), np.tile(a[neg], 16),
                                np.tile(model.lnsN[cn], 16), model.d, model.ell).reshape(Mk.shape)
            hit = tl < ln_full - 41.0
            newly = ~done & hit.any(axis=0)
            Mconv[newly] = Mk[np.argmax(hit, axis=0), np.arange(nneg)][newly]
            done |= newly
            if done.all():
                break
        xl = -Mconv * model.ell - 30.0
        for _ in range(3):
            ln_nfmax = np.maximum(0.0, model.lnsN[cn] + model.d * np.log(a[neg] - xl))
            xl = _LN_TAU_LO / 2.0 - Mconv * model.ell - ln_nfmax - 5.0
        # Any start in the monotone region with F > 1 is valid (no root below it; _scan_19 checks
        # F(x_lo) > 1 and moves down if not).  Close to eps = 0 the tail converges so slowly that
        # Mconv runs to ~1/|eps| orders: start no lower than 4x the eps = 0 guess there.
        out[neg] = np.maximum(xl, 4.0 * x0[neg])
    return np.minimum(out, x_m - 1.0)


def _solve_columns(opts, eps_cols, gamma, s):
    """Solve for every column. Returns dict of arrays (lists for the roots).

    ``eps_cols`` are the columns' eps values; ``gamma`` and ``s`` are scalars
    or one value per column.  Eq. 19 solves all columns together; E2/E3
    solve the columns of each distinct (gamma, s) together.
    """
    if opts["equation"] != "19" and (np.ndim(gamma) or np.ndim(s)):
        gs = np.stack(np.broadcast_arrays(np.asarray(gamma, float), np.asarray(s, float)), axis=1)
        pairs, ginv = np.unique(gs, axis=0, return_inverse=True)
        ginv = np.ravel(ginv)
        ncol = eps_cols.size
        out = dict(ln_gamma=np.empty(ncol), status=np.empty(ncol, dtype="<U11"), roots=[None] * ncol,
                   resid=[None] * ncol, lnF0=np.empty(ncol), sF0=np.empty(ncol), bistable=np.empty(ncol, bool))
        for k, (g, sv) in enumerate(pairs.tolist()):
            sel = np.nonzero(ginv == k)[0]
            part = _solve_columns(opts, eps_cols[sel], g, sv)
            for key, v in part.items():
                if isinstance(v, list):
                    for i, c in enumerate(sel):
                        out[key][c] = v[i]
                else:
                    out[key][sel] = v
        return out
    model = _Model(eps=eps_cols, gamma=gamma, s=s, **opts)
    ncol = eps_cols.size
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        lnF0, sF0 = model.lnF0()
    F0_gt1 = (sF0 > 0) & (lnF0 > 0)
    ln_gamma = np.full(ncol, -np.inf)
    status = np.full(ncol, "localized", dtype="<U11")
    roots = [[] for _ in range(ncol)]
    bistable = np.zeros(ncol, dtype=bool)

    if model.kind == "app":
        need = F0_gt1 if not model.has_neg else np.full(ncol, model.has_terms)
    else:
        need = F0_gt1
    idx = np.nonzero(need)[0]
    if idx.size:
        if model.kind == "app":
            _scan_app(opts, model, idx, roots)
        else:
            _scan_19(opts, model, idx, roots)
    for c in range(ncol):
        down = [r[0] for r in roots[c] if r[1]]
        if down:
            ln_gamma[c] = down[0]
            status[c] = "root"
            bistable[c] = model.kind == "app" and not F0_gt1[c]
        elif model.kind != "app" and F0_gt1[c]:
            ln_gamma[c] = model.a[c]
            status[c] = "above_gamma"
    return dict(
        ln_gamma=ln_gamma,
        status=status,
        roots=[tuple(r[0] for r in lst) for lst in roots],
        resid=[tuple(r[2] for r in lst) for lst in roots],
        lnF0=lnF0,
        sF0=sF0,
        bistable=bistable,
    )


def _grid_19(a, d, x_lo, nA=9, nB=32):
    """Scan grid per column: nA points from x_lo to ln gamma - d/2, nB geometric ones up to the domain end.

    ``a`` (ln gamma) is one value per row of ``x_lo`` (or a scalar).
    """
    a = np.broadcast_to(np.asarray(a, dtype=float), x_lo.shape)
    x_m = a - d / 2.0
    u = np.linspace(0.0, 1.0, nA)
    gA = x_lo[:, None] + (x_m - x_lo)[:, None] * u[None, :]
    gB = np.empty((x_lo.size, nB))
    uniq, inv = np.unique(a, return_inverse=True)
    for k, ak in enumerate(uniq.tolist()):  # Python-float arithmetic per distinct gamma
        gap = max(_DOMAIN_GAP, 1e-14 * abs(ak))
        dv = math.log((d / 2.0) / gap) / nB
        gB[np.ravel(inv) == k] = ak - (d / 2.0) * np.exp(-dv * np.arange(1, nB + 1))
    return np.concatenate([gA, gB], axis=1)


def _scan_19(opts, model, idx, roots):
    """Eq. 19: lower scan end, prefix tables per chunk of columns, scan."""
    if model.kind == "sq":
        # F is constant (= F0) below x_flat: all denominators are 1.
        m = np.arange(2, 2 * model.N + 1, dtype=float)
        x_lo = np.empty(idx.size)
        pairs, pinv = np.unique(np.stack([model.a[idx], model.lnsN[idx]], axis=1), axis=0, return_inverse=True)
        pinv = np.ravel(pinv)
        for k, (a, lnsN) in enumerate(pairs.tolist()):  # per distinct (gamma, s), in Python floats
            nfU = model.ln_nfU(m, a, lnsN)
            x_flat = _LN_TAU_LO / 2.0 - float(np.max(m * model.ell + nfU)) - 1.0
            x_lo[pinv == k] = min(x_flat, a - model.d / 2.0 - 1.0)
        sub = model.sub(idx)
        grid = _grid_19(sub.a, model.d, x_lo)
        res = _scan_roots(sub, grid)
        for k, c in enumerate(idx):
            roots[c].extend(res[k])
        return
    # prefix tables reach m = _MAX_ORDER: start the scan no lower.  Where F is
    # still <= 1 there, the root lies beyond the solver's range and the
    # doubling below makes ensure_table refuse with a ValueError.
    x_lo = np.maximum(_x_lo_inf(model, idx), -_ORDER_FLOOR * model.ell)
    order = np.argsort(x_lo)
    start = 0
    while start < idx.size:
        Mneed = (-x_lo[order[start]]) / model.ell + 64
        nc = max(1, int(_TABLE_BUDGET // Mneed))
        sel = order[start : start + nc]
        start += nc
        sub = model.sub(idx[sel])
        xl = x_lo[sel].copy()
        cols = np.arange(sel.size)
        # make sure F(x_lo) > 1 (F -> F0 > 1 as x -> -inf and F is monotone there)
        for _ in range(80):
            lnF, _s = sub.lnF(xl, cols)
            bad = lnF <= 0
            if not np.any(bad):
                break
            xl[bad] = np.minimum(2.0 * xl[bad], xl[bad]) - 10.0  # down, also from x > 0 (gamma > 1)
        else:
            lnF = sub.lnF(xl, cols)[0]
        ok = lnF > 0  # where not: F0 > 1 only by rounding, treated as localized
        grid = _grid_19(sub.a, sub.d, xl)
        res = _scan_roots(sub, grid)
        for k, c in enumerate(idx[sel]):
            if ok[k]:
                roots[c].extend(res[k])


def _scan_app(opts, model, idx, roots):
    """E2/E3: uniform grid between the flat region and the Gamma^-2 region."""
    ell, a = model.ell, model.a
    act = model.sg != 0
    x_flat = _LN_TAU_LO / 2.0 - float(np.max((model.m * ell + model.ln_nf)[act])) - 1.0
    eps = model.eps[idx]
    m = model.m[act]
    bound = (
        model.ln_c[act][None, :]
        + 2.0 * ell * eps[:, None] * m[None, :]
        - 2.0 * m[None, :] * ell
        - 2.0 * model.ln_nf[act][None, :]
    )
    x_hi = 0.5 * (2.0 * a + logsumexp(bound, axis=1)) + 0.05
    x_hi = np.maximum(x_hi, x_flat + 1.0)
    # coarse start: the derivative-bound test subdivides wherever needed.  The
    # number of points uses the eps -> 1 bound, so that a column's grid does
    # not depend on the other columns (array result == scalar results).
    b1 = model.ln_c[act] - 2.0 * model.ln_nf[act]
    x_hi1 = max(0.5 * (2.0 * a + float(logsumexp(b1, axis=0))) + 0.05, x_flat + 1.0)
    npts = max(int(np.ceil((x_hi1 - x_flat) / 3.0)) + 1, 8)
    u = np.linspace(0.0, 1.0, npts)
    grid = x_flat + (x_hi - x_flat)[:, None] * u[None, :]
    sub = _Model(eps=eps, gamma=model.gamma, s=model.s, **opts)
    res = _scan_roots(sub, grid)
    for k, c in enumerate(idx):
        roots[c].extend(res[k])


def solve_linewidth(
    *,
    eps=None,
    xi=None,
    gamma,
    K,
    N,
    s,
    d=1,
    equation="19",
    sum_range="infinite",
    nfast="literal",
    drop_negative=False,
    warn=True,
):
    """Self-consistent linewidth :math:`\\Gamma` of Eq. (19) or App. E (E3).

    Finds *every* non-trivial root of :math:`F(\\Gamma) = 1` (see the module
    docstring for :math:`F`) by a bracket scan in :math:`x = \\ln\\Gamma` whose
    cells are discarded only when a derivative bound proves them root-free,
    followed by Chandrupatla refinement (``scipy.optimize.elementwise.find_root``,
    vectorized over all brackets).  The physical root is the first crossing
    of :math:`F = 1` from above met coming from :math:`\\Gamma\\to0`.  The
    value of :math:`F` at a point does not depend on the other points
    evaluated with it, so array input gives, point by point, exactly
    (bit for bit) the result of one call per point with scalar values.

    ``eps`` (or ``xi``), ``gamma`` and ``s`` broadcast against each other
    (NumPy rules); each distinct point :math:`(\\varepsilon, \\gamma, s)` is a
    "column".  For Eq. (19) all columns are solved together (one bracket
    scan and one ``find_root`` call), so e.g. a temperature sweep in which
    all three change (:func:`nblm_helpers.temperature.ln_conductivity`)
    costs about as much as one point.  For E2/E3 the columns sharing one
    :math:`(\\gamma, s)` are solved together, one group after another.

    Parameters
    ----------
    eps : float or array_like, optional
        :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1`.  Arrays are solved
        vectorized (duplicate points solved once).
    xi : float or array_like, optional
        Fock-space localization length :math:`\\Xi > 0` instead of ``eps``.
    gamma : float or array_like
        Inter-dot coupling :math:`\\gamma/\\delta_m > 0` (every element);
        an array gives one value per point (broadcast against ``eps``).
    K : float
        Cayley-tree branching number, ``K > 1``.
    N : int
        Single-particle levels per dot, integer ``>= 1``.
    s : float or array_like
        Entropy per level :math:`s(T) \\in (0, 1]` (every element); an array
        gives one value per point (broadcast against ``eps`` and ``gamma``).
    d : int
        Spatial dimension, integer ``>= 1``.
    equation : {"19", "E3", "E2"}
        Eq. (19) with Eq. (20), App. E's Eq. (E3) literally, or Eq. (E2).
    sum_range : {"infinite", "square"}
        Range of ``n, p`` in Eq. (19); ignored for E2/E3 (validated only).
    nfast : {"literal", "continuous"}
        Reading of Eq. (20) (see :func:`n_fast`); ignored for E2/E3.
    drop_negative : bool
        E2/E3 only: drop the terms with :math:`\\ln(\\gamma K^m) < 0` (odd ``d``).
    warn : bool
        Issue one :class:`~nblm_helpers.parameters.ValidityWarning` per call
        when a physical root violates Eq. (23), (26) or (27), or a point has
        status ``"above_gamma"`` (counts over all points, each checked with
        its own ``gamma``).

    Returns
    -------
    LinewidthResult
        Frozen dataclass (see :class:`LinewidthResult`); scalars if ``eps``,
        ``gamma`` and ``s`` are all scalars, else arrays of their broadcast
        shape.

    Raises
    ------
    ValueError
        For out-of-range parameters (the message names the parameter and its
        allowed range; for arrays, any element out of range), both or neither
        of ``eps``/``xi``, unknown options, or ``gamma``/``s`` whose shape does
        not broadcast against ``eps`` (the message names the parameter).

    Notes
    -----
    * Status ``"localized"``: for Eq. (19) exactly when :math:`F(0^+) \\le 1`
      (every term is bounded by its :math:`\\Gamma\\to0` value).  ``ln_gamma``
      is ``-inf`` and ``gamma`` is 0.0.
    * Status ``"above_gamma"`` (Eq. 19): :math:`F > 1` up to
      :math:`\\ln\\Gamma = \\ln\\gamma - 10^{-9}`; ``ln_gamma = ln(gamma)`` is
      reported as a bound.
    * E2/E3 with negative terms can have :math:`F(0^+) \\le 1` and still a
      stable root (``bistable``); that root is reported with status ``"root"``.
    * Accuracy: :math:`|\\ln F| \\le 10^{-10}` at every reported root; ``F``
      itself is evaluated to ~1e-13 relative (prefix tables, explicit
      crossover band, closed-form arithmetico-geometric tail).
    """
    eps, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative = _validate(
        eps, xi, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative, arrays=True
    )
    opts = dict(
        K=K,
        N=N,
        d=d,
        equation=equation,
        sum_range=sum_range,
        nfast=nfast,
        drop_negative=drop_negative,
    )
    per_point = np.ndim(gamma) > 0 or np.ndim(s) > 0
    if per_point:
        eps_arr, g_arr, s_arr = np.broadcast_arrays(np.asarray(eps, dtype=float), np.asarray(gamma, dtype=float),
                                                    np.asarray(s, dtype=float))
    else:
        eps_arr = np.asarray(eps, dtype=float)
    scalar = eps_arr.ndim == 0
    flat = eps_arr.ravel()
    if per_point:
        # one column per distinct (eps, gamma, s); a column's result does not depend on the others
        g_flat, s_flat = g_arr.ravel(), s_arr.ravel()
        keys, inv = np.unique(np.stack([flat, g_flat, s_flat], axis=1), axis=0, return_inverse=True)
        inv = np.ravel(inv)
        cols = (keys[:, 0].copy(), keys[:, 1].copy(), keys[:, 2].copy())
    else:
        uniq, inv = np.unique(flat, return_inverse=True)
        cols = (uniq, gamma, s)
    ncols = np.size(cols[0])
    if ncols > _MAX_POINTS:
        ename = "eps" if xi is None else "xi"
        raise ValueError(
            f"{ename} (with gamma and s) has {ncols} distinct points; one solve_linewidth call takes at most "
            f"{_MAX_POINTS} (about 1-2 s): split {ename} into chunks of at most {_MAX_POINTS}"
        )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        sol = _solve_columns(opts, *cols)
    ln_gamma = sol["ln_gamma"][inv]
    status = sol["status"][inv]
    lnF0 = sol["lnF0"][inv]
    sF0 = sol["sF0"][inv]
    with np.errstate(over="ignore", under="ignore"):
        F0 = np.where(sF0 == 0, 0.0, sF0 * np.exp(lnF0))
        G = np.exp(ln_gamma)
    roots = tuple(sol["roots"][i] for i in inv)
    n_roots = np.array([len(r) for r in roots])
    bistable = sol["bistable"][inv]
    localized = status == "localized"

    if warn:
        _warn_validity(ln_gamma, status, flat, g_flat if per_point else gamma, K, N, d)

    shape = eps_arr.shape

    def shp(v):
        v = np.asarray(v).reshape(shape)
        return v.item() if scalar else v

    return LinewidthResult(
        ln_gamma=float(ln_gamma[0]) if scalar else ln_gamma.reshape(shape),
        gamma=float(G[0]) if scalar else G.reshape(shape),
        localized=bool(localized[0]) if scalar else localized.reshape(shape),
        status=str(status[0]) if scalar else status.reshape(shape),
        roots=roots[0] if scalar else roots,
        n_roots=int(n_roots[0]) if scalar else n_roots.reshape(shape),
        F0=float(F0[0]) if scalar else F0.reshape(shape),
        ln_F0=float(lnF0[0]) if scalar else lnF0.reshape(shape),
        bistable=bool(bistable[0]) if scalar else bistable.reshape(shape),
        eps=float(flat[0]) if scalar else flat.reshape(shape),
        options=dict(gamma=g_arr.copy() if per_point else gamma, K=K, N=N, s=s_arr.copy() if per_point else s,
                     **{k: opts[k] for k in ("d", "equation", "sum_range", "nfast", "drop_negative")}),
    )


def _warn_validity(ln_gamma, status, eps, gamma, K, N, d):
    msgs = []
    is_root = status == "root"
    n = status.size
    if np.any(is_root):
        lg = ln_gamma[is_root]
        e = eps[is_root]
        if np.ndim(gamma):
            gamma = gamma[is_root]
        for name, ok in (
            ("Eq. 23", np.asarray(condition_23(gamma=gamma, K=K, eps=e))),
            ("Eq. 26", np.asarray(condition_26(gamma=gamma, d=d, ln_gamma=lg))),
            ("Eq. 27", np.asarray(condition_27(gamma=gamma, K=K, N=N, ln_gamma=lg))),
        ):
            nbad = int(np.count_nonzero(~ok))
            if nbad:
                msgs.append(f"{name} violated at {nbad} of {n} point(s)")
    nab = int(np.count_nonzero(status == "above_gamma"))
    if nab:
        msgs.append(
            f"F > 1 up to Gamma = gamma (status 'above_gamma') at {nab} of {n} point(s); "
            "ln_gamma = ln(gamma) is a bound, not a root"
        )
    if msgs:
        warnings.warn(
            "mean-field linewidth outside the validity window: " + "; ".join(msgs),
            ValidityWarning,
            stacklevel=3,
        )




def self_consistency_ratio(
    ln_gamma,
    *,
    eps=None,
    xi=None,
    gamma,
    K,
    N,
    s,
    d=1,
    equation="19",
    sum_range="infinite",
    nfast="literal",
    drop_negative=False,
):
    """:math:`F(\\Gamma)` of Eq. (19) / (E3) as ``(ln|F|, sign F)``.

    Parameters
    ----------
    ln_gamma : float or array_like
        :math:`x = \\ln(\\Gamma/\\delta_m)`; ``-inf`` gives :math:`F(0^+)`.
        For ``equation="19"`` every finite value must be ``< ln(gamma)``
        (Eq. 20's domain).
    eps, xi, gamma, K, N, s, d, equation, sum_range, nfast
        As in :func:`solve_linewidth`.  ``ln_gamma`` and ``eps`` broadcast;
        ``gamma`` and ``s`` must be scalars here (``ValueError`` otherwise).
    drop_negative : bool
        E2/E3: drop the negative terms (:math:`\\ln(\\gamma K^m) < 0`, odd ``d``).

    Returns
    -------
    ln_abs_F : float or numpy.ndarray
        :math:`\\ln|F|` (``+inf`` for a divergent :math:`F(0^+)`; ``-inf`` if
        :math:`F = 0`).
    sign : float or numpy.ndarray
        ``+1``, ``-1`` or ``0``.

    Validity
    --------
    Evaluates :math:`F` as a mathematical function; never warns.  Raises
    ``ValueError`` for bad parameters, ``ln_gamma >= ln(gamma)`` (Eq. 19),
    ``ln_gamma < -1e7 ln K`` (unbounded sum) and the work limits of the
    module docstring (square sum ``N <= 20000``, ``K >= 1.00013``, E2/E3
    ``N <= 10**6``, ``d <= 64``, tiny ``s N`` with ``nfast="continuous"``).
    """
    eps, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative = _validate(
        eps, xi, gamma, K, N, s, d, equation, sum_range, nfast, drop_negative
    )
    x = np.asarray(check_ln_rate("ln_gamma", ln_gamma))
    x_min = -_ORDER_FLOOR * math.log(K)
    if equation == "19" and sum_range == "infinite" and np.any((x < x_min) & np.isfinite(x)):
        raise ValueError(
            f"ln_gamma must be >= {x_min:.6g} (= -{_MAX_ORDER:.0e} ln K: the unbounded sum of Eq. 19 is "
            f"evaluated explicitly up to that order) or -inf (Gamma -> 0); got {ln_gamma!r}"
        )
    if equation == "19" and np.any(x >= math.log(gamma)):
        raise ValueError(
            f"ln_gamma must be < ln(gamma) = {math.log(gamma):g} for equation '19' "
            "(Eq. 20 is defined for Gamma < gamma)"
        )
    e = np.asarray(eps, dtype=float)
    xb, eb = np.broadcast_arrays(x, e)
    shape = xb.shape
    xf, ef = xb.ravel(), eb.ravel()
    uniq, inv = np.unique(ef, return_inverse=True)
    model = _Model(
        eps=uniq,
        gamma=gamma,
        K=K,
        N=N,
        s=s,
        d=d,
        equation=equation,
        sum_range=sum_range,
        nfast=nfast,
        drop_negative=drop_negative,
    )
    lnF = np.empty(xf.size)
    sg = np.empty(xf.size)
    fin = np.isfinite(xf)
    if np.any(~fin):
        l0, s0 = model.lnF0()
        lnF[~fin], sg[~fin] = l0[inv[~fin]], s0[inv[~fin]]
    if np.any(fin):
        l1, s1 = model.lnF(xf[fin], inv[fin])
        lnF[fin], sg[fin] = l1, s1
    if len(shape) == 0:
        return float(lnF[0]), float(sg[0])
    return lnF.reshape(shape), sg.reshape(shape)


def ln_F_zero(
    *,
    eps=None,
    xi=None,
    gamma,
    K,
    N,
    s,
    d=1,
    equation="19",
    sum_range="infinite",
    nfast="literal",
    drop_negative=False,
):
    """:math:`F(\\Gamma\\to0^+)` as ``(ln|F0|, sign)``.

    For the infinite sum of Eq. (19), :math:`F(0^+) = +\\infty` for
    :math:`\\varepsilon \\ge 0` (returned as ``(inf, 1.0)``); for
    :math:`\\varepsilon < 0` it is finite and computed with a closed-form
    tail (non-negative expansion in Eulerian numbers).  For Eq. (19)
    :math:`F(\\Gamma) \\le F(0^+)` for all :math:`\\Gamma`, so the point is
    localized iff :math:`F(0^+) \\le 1`.

    Validity
    --------
    As :func:`self_consistency_ratio` at :math:`\\Gamma \\to 0^+`: never warns;
    ``ValueError`` for bad parameters and the module's work limits.
    """
    return self_consistency_ratio(
        -np.inf * np.ones_like(np.asarray(resolve_eps(eps, xi, check_branching("K", K)), dtype=float)),
        eps=eps,
        xi=xi,
        gamma=gamma,
        K=K,
        N=N,
        s=s,
        d=d,
        equation=equation,
        sum_range=sum_range,
        nfast=nfast,
        drop_negative=drop_negative,
    )


def F_zero(**kwargs):
    """:math:`F(\\Gamma\\to0^+)` as a number (``inf`` where divergent); see :func:`ln_F_zero`.

    Validity
    --------
    As :func:`ln_F_zero`; ``inf`` where the unbounded sum diverges or
    :math:`F_0` exceeds the float range.
    """
    lnF, sg = ln_F_zero(**kwargs)
    with np.errstate(over="ignore"):
        val = np.where(np.asarray(sg) == 0, 0.0, np.asarray(sg) * np.exp(lnF))
    return float(val) if np.ndim(val) == 0 else val


def ln_n_fast(ln_t, *, gamma, ln_Gamma, s, N, d=1, nfast="literal"):
    """:math:`\\ln n_{\\rm fast}(t)` of Eq. (20) from :math:`\\ln t` and :math:`\\ln\\Gamma`.

    Underflow-safe version of :func:`n_fast` (same tie convention: the
    first branch of Eq. 20 includes :math:`\\gamma t = 1`).
    ``ln_t`` and ``ln_Gamma`` broadcast; ``ln_Gamma < ln(gamma)`` is required.

    Validity
    --------
    ``ValueError`` for ``ln_Gamma >= ln(gamma)`` (outside Eq. 20), bad
    parameters or shapes that do not broadcast; never warns.
    """
    nfast = check_choice("nfast", nfast, NFAST_READINGS)
    gamma = float(check_positive("gamma", gamma))
    s = float(check_unit_interval("s", s))
    N = check_positive_int("N", N)
    d = check_dimension(d)
    lt = np.asarray(check_real("ln_t", ln_t), dtype=float)
    lG = np.asarray(check_real("ln_Gamma", ln_Gamma), dtype=float)
    a = math.log(gamma)
    if np.any(lG >= a):
        raise ValueError(
            f"ln_Gamma must be < ln(gamma) = {a:g} (Eq. 20 holds for Gamma < gamma); got {ln_Gamma!r}"
        )
    check_broadcast(ln_t=lt, ln_Gamma=lG)
    lt, lG = np.broadcast_arrays(lt, lG)
    lnsN = math.log(s * N)
    # gamma t below saturation (t < 1/Gamma), gamma/Gamma at and above it
    L = np.where(lt < -lG, a + lt, a - lG)
    out = _ln_n_unsat(L, lnsN, d, nfast == "literal")
    return float(out) if out.ndim == 0 else out


def n_fast(t, *, gamma, Gamma, s, N, d=1, nfast="literal"):
    """Number of fast neighbours :math:`n_{\\rm fast}(t)`, Eq. (20) (:math:`\\delta_m=1`).

    ``nfast="literal"`` (the three printed branches, with ``<<`` read as
    sharp thresholds):

    * :math:`1` for :math:`\\gamma t \\le 1` (the first branch includes the tie
      :math:`\\gamma t = 1`, where the second would give :math:`sN\\ln^d 1 = 0`;
      one convention in every helper and chapter);
    * :math:`s N \\ln^d(\\gamma t)` for :math:`1 < \\gamma t` and :math:`t < 1/\\Gamma`
      (just above :math:`\\gamma t = 1` this is below 1: a jump down);
    * :math:`s N \\ln^d(\\gamma/\\Gamma)` for :math:`t \\ge 1/\\Gamma` (tends to 0 as
      :math:`\\Gamma\\to\\gamma`).

    ``nfast="continuous"``:
    :math:`\\max(1, sN\\,[\\ln(\\gamma\\min(t, 1/\\Gamma))]_+^d)` (the positive part
    keeps even ``d`` from turning :math:`\\gamma t < 1` into a large value).

    Parameters
    ----------
    t : float or array_like
        Time in units of :math:`1/\\delta_m`, ``> 0``.
    gamma : float
        :math:`\\gamma/\\delta_m > 0`.
    Gamma : float or array_like
        Linewidth, ``0 < Gamma < gamma`` (the domain of Eq. 20).
    s, N, d, nfast
        Entropy per level, number of levels, dimension, reading.

    Returns
    -------
    float or numpy.ndarray
        Broadcast over ``t`` and ``Gamma``.

    Validity
    --------
    Eq. (20) is defined for :math:`0 < \\Gamma < \\gamma`; outside it raises
    ``ValueError`` naming ``Gamma`` (and shapes that do not broadcast).  Never
    warns; huge values stay finite (computed via :func:`ln_n_fast`).
    """
    t = check_positive("t", t)
    Gamma = check_positive("Gamma", Gamma)
    check_broadcast(t=t, Gamma=Gamma)
    with np.errstate(divide="ignore"):
        ln_Gamma = np.log(Gamma)
    gamma_v = float(check_positive("gamma", gamma))
    if np.any(np.asarray(Gamma) >= gamma_v):
        raise ValueError(f"Gamma must be < gamma = {gamma_v:g} (Eq. 20's domain); got {Gamma!r}")
    out = np.exp(
        np.asarray(ln_n_fast(np.log(t), gamma=gamma, ln_Gamma=ln_Gamma, s=s, N=N, d=d, nfast=nfast))
    )
    return float(out) if out.ndim == 0 else out


def bath_lineshape(omega, *, Gamma, gamma, s, N, d=1, nfast="literal"):
    """Lineshape :math:`S_\\Gamma(\\omega)` of a typical line of the bath, Eq. (17).

    .. math::
        S_\\Gamma(\\omega) = \\frac{\\Gamma\\, n_{\\rm fast}(1/\\omega)}
        {\\omega^2 + [\\Gamma\\, n_{\\rm fast}(1/\\omega)]^2},

    with :math:`n_{\\rm fast}` of Eq. (20) (:func:`n_fast`).  The Golden rule
    Eq. (18), :math:`\\Gamma = \\gamma^2\\sum_{n,p} S_\\Gamma(\\delta E_{n,p})
    e^{-2(n+p)/\\Xi}` with :math:`\\delta E_{n,p} = \\delta_m K^{-(n+p)}`, is
    Eq. (19); ``tests/test_meanfield.py`` checks that identity against
    :func:`self_consistency_ratio`.

    Parameters
    ----------
    omega : float or array_like
        Detuning :math:`\\omega > 0` in units of :math:`\\delta_m`.
    Gamma : float
        Assumed typical rate, ``0 < Gamma < gamma``.
    gamma, s, N, d, nfast
        As in :func:`n_fast`.

    Returns
    -------
    float or numpy.ndarray
        :math:`S_\\Gamma(\\omega)` in units of :math:`1/\\delta_m`; same shape as
        ``omega``.  With :math:`n_{\\rm fast} = 1` it is the Lorentzian
        :math:`\\Gamma/(\\omega^2+\\Gamma^2)` (half width :math:`\\Gamma`).

    Validity
    --------
    Raises ``ValueError`` for ``omega <= 0`` or outside Eq. (20)'s domain
    (``Gamma >= gamma``); never warns.  Computed in logs; ``inf`` only where
    the value itself exceeds the float range.
    """
    omega = check_real("omega", omega, lo=0.0)
    Gamma = check_scalar(check_positive, "Gamma", Gamma)
    lw = np.log(np.asarray(omega, dtype=float))
    # in logs: width = Gamma n_fast(1/omega) and 1/omega may leave the float range
    l_width = math.log(Gamma) + np.asarray(ln_n_fast(-lw, gamma=gamma, ln_Gamma=math.log(Gamma), s=s, N=N, d=d,
                                                       nfast=nfast))
    # width / (omega^2 + width^2) = e^(l_width - 2 hi) / (1 + e^(2 (lo - hi)))
    hi, lo = np.maximum(lw, l_width), np.minimum(lw, l_width)
    with np.errstate(over="ignore", under="ignore"):
        out = np.exp(l_width - 2.0 * hi - np.log1p(np.exp(2.0 * (lo - hi))))
    return float(out) if np.ndim(omega) == 0 else out


# --------------------------------------------------------------------------
# phase boundary of Eq. (19): critical coupling and critical Xi (Sec. V A)
# --------------------------------------------------------------------------
#
# Eq. (19) is localized exactly when F(0+) <= 1 (module docstring), so the
# phase boundary is the surface F0(gamma, eps) = 1 with
#
#     F0 = gamma^2 sum_{m>=2} w_m K^{2 m eps} n_m,   n_m = n_fast(K^m) at Gamma -> 0.
#
# * In eps, every term grows (K^{2 m eps}): F0 is strictly increasing.
# * In gamma (a = ln gamma), gamma^2 grows and the continuous n_m = max(1, sN
#   ln_+^d(gamma K^m)) is non-decreasing: F0 is strictly increasing.  The
#   *literal* n_m of Eq. (20) is 1 up to and including gamma K^m = 1 and
#   sN ln^d(gamma K^m) -> 0 just above, so F0 drops just above every
#   a = -m ln K (m >= 2) (left-continuous there) and is increasing in between.  Since the literal n_m never exceeds the
#   continuous one, F0_literal <= F0_continuous: the continuous value bounds
#   where the literal F0 can first exceed 1.


def _ln_F0_pairs(a, eps, *, K, N, s, d, sum_range, nfast):
    """ln F(0+) of Eq. (19) at flat arrays ``a`` = ln gamma and ``eps`` (same size).

    Closed forms only: for ``"square"`` the finite sum over ``m = n + p``; for
    ``"infinite"`` an explicit head ``2 <= m < M0(a)`` plus the Eulerian
    closed-form tail of :meth:`_Model._ln_unsat_tail` (``+inf`` for eps >= 0).
    """
    a = np.asarray(a, dtype=float).ravel()
    eps = np.asarray(eps, dtype=float).ravel()
    ell = math.log(K)
    lnsN = math.log(s * N)
    literal = nfast == "literal"
    out = np.full(a.size, np.inf)

    def ln_n(L):
        return _ln_n_unsat(L, lnsN, d, literal)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        if sum_range == "square":
            m = np.arange(2, 2 * N + 1, dtype=float)
            lnw = np.log(np.minimum(m - 1.0, 2 * N + 1.0 - m))
            step = max(1, _CHUNK // m.size)
            for i0 in range(0, a.size, step):
                sl = slice(i0, i0 + step)
                lam = lnw + 2.0 * ell * eps[sl, None] * m + ln_n(a[sl, None] + m * ell)
                out[sl] = _slse(lam, np.ones_like(lam), axis=1)[0] + 2.0 * a[sl]
            return out
        neg = eps < 0
        if not np.any(neg):
            return out
        an, en = a[neg], eps[neg]
        # from M0 on, n_m = sN (a + m ell)^d exactly in both readings
        thr = 0.0 if literal else math.exp(min(-lnsN / d, 700.0))
        M0 = np.maximum(2.0, np.ceil((thr - an) / ell) + 1.0)
        tail = _ln_unsat_tail(M0, en, an, lnsN, d, ell)
        head = np.full(an.size, -np.inf)
        if M0.max() > _MAX_HEAD:  # the head sums 2 <= m < M0 terms explicitly, on every evaluation
            i = int(np.argmax(M0))
            why = ("" if literal else
                   f" and s N = {s * N:.3g} (continuous n_fast stays 1 until ln(gamma K^m) > (sN)^(-1/d))")
            raise ValueError(
                f"gamma={math.exp(an[i]):g} with K={K:g}{why} needs {M0[i]:.3g} terms before n_fast leaves "
                f"its first branch, more than the {_MAX_HEAD} summed explicitly in F0; use "
                f"ln(gamma) >= {thr - (_MAX_HEAD - 3) * ell:.6g} or a larger K"
                + ("" if literal else ", s or N")
            )
        W = int(M0.max()) - 2
        if W > 0:
            order = np.argsort(M0, kind="stable")
            step = max(1, _CHUNK // W)
            for i0 in range(0, an.size, step):
                idx = order[i0 : i0 + step]
                w = int(M0[idx].max()) - 2
                if w <= 0:  # a chunk whose heads are all empty
                    continue
                m = 2.0 + np.arange(w, dtype=float)
                lam = np.log(m - 1.0) + 2.0 * ell * en[idx, None] * m + ln_n(an[idx, None] + m * ell)
                lam = np.where(m[None, :] < M0[idx, None], lam, -np.inf)
                head[idx] = _slse(lam, np.ones_like(lam), axis=1)[0]
        out[neg] = np.logaddexp(head, tail) + 2.0 * an
    return out


def _validate_boundary(K, N, s, d, sum_range, nfast):
    sum_range = check_choice("sum_range", sum_range, SUM_RANGES)
    nfast = check_choice("nfast", nfast, NFAST_READINGS)
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    s = float(check_unit_interval("s", s))
    d = check_dimension(d)
    _check_size(N, d, sum_range)
    return K, N, s, d, sum_range, nfast


def ln_F_zero_table(*, gamma, eps=None, xi=None, K, N, s, d=1, sum_range="infinite", nfast="literal"):
    """:math:`\\ln F(\\Gamma\\to0^+)` of Eq. (19), broadcast over ``gamma`` *and* ``eps``.

    Same value as :func:`ln_F_zero` (``equation="19"``), whose ``gamma`` is a
    scalar; here ``gamma`` and ``eps`` (or ``xi``) broadcast against each
    other, so a whole :math:`(\\gamma, \\varepsilon)` phase map is one call:
    the point is metallic iff the result is ``> 0``.  ``+inf`` where the
    infinite sum diverges (``eps >= 0``).  :math:`F(0^+) > 0` always, so no
    sign is returned.

    Parameters
    ----------
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`.
    eps, xi : float or array_like
        Exactly one of :math:`\\varepsilon < 1` and :math:`\\Xi > 0`.
    K, N, s, d, sum_range, nfast
        As in :func:`solve_linewidth`.

    Returns
    -------
    float or numpy.ndarray
        Broadcast shape of ``gamma`` and ``eps``.

    Validity
    --------
    Never warns (whether a point lies inside Eq. 23 is
    :func:`~nblm_helpers.validity.condition_23`'s question).  ``ValueError``
    for bad parameters, shapes that do not broadcast, square sum
    ``N > 20000``, ``d > 64``, and more than 50000 head terms before
    :math:`n_{\\rm fast}` leaves its first branch (tiny ``gamma`` with ``K``
    near 1; tiny ``s N`` with ``nfast="continuous"``).
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    g = np.asarray(check_positive("gamma", gamma), dtype=float)
    e = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    gb, eb = np.broadcast_arrays(g, e)
    shape = gb.shape
    uniq, inv = np.unique(np.stack([np.log(gb.ravel()), eb.ravel()]), axis=1, return_inverse=True)
    vals = _ln_F0_pairs(uniq[0], uniq[1], K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    out = vals[np.ravel(inv)].reshape(shape)
    return float(out) if out.ndim == 0 else out


def _gamma_c_columns(eps, *, K, N, s, d, sum_range, nfast):
    """ln gamma_c for a flat array of eps values (+inf: none below gamma = 1; -inf: gamma_c = 0)."""
    ell = math.log(K)
    kw = dict(K=K, N=N, s=s, d=d, sum_range=sum_range)
    out = np.full(eps.size, np.nan)
    if sum_range == "infinite":
        out[eps >= 0] = -np.inf
    todo = np.nonzero(np.isnan(out))[0]
    if todo.size == 0:
        return out
    e = eps[todo]
    top = _ln_F0_pairs(np.zeros(e.size), e, nfast=nfast, **kw)  # gamma = 1
    none = top <= 0
    out[todo[none]] = np.inf
    todo, e = todo[~none], e[~none]
    if todo.size == 0:
        return out
    # lower end where the continuous (upper-bound, monotone) F0 is < 1
    a_lo = np.full(e.size, -5.0)
    for _ in range(80):
        bad = _ln_F0_pairs(a_lo, e, nfast="continuous", **kw) >= 0
        if not np.any(bad):
            break
        a_lo[bad] = 2.0 * a_lo[bad] - 5.0
    else:  # pragma: no cover - F0 -> 0 as gamma -> 0 for every eps handled here
        raise RuntimeError("internal error: no lower bracket for the critical coupling")
    lo = a_lo.copy()
    hi = np.zeros(e.size)
    if nfast == "literal":
        # F0 is continuous and increasing between the drops at a = -k ell;
        # the first interval whose right-end (left-limit) value exceeds 1
        # holds the smallest gamma with F0 > 1.
        kmax = int(math.ceil(-a_lo.min() / ell)) + 1
        if kmax > _MAX_NODES:
            raise ValueError(
                f"K={K!r} is too close to 1 for nfast='literal' here: F0 drops at every gamma = K^-m, "
                f"{kmax} of them lie above the lower bracket gamma = {math.exp(a_lo.min()):.3g} (at most "
                f"{_MAX_NODES} are examined); use K >= {math.exp(-a_lo.min() / (_MAX_NODES - 1)):.6g} "
                "or nfast='continuous'"
            )
        ks = np.arange(kmax, 1, -1, dtype=float)  # jump points, ascending in a
        nodes = -ks * ell
        # F0 is left-continuous at a node (n_m = 1 there, Eq. 20's first branch): its value at the
        # node is the maximum of the interval that ends there
        A = np.broadcast_to(nodes[None, :], (e.size, nodes.size))
        E = np.broadcast_to(e[:, None], A.shape)
        valid = (A > a_lo[:, None]) & (A < 0)
        vals = np.full(A.shape, -np.inf)
        vals[valid] = _ln_F0_pairs(A[valid], E[valid], nfast=nfast, **kw)
        crossed = vals > 0
        first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
        has = first >= 0
        hi[has] = nodes[first[has]]
        # interval start: just above the previous jump node (F0 drops there, below its left
        # limit <= 1, and then increases continuously up to hi) or a_lo
        prev = np.where(has, first - 1, nodes.size - 1)
        prev_node = np.where(prev >= 0, nodes[np.maximum(prev, 0)], -np.inf)
        if np.any(~has):  # crossing in the last interval, after the last node below 0
            last = np.where(valid.any(axis=1), nodes.size - 1 - np.argmax(valid[:, ::-1], axis=1), -1)
            prev_node[~has] = np.where(last[~has] >= 0, nodes[np.maximum(last[~has], 0)], -np.inf)
        lo = np.where(prev_node > a_lo, np.nextafter(prev_node, np.inf), a_lo)
    f = lambda x, ee: _ln_F0_pairs(x, ee, nfast=nfast, **kw)  # noqa: E731
    flo, fhi = f(lo, e), f(hi, e)
    exact_lo = flo == 0
    ok = (flo < 0) & (fhi > 0)
    res = np.where(exact_lo, lo, np.where(fhi == 0, hi, np.nan))
    if np.any(ok):
        res[ok] = _find_root(
            f, lo[ok], hi[ok], (e[ok],), xatol=1e-14, xrtol=4 * np.finfo(float).eps, fatol=1e-15,
            maxiter=2046,  # scipy's default
        )[0]
    if np.any(np.isnan(res)):  # pragma: no cover - bracket invariants guarantee a sign change
        raise RuntimeError("internal error: critical coupling bracket has no sign change")
    out[todo] = res
    return out


def critical_coupling(*, eps=None, xi=None, K, N, s, d=1, sum_range="infinite", nfast="literal"):
    """Critical inter-dot coupling :math:`\\gamma_c/\\delta_m` of Eq. (19) (Fig. 5).

    The smallest :math:`\\gamma` for which Eq. (19) has a non-trivial
    solution, i.e. (exactly, see the module docstring) the smallest
    :math:`\\gamma` with :math:`F(0^+) > 1`; it solves
    :math:`F_0(\\gamma_c) = 1`.

    Parameters
    ----------
    eps, xi : float or array_like
        Exactly one of :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1` and
        :math:`\\Xi > 0`.  Fig. 5's abscissa is
        :math:`1/\\Xi - \\ln K = -\\varepsilon\\ln K`.
    K, N, s, d, sum_range, nfast
        As in :func:`solve_linewidth` (Eq. 19 only).

    Returns
    -------
    float or numpy.ndarray
        :math:`\\gamma_c/\\delta_m`, same shape as ``eps``.

        * ``0.0`` where every :math:`\\gamma > 0` gives a metal
          (``sum_range="infinite"`` and :math:`\\varepsilon \\ge 0`:
          :math:`F_0 = \\infty`).
        * ``inf`` where :math:`F_0 \\le 1` for every :math:`\\gamma < 1`: no
          metal with a coupling below :math:`\\delta_m` (Eq. 19 assumes
          :math:`\\gamma \\ll \\delta_m`; see also Eq. 23,
          :func:`critical_coupling_eq23_edge`).

    Notes
    -----
    Search in :math:`a = \\ln\\gamma`.  :math:`F_0` is strictly increasing in
    :math:`\\gamma` for ``nfast="continuous"``.  For ``nfast="literal"`` it
    is increasing between the points :math:`\\gamma = K^{-m}` (``m >= 2``),
    where the literal :math:`n_{\\rm fast}` of the ``m``-th term drops from 1
    (at and below the point) to :math:`sN\\ln^d(\\gamma K^m) \\to 0` (just
    above it), so :math:`F_0` drops there; the set
    :math:`\\{F_0 > 1\\}` can then have localized gaps above
    :math:`\\gamma_c` (re-entrance; see :func:`literal_reentrance`).  The
    lower bracket comes from the continuous reading, which bounds the
    literal one from above and is monotone; the first interval between
    drops whose upper end has :math:`F_0 > 1` is refined with Chandrupatla's
    method (vectorized over all ``eps``).  Accuracy about 1e-13 in
    :math:`\\ln\\gamma_c`.

    Raises
    ------
    ValueError
        For out-of-range parameters or unknown options (the message names
        the parameter).

    Validity
    --------
    Never warns: the boundary is a mathematical surface of Eq. (19); where
    :math:`\\gamma_c` violates Eq. (23) is what
    :func:`critical_coupling_eq23_edge` answers.  Work limits as
    :func:`ln_F_zero_table`, plus at most 5000 drop points
    :math:`\\gamma = K^{-m}` for ``nfast="literal"``.
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    e = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    uniq, inv = np.unique(e.ravel(), return_inverse=True)
    ln_gc = _gamma_c_columns(uniq, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    with np.errstate(over="ignore", under="ignore"):
        out = np.exp(ln_gc)[np.ravel(inv)].reshape(e.shape)
    return float(out) if out.ndim == 0 else out


def literal_reentrance(*, eps=None, xi=None, K, N, s, d=1, sum_range="infinite"):
    """Localized windows above :math:`\\gamma_c` in the literal reading of Eq. (20).

    Returns, for scalar ``eps``, a list of the jump points
    :math:`\\gamma = K^{-m} < 1` (``m >= 2``) above :math:`\\gamma_c` just above
    which the literal :math:`F_0` drops from above 1 to at most 1 (each opens a
    window of couplings that is localized again; the point itself still has
    :math:`n_m = 1`, Eq. 20's first branch including :math:`\\gamma K^m = 1`).  Empty when the phase
    boundary is a single point.  For array ``eps`` a list of such lists in
    ``eps.ravel()`` order.  The continuous reading never has such windows.

    Validity
    --------
    Never warns.  ``ValueError`` for bad parameters, the work limits of
    :func:`critical_coupling`, and more than 5000 drop points below
    :math:`\\gamma_c` (``K`` very close to 1).
    """
    K, N, s, d, sum_range, _ = _validate_boundary(K, N, s, d, sum_range, "literal")
    e = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    gc = np.atleast_1d(critical_coupling(eps=e, K=K, N=N, s=s, d=d, sum_range=sum_range))
    ell = math.log(K)
    res = []
    for ee, g in zip(e.ravel(), gc.ravel()):
        found = []
        if 0.0 < g < 1.0:
            if -math.log(g) / ell > _MAX_NODES:
                raise ValueError(
                    f"K={K!r} is too close to 1: gamma_c = {g:.3g} lies below {-math.log(g) / ell:.3g} "
                    f"drop points gamma = K^-m (at most {_MAX_NODES} are examined); use K >= "
                    f"{math.exp(-math.log(g) / _MAX_NODES):.6g}"
                )
            k = np.arange(2, int(math.floor(-math.log(g) / ell)) + 1, dtype=float)
            nodes = -k * ell
            nodes = nodes[nodes > math.log(g)]
            if nodes.size:
                # F0 is left-continuous at a node (n_m = 1 there) and drops just above it
                step = 1e-13 * np.maximum(1.0, np.abs(nodes))
                kw = dict(K=K, N=N, s=s, d=d, sum_range=sum_range, nfast="literal")
                fl = _ln_F0_pairs(nodes - step, np.full(nodes.size, ee), **kw)
                fr = _ln_F0_pairs(nodes + step, np.full(nodes.size, ee), **kw)
                found = [float(math.exp(x)) for x, l_, r_ in zip(nodes, fl, fr) if l_ > 0 >= r_]
        res.append(sorted(found))
    return res[0] if e.ndim == 0 else res


def _eps_c_19(gammas, *, K, N, s, d, sum_range, nfast):
    """eps_c (F0 = 1) of Eq. (19) per gamma (flat array); 1.0 means no metal for eps < 1."""
    kw = dict(K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    a = np.log(gammas)
    f = lambda ee, aa: _ln_F0_pairs(aa, ee, **kw)  # noqa: E731
    out = np.full(a.size, np.nan)
    if sum_range == "infinite":
        # eps_c < 0 (F0 = inf for eps >= 0).  Near eps = 0, F0 ~ gamma^2 sN ln^d K (d+1)!/(2x)^(d+2)
        # with x = -eps ln K (critical_coupling_asymptote), so |eps_c| ~ gamma^(2/(d+2)): start at
        # half that (in logs: gamma^2 underflows for gamma < 1e-154) and halve until F0 > 1.
        ell = math.log(K)
        ln_x = (2.0 * a + math.log(s * N) + d * math.log(ell) + math.lgamma(d + 2)) / (d + 2) - math.log(2.0)
        hi = np.maximum(-1e-3, -0.5 * np.exp(ln_x) / ell)
        for _ in range(1100):  # down to the smallest subnormal
            bad = f(hi, a) <= 0
            if not np.any(bad):
                break
            hi[bad] *= 0.5
    else:
        hi = np.full(a.size, 1.0)
        none = f(hi, a) <= 0
        out[none] = 1.0
    lo = np.full(a.size, -1.0)
    for _ in range(200):
        bad = f(lo, a) >= 0
        if not np.any(bad):
            break
        lo[bad] = 2.0 * lo[bad] - 1.0
    todo = np.nonzero(np.isnan(out))[0]
    if todo.size:
        lo, hi, a = lo[todo], hi[todo], a[todo]
        # F0 grows with eps: one evaluation at 31 interior points narrows each bracket 32-fold
        grid = lo[:, None] + (hi - lo)[:, None] * (np.arange(1, 32) / 32.0)[None, :]
        vals = f(grid.ravel(), np.repeat(a, 31)).reshape(grid.shape)
        k = np.count_nonzero(vals < 0, axis=1)  # grid points below the root
        r = np.arange(todo.size)
        lo = np.where(k > 0, grid[r, np.maximum(k - 1, 0)], lo)
        hi = np.where(k < 31, grid[r, np.minimum(k, 30)], hi)
        res = np.empty(todo.size)
        # absolute tolerance 1e-15; where eps_c itself is tiny (gamma -> 0) each column is
        # solved alone with a tolerance relative to its bracket end (tolerances are per call)
        tiny = np.abs(hi) < 1e-12
        groups = [(np.nonzero(~tiny)[0], 1e-15)] + [(np.array([i]), 1e-16 * abs(hi[i])) for i in np.nonzero(tiny)[0]]
        for sel, xatol in groups:
            if sel.size:
                res[sel] = _find_root(f, lo[sel], hi[sel], (a[sel],), xatol=xatol, xrtol=4 * np.finfo(float).eps,
                                      fatol=1e-15, maxiter=2046)[0]  # maxiter: scipy's default
        out[todo] = res
    return out


def _eps_c_app(gamma, *, K, N, s, d, equation, grid=48):
    """eps_c for E2/E3 at one gamma: F0 = 1, extended down over bistable roots."""
    opts = dict(gamma=gamma, K=K, N=N, s=s, d=d, equation=equation)

    def g(ee):
        lnF, sg = ln_F_zero(eps=ee, **opts)
        # F0 - 1; only its sign and its zero matter, so F0 beyond e^700 is capped there
        return math.expm1(min(lnF, 700.0)) if sg > 0 else -1.0 - (math.exp(min(lnF, 700.0)) if sg < 0 else 0.0)

    top = 1.0 - 1e-12
    if g(top) <= 0:
        return 1.0
    lo = -1.0
    while g(lo) > 0:
        lo = 2.0 * lo - 1.0
    # F0 - 1 is an exponential sum with one sign change in its coefficients:
    # at most one zero in eps (Descartes' rule for Dirichlet polynomials)
    e0 = brentq_or_bisect(g, lo, top, xtol=1e-14, rtol=4 * np.finfo(float).eps)
    # bistable roots (F0 <= 1 but a stable root) below e0: grid + bisection
    below = np.linspace(e0 - 1.0, e0, grid + 1)[:-1]
    r = solve_linewidth(eps=below, warn=False, **opts)
    has = np.asarray(r.status) == "root"
    if not np.any(has):
        return e0
    i = int(np.argmax(has))
    if i == 0:
        return float(below[0])  # the grid does not reach the end of the bistable range
    a_, b_ = float(below[i - 1]), float(below[i])
    for _ in range(50):
        mid = 0.5 * (a_ + b_)
        if solve_linewidth(eps=mid, warn=False, **opts).status == "root":
            b_ = mid
        else:
            a_ = mid
    return b_


def critical_eps(*, gamma, K, N, s, d=1, equation="19", sum_range="infinite", nfast="literal"):
    """:math:`\\varepsilon_c`: where the non-trivial solution disappears at fixed :math:`\\gamma`.

    See :func:`critical_xi` (this is the same boundary in
    :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`); ``1.0`` means no metal for
    any :math:`\\Xi` (i.e. :math:`\\Xi_c = \\infty`).

    Validity
    --------
    Never warns (the boundary is computed as a mathematical surface; see
    :func:`critical_coupling_eq23_edge` for where it leaves Eq. 23).
    ``ValueError`` for bad parameters and the work limits of
    :func:`ln_F_zero_table` (Eq. 19) or :func:`solve_linewidth` (E2/E3).
    Tiny ``gamma`` gives a tiny negative :math:`\\varepsilon_c` (e.g.
    :math:`-10^{-200}` at :math:`\\gamma = 10^{-300}`), never NaN.
    """
    equation = check_choice("equation", equation, EQUATIONS)
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    if equation != "19" and N > _max_n_app_solve(K) // 10:
        raise ValueError(
            f"N must be <= {_max_n_app_solve(K) // 10} for critical_eps/critical_xi with equation {equation!r} "
            f"and K={K:g} (about 100 E2/E3 solves, each summing 2N terms on ~2N ln K/3 scan points); got N={N}"
        )
    g = np.asarray(check_positive("gamma", gamma), dtype=float)
    uniq, inv = np.unique(g.ravel(), return_inverse=True)
    if equation == "19":
        vals = _eps_c_19(uniq, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    else:
        vals = np.array([_eps_c_app(float(gg), K=K, N=N, s=s, d=d, equation=equation) for gg in uniq])
    out = vals[np.ravel(inv)].reshape(g.shape)
    return float(out) if out.ndim == 0 else out


def critical_xi(*, gamma, K, N, s, d=1, equation="19", sum_range="infinite", nfast="literal"):
    """Critical Fock-space localization length :math:`\\Xi_c` at fixed :math:`\\gamma`.

    The metal (a non-trivial solution) exists for :math:`\\Xi > \\Xi_c`.

    * ``equation="19"``: :math:`F_0(\\varepsilon_c) = 1` (exact: localized iff
      :math:`F_0 \\le 1`; :math:`F_0` is strictly increasing in
      :math:`\\varepsilon`).  With ``sum_range="infinite"``
      :math:`F_0 = \\infty` for every :math:`\\varepsilon \\ge 0`, so
      :math:`\\varepsilon_c < 0`, i.e. :math:`\\Xi_c < 1/\\ln K`.
    * ``equation="E3"``/``"E2"``: :math:`F_0 - 1` has at most one zero in
      :math:`\\varepsilon` (an exponential sum whose coefficients change sign
      once); the boundary is that zero, moved down if a bistable root
      (:math:`F_0 \\le 1` with a stable root, see :func:`solve_linewidth`) is
      found on a 48-point grid below it, refined by bisection.

    Parameters
    ----------
    gamma : float or array_like
        :math:`\\gamma/\\delta_m > 0`; array input gives array output.
    K, N, s, d, equation, sum_range, nfast
        As in :func:`solve_linewidth`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\Xi_c = 1/((1-\\varepsilon_c)\\ln K)`; ``inf`` where no
        :math:`\\Xi` gives a metal (square sum with :math:`F_0 \\le 1` even at
        :math:`\\varepsilon \\to 1`).

    Validity
    --------
    As :func:`critical_eps`.
    """
    K_ = float(check_branching("K", K))
    ec = np.asarray(critical_eps(gamma=gamma, K=K, N=N, s=s, d=d, equation=equation,
                                 sum_range=sum_range, nfast=nfast), dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(ec >= 1.0, np.inf, 1.0 / ((1.0 - np.minimum(ec, 1.0)) * math.log(K_)))
    return float(out) if out.ndim == 0 else out


def critical_coupling_eq23_edge(*, K, N, s, d=1, sum_range="infinite", nfast="literal", z=None):
    """Where the phase boundary leaves the window of Eq. (23).

    Returns :math:`x^* = 1/\\Xi - \\ln K` at which
    :math:`\\gamma_c(x^*) = e^{-1/\\Xi} = e^{-x^*}/K` (with ``z``:
    :math:`\\min(e^{-1/\\Xi}, 1/z)`).  For :math:`x > x^*` the coupling needed
    for a metal violates Eq. (23): the mean field is no longer consistent
    there ("eventually :math:`\\gamma_c` becomes of order :math:`\\delta_m`").
    :math:`\\gamma_c` increases with :math:`x`, so the crossing is unique.
    Returns :math:`-\\ln K` (the end :math:`\\varepsilon \\to 1` of the domain) when
    the boundary lies outside Eq. (23) for every :math:`\\varepsilon < 1`
    (possible for the square sum).  Raises ``ValueError`` for bad parameters
    or the solver's work limits (see the module docstring); never warns.
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    ell = math.log(K)
    lnz = -math.inf if z is None else math.log(float(check_positive("z", z)))

    def h(x):
        gc = critical_coupling(eps=-x / ell, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
        bound = min(-x - ell, -lnz)
        return (min(math.log(gc), 50.0) if gc > 0 else -1e3) - bound

    lo = -ell * 0.999 if sum_range == "square" else 0.0
    for _ in range(200):  # square sum: boundary may leave the window already at eps > 0
        if h(lo) < 0:
            break
        if lo <= -ell * (1.0 - 1e-12):  # outside Eq. (23) for every eps < 1
            return float(-ell)
        lo = lo - 1.0 if lo - 1.0 > -ell else max(0.5 * (lo - ell), -ell * (1.0 - 1e-12))
    else:
        return float(-ell)
    hi = 0.5
    for _ in range(1100):  # gamma_c grows with x: h > 0 at the latest where gamma_c = inf
        if h(hi) > 0:
            break
        hi *= 2.0
    return float(brentq_or_bisect(h, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps))


def critical_coupling_asymptote(*, eps=None, xi=None, K, N, s, d=1):
    """Small-:math:`x` asymptote of :math:`\\gamma_c` for the infinite sum.

    With :math:`x = 1/\\Xi - \\ln K = -\\varepsilon\\ln K \\to 0^+` the sum
    :math:`F_0` is dominated by :math:`m \\sim 1/x`, where
    :math:`n_m \\approx sN(m\\ln K)^d`; replacing the sum by an integral,
    :math:`F_0 \\approx \\gamma^2 sN\\ln^dK\\,(d+1)!/(2x)^{d+2}`, so

    .. math:: \\gamma_c \\approx \\frac{(2x)^{(d+2)/2}}{\\sqrt{sN\\ln^dK\\,(d+1)!}}.

    ``0.0`` for :math:`x \\le 0`, where :math:`\\gamma_c = 0` exactly
    (:math:`F_0 = \\infty` for :math:`\\varepsilon \\ge 0`); ``inf`` where the
    formula exceeds the float range (huge :math:`x`, far outside its regime).

    Validity: an asymptote for :math:`x \\to 0^+`; compare with
    :func:`critical_coupling` for the exact boundary.  Raises ``ValueError``
    for out-of-range parameters (named in the message); never warns.
    """
    K = float(check_branching("K", K))
    N = check_positive_int("N", N)
    s = float(check_unit_interval("s", s))
    d = check_dimension(d)
    e = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    ell = math.log(K)
    x = -e * ell
    # in logs: (2x)^((d+2)/2) / sqrt(sN ln^d K (d+1)!) over- or underflows for extreme parameters
    ln_den = 0.5 * (math.log(s * N) + d * math.log(ell) + math.lgamma(d + 2))
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        val = np.where(x > 0, np.exp((d + 2) / 2.0 * np.log(2.0 * np.maximum(x, 1e-320)) - ln_den), 0.0)
    return float(val) if val.ndim == 0 else val


def eq21_ln_linewidth(*, eps=None, xi=None, gamma, K, warn=True):
    """:math:`\\ln\\Gamma` of Eq. (21) read as single-dot scaling, :math:`\\Gamma = \\gamma^{1/\\varepsilon}`.

    The printed Eq. (21) lost its exponent (book errata, ``errata-eq21``):
    :math:`\\Gamma = \\gamma^{\\Xi\\ln K/(\\Xi\\ln K-1)}`, i.e.
    :math:`\\ln\\Gamma = \\ln\\gamma/\\varepsilon` (units of :math:`\\delta_m`),
    the :math:`\\gamma\\to0` limit of the saddle point (C5).  ``-inf`` for
    :math:`\\varepsilon \\le 0`.

    Validity
    --------
    Eq. (21) is single-dot scaling for :math:`\\varepsilon > 0`; where
    :math:`\\varepsilon \\le 0` it returns ``-inf`` (no metal) with a
    :class:`~nblm_helpers.parameters.ValidityWarning` unless ``warn=False``.
    ``ValueError`` for bad parameters.
    """
    gamma = float(check_positive("gamma", gamma))
    K = float(check_branching("K", K))
    e = np.asarray(resolve_eps(eps, xi, K), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        val = np.where(e > 0, math.log(gamma) / np.where(e > 0, e, 1.0), -np.inf)
    nbad = int(np.count_nonzero(e <= 0))
    if warn and nbad:
        warnings.warn(
            f"Eq. (21) is single-dot scaling for eps > 0; eps <= 0 at {nbad} of {e.size} point(s), "
            "where -inf (no metal) is returned", ValidityWarning, stacklevel=2)
    return float(val) if val.ndim == 0 else val


__all__ += [
    "ln_F_zero_table",
    "critical_coupling",
    "literal_reentrance",
    "critical_eps",
    "critical_xi",
    "critical_coupling_eq23_edge",
    "critical_coupling_asymptote",
    "eq21_ln_linewidth",
]


def eps_at_linewidth(*, ln_Gamma, gamma, K, N, s, d=1, sum_range="infinite", nfast="literal"):
    """:math:`\\varepsilon` at which the physical linewidth of Eq. (19) equals :math:`e^{\\ln\\Gamma}`.

    Used to draw contours such as Eq. (27)'s :math:`\\Gamma = NK^{-N}` without
    solving for :math:`\\Gamma` on a grid.  For
    :math:`\\ln\\Gamma \\le \\ln\\gamma - d/2`, :math:`F` is non-increasing on
    :math:`(0, \\Gamma]` (module docstring), so the physical root exceeds
    :math:`\\Gamma` iff :math:`F(\\Gamma) > 1`; :math:`F(\\Gamma)` grows
    strictly with :math:`\\varepsilon`, so the contour is the unique root of
    :math:`\\ln F(\\Gamma; \\varepsilon) = 0` (Brent's method).

    Parameters
    ----------
    ln_Gamma : float
        Target :math:`\\ln(\\Gamma/\\delta_m)`, ``<= ln(gamma) - d/2``.
    gamma : float or array_like
        :math:`\\gamma/\\delta_m`; array input gives array output.
    K, N, s, d, sum_range, nfast
        As in :func:`solve_linewidth`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\varepsilon^*`: the linewidth exceeds the target for
        :math:`\\varepsilon > \\varepsilon^*`.  ``1.0`` if it never reaches it
        for :math:`\\varepsilon < 1`.

    Raises
    ------
    ValueError
        Bad parameters, or ``ln_Gamma > ln(gamma) - d/2`` (the name
        ``ln_Gamma`` is in the message).

    Validity
    --------
    Never warns.  ``ValueError`` as listed above, and for
    ``ln_Gamma < -2e5 ln K`` with the unbounded sum (each of its ~50
    evaluations of :math:`F` sums that many orders).
    """
    K, N, s, d, sum_range, nfast = _validate_boundary(K, N, s, d, sum_range, nfast)
    g = np.asarray(check_positive("gamma", gamma), dtype=float)
    lnG = float(check_real("ln_Gamma", ln_Gamma))
    if np.any(lnG > np.log(g) - d / 2.0):
        raise ValueError(f"ln_Gamma must be <= ln(gamma) - d/2 (monotone region of F); got {ln_Gamma!r}")
    x_min = -_MAX_ORDER_CONTOUR * math.log(K)
    if sum_range == "infinite" and lnG < x_min:
        raise ValueError(
            f"ln_Gamma must be >= {x_min:.6g} (= -{_MAX_ORDER_CONTOUR:.0e} ln K: each of the ~50 evaluations "
            f"of F sums that many orders) for sum_range='infinite'; got {ln_Gamma!r}"
        )
    out = np.empty(g.size)
    for i, gg in enumerate(g.ravel()):
        kw = dict(gamma=float(gg), K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)

        def f(e):
            return self_consistency_ratio(lnG, eps=e, **kw)[0]

        top = 1.0 - 1e-12
        if f(top) <= 0:
            out[i] = 1.0
            continue
        lo = -1.0
        while f(lo) >= 0:
            lo = 2.0 * lo - 1.0
        out[i] = brentq_or_bisect(f, lo, top, xtol=1e-13, rtol=4 * np.finfo(float).eps)
    out = out.reshape(g.shape)
    return float(out) if out.ndim == 0 else out


__all__ += ["eps_at_linewidth"]
