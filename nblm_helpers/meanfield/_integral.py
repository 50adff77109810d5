"""The ln F model of Eq. (19) with the sum over m = n + p replaced by an integral (Sec. V A, App. E).

The paper computed Figs. 5-7 and Fig. 8's open circles "by approximating the sum by an integral".
With m continuous and n(m) = n_fast(t = K^m) of Eq. (20) (either reading),

    F(Gamma) = gamma^2 Integral_{m_lo}^{m_hi} dm w(m) K^{2 m eps} n(m) / (1 + (Gamma n(m) K^m)^2),

* ``limits="cell"``: every (n, p) is the unit cell [n - 1/2, n + 1/2] x [p - 1/2, p + 1/2], so the
  length of the line n + p = m inside the quadrant (square) is w(m) = m - 1 on [1, inf)
  (``sum_range="infinite"``) or w(m) = min(m - 1, 2N + 1 - m) on [1, 2N + 1] (``"square"``);
  the sum is then the midpoint rule of the integral (error O(ln^2 K) relative, Euler-Maclaurin);
* ``limits="naive"``: the sum's own weights and limits, w(m) = m - 1 on [2, inf), or
  min(m - 1, 2N + 1 - m) on [2, 2N].

The integrand has kinks (literal reading: a jump) where gamma K^m = 1, where the continuous reading's
n_fast leaves 1, at saturation Gamma K^m = 1 (t = 1/Gamma) and (square) at m = N + 1; the crossover
Gamma n K^m ~ 1 is a smooth peak.  :class:`_IntegralModel` evaluates F with a fast rule:

* below the crossover band (Gamma n K^m <= 1e-9, the exact sum's ``_BAND_LO``) 1/(1 + u) = 1 to
  1e-18 relative, so that part, G(M_lo) = Integral_{m_lo}^{M_lo} of the Gamma -> 0 integrand, does
  not depend on Gamma: a per-column table of G at knots m_lo + k H (H = 2.5/max(1, |eps|) in
  y = m ln K), built once and extended on demand, plus the rest from the knot to M_lo;
* the band from M_lo to the tail start (or the square's end): composite Gauss-Legendre panels
  (``_GL_N`` = 16 nodes), split at every kink and at saturation, graded in ln(Gamma n K^m)
  (``_LEVELS``: width 2 in y next to the crossover, where 1/(1 + u) has poles at Im y = pi/2;
  wider where u or 1/u is small, which scales the pole part down);
* every panel carries an error estimate from the last two Legendre coefficients of its interpolant
  (8 h c^2 for the larger relative coefficient c: geometric decay gives the Gauss error ~ c_{2n});
  a point whose summed estimate exceeds ``_FAST_TOL`` = 1e-13 of its total has its offending
  panels halved (up to ``_FAST_SPLITS`` rounds); a point (or a column's table) that still fails
  is redone by the adaptive reference path, :func:`scipy.integrate.tanhsinh` (``log=True``: the
  integrand is handled as its logarithm, so ln Gamma ~ -1e4 is fine), elementwise error control at
  ``_RTOL`` relative per piece, vectorized over all (point, piece) pairs, pieces that do not
  converge halved and redone.  (Checked against 40-digit mpmath: the fast rule is within ~1e-14;
  the tanhsinh path was off by up to ~2e-9 at a few points near kinks.)

F(0+) uses the tanhsinh path (one evaluation per column).  Closed forms:

* the tail of the unbounded integral beyond the crossover (saturated branch, u = (Gamma n K^m)^2 >=
  1e4): 1/(1 + u) = sum_j (-1)^(j+1) u^-j, each term an elementary integral (error u^-6 <= 1e-24);
* F(0+) for eps < 0 beyond the point M0 where n_fast = s N (a + m ln K)^d (a = ln gamma): with
  tau = m - M0, (m - 1)(a + m ln K)^d is a polynomial in tau with non-negative coefficients and
  Integral_0^inf tau^k e^{-b tau} = k!/b^(k+1) (b = -2 eps ln K): no cancellation.

Derivative bound (for the bracket scan): at fixed m the integrand is the sum's term c n/(1 + u), whose
d ln / dx (x = ln Gamma) lies in [-(2 + delta), max(0, delta - 2)], delta = d / ln(gamma/Gamma)
(package docstring); the integrand is continuous in m across the moving saturation point, so
differentiation under the integral holds and ln F of the integral obeys the same bound.  Hence
:meth:`_Model.exclude` (Eq. 19 branch) applies unchanged, F(Gamma) <= F(0+), and "localized iff
F(0+) <= 1" holds for the integral too.

The bracket scan needs only signs of ln F and, for the derivative bound, bounds on it: it uses a
cheaper rule (:meth:`_IntegralModel.scan_values`: ``_SCAN_N`` = 10 nodes per panel, estimate
``_SCAN_TOL`` = 1e-6) whose value is taken to be within delta = 100 x (its error estimate) + 1e-9
of ln F; :meth:`_IntegralModel.exclude` applies the bound to ln F -/+ delta, and a point with
|ln F| <= delta is redone by the accurate rule.  The refinement evaluates the bracket ends again
with the accurate rule, so brackets and roots are those of the accurate scan (FIG8 parameters,
10^3 eps: the roots of the accurate scan, bit for bit).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import tanhsinh
from scipy.special import gammaln

from ..parameters import check_choice
from ._lnf import _Model
from ._numerics import _BAND_HI, _BAND_LO, _J_TAIL, _slse
from .nfast import _ln_n_unsat

INTEGRAL_LIMITS = ("cell", "naive")
SUMMATIONS = ("sum", "integral")

_RTOL = 1e-12  # tanhsinh relative tolerance per piece (F is a sum of positive pieces)
_N_BAND = 4  # the crossover band [Mlo, Mt] is integrated in this many equal pieces
_LN_NEGLIGIBLE = -1000.0  # ln F below which a point's pieces are accepted as they are
_MAX_SPLITS = 6  # rounds of halving pieces that tanhsinh did not converge on
_GL_N = 16  # Gauss-Legendre nodes per panel of the fast rule
_HY_B = 10.0  # band panels: largest width in y = m ln K
# panel edges at these ln(Gamma n K^m): width 2 in y near the crossover (poles of 1/(1 + u) at
# Im y = pi/2: error ~ 3.4^-32), wider where u = (Gamma n K^m)^2 or 1/u is small
_LEVELS = (-11.0, -7.0, -4.0, -2.0, 0.0, 2.0)
_TAIL_LEVEL, _J_FAST = 2.0, 10  # fast rule: closed-form tail from ln(Gamma n K^m) = 2 on, 10 terms
_HY_T = 2.5  # table knots: spacing in y for |eps| <= 1 (the Gamma -> 0 integrand is entire between kinks)
_FAST_TOL = 1e-13  # error estimate of the fast rule, relative to the point's total
_FAST_SPLITS = 8  # rounds of halving the panels of points whose error estimate fails
_FAST_CHUNK = 250_000  # nodes per batch of the fast rule
# the bracket scan's cheaper rule (:meth:`_IntegralModel.scan_values`): nodes per panel, error
# estimate, and delta = _SCAN_SAFETY x estimate + _SCAN_FLOOR (in ln F) around which a sign is redone
_SCAN_N, _SCAN_TOL, _SCAN_SAFETY, _SCAN_FLOOR = 10, 1e-6, 100.0, 1e-9
_PANEL_BLOCK = 1024  # panels per block of integrand evaluations (in cache: 2-3x faster than one pass)


def _gl_rule(n=_GL_N, _cache={}):
    """Gauss-Legendre nodes, weights and the rows of the discrete Legendre transform for k = n-2, n-1."""
    if n not in _cache:
        t, w = np.polynomial.legendre.leggauss(n)
        V = np.polynomial.legendre.legvander(t, n - 1)[:, -2:]
        C = (V * w[:, None] * (np.array([2.0 * n - 3.0, 2.0 * n - 1.0]) / 2.0)).T
        _cache[n] = (t, w, np.ascontiguousarray(np.vstack([w[None, :], C])))
    return _cache[n]


def _ln_integrand(m, x, a, lnsN, eps, ell, d, literal, N2p1):
    """ln of w(m) K^{2 m eps} n(m) / (1 + (Gamma n K^m)^2) (without gamma^2); x = -inf: Gamma -> 0.

    ``N2p1`` = 2N + 1 for the square range (w = min(m - 1, 2N + 1 - m)), else ``inf``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        y = ell * m
        xy = x + y
        # n_fast(K^m): saturated (t >= 1/Gamma) branch at gamma/Gamma, as in the sum
        L = np.where(xy >= 0, a - x, a + y)
        ln_n = _ln_n_unsat(L, lnsN, d, literal)
        w = np.minimum(m - 1.0, N2p1 - m)
        ln_w = np.log(np.where(w > 0, w, 0.0))
        return ln_w + (2.0 * eps) * y + ln_n - np.logaddexp(0.0, 2.0 * (xy + ln_n))


def _integrand_gl(m, x, a, lnsN, eps, ell, d, literal, N2p1):
    """The integrand of :func:`_ln_integrand` at interior nodes as (g, w, q): value = w e^g / q.

    ``g`` = 2 eps y + ln n - max(z, 0) and ``q`` = 1 + e^-|z| with z = ln u = 2 ln(Gamma n K^m)
    (``q`` = None for x = None: Gamma -> 0), ``w`` the weight w(m) (linear); the saturated branch
    is L = min(a + y, a - x).  Fewer transcendental passes than the logarithm of the whole.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        y = m * ell
        gamma0 = x is None
        L = a + y if gamma0 else np.minimum(a + y, a - x)
        ln_n = np.log(L)
        ln_n *= d
        ln_n += lnsN
        if literal:
            ln_n = np.where(L > 0, ln_n, 0.0)
        else:
            ln_n = np.fmax(ln_n, 0.0)  # (nan and -inf where L <= 0: n = 1)
        w = m - 1.0 if N2p1 == math.inf else np.maximum(np.minimum(m - 1.0, N2p1 - m), 0.0)
        g = (2.0 * eps) * y
        g += ln_n
        if gamma0:
            return g, w, None
        y += x
        y += ln_n
        y *= 2.0  # z
        g -= np.maximum(y, 0.0)
        q = np.abs(y, out=y)
        np.negative(q, out=q)
        np.exp(q, out=q)
        q += 1.0
        return g, w, q


class _IntegralModel:
    """ln F of the integral form of Eq. (19) for points (x, column): the interface of :class:`_Model`
    that the bracket scan and its refinement use (``lnF``, ``lnF0``, ``scan_values``, ``root_fn``,
    ``exclude``, ``sub``, ``ln_nfU``, ``x_lo_inf``)."""

    # the derivative bound of Eq. 19 holds for the integral (module docstring): :meth:`exclude`
    fatol = 1e-13  # |ln F| the refinement may stop at (the quadrature is accurate to ~1e-13)
    # a coarser start grid for the bracket scan than the sum's (9, 32): the derivative bound
    # subdivides where needed, so it finds the same roots with ~35 instead of ~55 evaluations
    grid_19 = (5, 12)

    def __init__(self, *, gamma, K, N, s, d, sum_range, nfast, limits, eps):
        self.K, self.N, self.d = K, N, d
        self.ell = math.log(K)
        self.equation = "19"
        self.eps = np.atleast_1d(np.asarray(eps, dtype=float))
        self.ncol = self.eps.size
        self.gamma = np.broadcast_to(np.asarray(gamma, dtype=float), self.eps.shape).copy()
        self.s = np.broadcast_to(np.asarray(s, dtype=float), self.eps.shape).copy()
        self.a = np.array([math.log(v) for v in self.gamma.tolist()])
        self.lnsN = np.array([math.log(v * N) for v in self.s.tolist()])
        self.kind = "inf" if sum_range == "infinite" else "sq"
        self.literal = nfast == "literal"
        self.limits = limits
        self._opts = dict(K=K, N=N, d=d, sum_range=sum_range, nfast=nfast, limits=limits)
        self.m_lo = 1.0 if limits == "cell" else 2.0
        if self.kind == "inf":
            self.m_hi, self.N2p1 = math.inf, math.inf
        else:
            self.m_hi = 2.0 * N + 1.0 if limits == "cell" else 2.0 * N
            self.N2p1 = 2.0 * N + 1.0
        # largest order the scan's flat-region estimate of the square range must cover
        self.m_top = self.m_hi if self.kind == "sq" else None
        self._sum = None

    def sub(self, cols):
        cols = np.asarray(cols, dtype=np.int64)
        return _IntegralModel(eps=self.eps[cols], gamma=self.gamma[cols], s=self.s[cols], **self._opts)

    def ln_nfU(self, m, a, lnsN):
        """ln n_fast(K^m) for Gamma -> 0 (Eq. 20), as :meth:`_Model.ln_nfU`."""
        return _ln_n_unsat(a + m * self.ell, lnsN, self.d, self.literal)

    # ---------------- quadrature ----------------
    def _kinks(self, a, lnsN):
        """Gamma-independent break points: gamma K^m = 1, n_fast leaving 1 (continuous), m = N + 1."""
        k = [-a / self.ell]
        if not self.literal:
            thr = np.exp(np.minimum(-lnsN / self.d, 700.0))
            k.append((thr - a) / self.ell)
        if self.kind == "sq":
            k.append(np.full(a.shape, self.N + 1.0))
        return k

    def _integrate(self, lo, hi, x, a, lnsN, eps):
        """ln of the integral over each piece [lo, hi] (arrays of shape (pieces, points)); -inf where hi <= lo.

        Error control relative to each point's total: a rough first pass (tanhsinh up to level 3)
        estimates the total c of every point; the second pass integrates e^(g - c) with
        ``atol = _RTOL`` and ``rtol = _RTOL`` (so a piece negligible next to its point's total, e.g.
        a very short piece next to a kink whose nodes' rounding keeps the estimate from converging,
        stops early).  A piece is accepted when it converged or its error estimate is below
        ``_RTOL`` times the point's total; other pieces are halved and redone.  Points with
        F < e^-1000 accept every piece (F is 0.0 in floating point; such ln F are only compared
        with 0).
        """
        npc, npt = lo.shape
        out = np.full(lo.size, -np.inf)
        owner = np.broadcast_to(np.arange(npt), (npc, npt)).ravel()
        rep = lambda v: np.broadcast_to(v, (npc, npt)).ravel()  # noqa: E731
        x, a, lnsN, eps = rep(x), rep(a), rep(lnsN), rep(eps)
        lo, hi = lo.ravel(), hi.ravel()
        todo = np.nonzero(hi > lo)[0]  # element (piece) indices still open
        lo, hi = lo[todo], hi[todo]
        ell, d, literal, N2p1 = self.ell, self.d, self.literal, self.N2p1

        def f(m, x_, a_, lnsN_, eps_, c_):
            return _ln_integrand(m, x_, a_, lnsN_, eps_, ell, d, literal, N2p1) - c_

        # first pass: the scale c of every point's total
        c = np.full(npt, -np.inf)
        if todo.size:
            res = tanhsinh(f, lo, hi, args=(x[todo], a[todo], lnsN[todo], eps[todo], np.zeros(todo.size)),
                           log=True, maxlevel=3)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.logaddexp.at(c, owner[todo], np.asarray(res.integral))
        c = np.where(np.isfinite(c), c, 0.0)
        lnt = math.log(_RTOL)
        for _round in range(_MAX_SPLITS + 1):
            if todo.size == 0:
                break
            ct = c[owner[todo]]
            res = tanhsinh(f, lo, hi, args=(x[todo], a[todo], lnsN[todo], eps[todo], ct), log=True,
                           rtol=lnt, atol=lnt)
            val, err = np.asarray(res.integral) + ct, np.asarray(res.error) + ct
            with np.errstate(invalid="ignore", divide="ignore"):
                tot = np.full(npt, -np.inf)  # per point: accepted pieces + this round's estimates
                np.logaddexp.at(tot, owner, out)
                np.logaddexp.at(tot, owner[todo], val)
                ok = (res.status == 0) | (err - tot[owner[todo]] <= lnt) | ~np.isfinite(val)
                ok |= tot[owner[todo]] + 2.0 * a[todo] < _LN_NEGLIGIBLE
            if _round == _MAX_SPLITS and not np.all(ok):  # pragma: no cover - guard
                raise RuntimeError("internal error: the integral of Eq. 19 did not converge")
            np.logaddexp.at(out, todo[ok], val[ok])
            bad = ~ok
            mid = 0.5 * (lo[bad] + hi[bad])
            todo = np.concatenate([todo[bad], todo[bad]])
            lo, hi = np.concatenate([lo[bad], mid]), np.concatenate([mid, hi[bad]])
        return out.reshape(npc, npt)

    def _band(self, x, col, tail_level):
        """ln n_fast on the saturated branch ln_c, the saturation point ms = -x/ln K, the band start
        Mlo (u <= e^(2 _BAND_LO) below it) and the tail start Mt (saturated, u >= e^(2 tail_level))."""
        a, lnsN = self.a[col], self.lnsN[col]
        ell = self.ell
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ln_c = _ln_n_unsat(a - x, lnsN, self.d, self.literal)  # ln n_fast on the saturated branch
            ms = -x / ell
            Mlo = np.minimum((_BAND_LO - x - np.maximum(0.0, ln_c)) / ell, ms)
            # below saturation n(m) <= n_c: T(M) = (level - x - max(0, ln n(M)))/ln K is decreasing
            # in M, and T applied to an upper bound of the crossing of the level gives a lower bound
            # (u <= e^(2 level) below it).  Mlo above is a lower bound: 2k steps of T keep it one,
            # closer to the crossing (the band below the crossing of _BAND_LO is then shorter).
            T = lambda M, L: np.minimum((L - x - np.maximum(0.0, self.ln_nfU(M, a, lnsN))) / ell, ms)  # noqa: E731
            for _ in range(3):
                Mlo = np.maximum(Mlo, T(T(Mlo, _BAND_LO), _BAND_LO))
            Mt = np.maximum(ms, (tail_level - x - ln_c) / ell)
        return ln_c, ms, Mlo, Mt

    def _pieces(self, x, col):
        """Break points (rows) per point (columns), and the start of the closed-form tail (inf range)."""
        a, lnsN = self.a[col], self.lnsN[col]
        # tail start: saturated and u >= e^(2 _BAND_HI) = 1e4
        ln_c, ms, Mlo, Mt = self._band(x, col, _BAND_HI)
        m_lo = self.m_lo
        end = Mt if self.kind == "inf" else np.full(x.shape, self.m_hi)
        end = np.maximum(end, m_lo)
        pts = self._kinks(a, lnsN) + [ms]
        Mlo_c = np.clip(Mlo, m_lo, end)
        band = [Mlo_c + (end - Mlo_c) * (k / _N_BAND) for k in range(1, _N_BAND)]
        pts = pts + [Mlo_c] + band
        P = np.sort(np.clip(np.stack(pts), m_lo, end), axis=0)
        P = np.concatenate([np.full((1, x.size), m_lo), P, end[None, :]], axis=0)
        return P, end, ln_c

    def _ln_tail(self, M, x, ln_c, eps, J=_J_TAIL):
        """ln of Integral_M^inf (m-1) n_s K^{2 m eps}/(1+u) dm on the saturated branch.

        ``J`` terms of 1/(1 + u) = sum_j (-1)^(j+1) u^-j: relative error <= u(M)^-J (u >= 1e4 at M
        with the default J = 5; the fast rule starts at u >= e^4 with J = 10).
        """
        ell = self.ell
        j = np.arange(1, J + 1, dtype=float)[:, None]
        lam = 2.0 * ell * (j - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            lnI = -lam * M + np.logaddexp(np.log(M - 1.0) - np.log(lam), -2.0 * np.log(lam))
        terms = (1.0 - 2.0 * j) * ln_c - 2.0 * j * x + lnI
        sgn = np.where(j % 2 == 1, 1.0, -1.0) * np.ones_like(terms)
        val, _ = _slse(terms, sgn, axis=0)
        return val

    def lnF(self, x, col, parts=False):
        """(ln F, sign) at flat arrays x (finite, < ln gamma) and col (int).

        The fast rule (:meth:`_lnF_fast`) first; points whose error estimate fails are redone by
        the adaptive tanhsinh quadrature (:meth:`_lnF_adaptive`).
        """
        x = np.asarray(x, dtype=float).ravel()
        col = np.asarray(col, dtype=np.int64).ravel()
        n = x.size
        out = np.empty(n)
        ok = np.zeros(n, dtype=bool)
        step = max(1, _FAST_CHUNK // 256)
        for i0 in range(0, n, step):
            sl = slice(i0, i0 + step)
            out[sl], ok[sl] = self._lnF_fast(x[sl], col[sl])
        if not np.all(ok):
            bad = np.nonzero(~ok)[0]
            out[bad] = self._lnF_adaptive(x[bad], col[bad])[0]
        s = np.where(np.isfinite(out) | (out > 0), 1.0, 0.0)
        if parts:
            return out, s, out, np.full(n, -np.inf)
        return out, s

    # ---------------- fast rule: table + composite Gauss-Legendre ----------------
    def _H(self, col):
        """Knot spacing (in m) of the Gamma -> 0 table: y = m ln K steps of _HY_T / max(1, |eps|)."""
        return (_HY_T / np.maximum(1.0, np.abs(self.eps[col]))) / self.ell

    def _ensure_table(self, need, cols):
        """G[c, k] = ln Integral_{m_lo}^{m_lo + k H_c} of the Gamma -> 0 integrand, k <= need (per col).

        Panels between knots are split at the kinks and integrated with the composite rule; a
        column whose panels' error estimates fail is marked (its points use the adaptive rule).
        """
        if not hasattr(self, "_Tlen"):
            # the tables, ragged: column c's is _Tflat[_Toff[c] : _Toff[c] + _Tlen[c]] (a grown
            # table is appended and the old copy abandoned: at most 2x the storage, doubling)
            self._Tflat = np.empty(0)
            self._Toff = np.zeros(self.ncol, dtype=np.int64)
            self._Tlen = np.zeros(self.ncol, dtype=np.int64)
            self._Tbad = np.zeros(self.ncol, dtype=bool)
        if np.all(need < self._Tlen[cols]):
            return
        ucols, inv = np.unique(cols, return_inverse=True)
        nmax = np.zeros(ucols.size, dtype=np.int64)
        np.maximum.at(nmax, np.ravel(inv), need)
        have = self._Tlen[ucols] - 1
        grow = nmax > have
        if not np.any(grow):
            return
        gc = ucols[grow]
        new = np.maximum(np.maximum(nmax[grow], 2 * have[grow]), 16)
        kinks = self._kinks(self.a, self.lnsN)
        order = np.argsort(-new, kind="stable")
        gc, new = gc[order], new[order]
        i = 0
        while i < gc.size:
            Kg = int(new[i])
            nrow = max(1, min(gc.size - i, _FAST_CHUNK // ((Kg + len(kinks)) * _GL_N)))
            g = gc[i : i + nrow]
            i += nrow
            H = self._H(g)
            # knots in slices (bounded memory for deep tables); the running value is carried, so a
            # knot's value does not depend on the slicing (zero-length panels add exactly nothing)
            S = max(1, _FAST_CHUNK // (g.size * (1 + len(kinks)) * _GL_N))
            Gk = np.empty((g.size, Kg + 1))
            Gk[:, 0] = -np.inf
            bad = np.zeros(g.size, dtype=bool)
            for k0 in range(0, Kg, S):
                k1 = min(Kg, k0 + S)
                kk = np.arange(k0, k1 + 1, dtype=float)
                reg = np.minimum(self.m_lo + kk[None, :] * H[:, None], self.m_hi)  # (the square's end)
                kin = np.stack([np.clip(k[g], reg[:, 0], reg[:, -1]) for k in kinks], axis=1)
                B = np.sort(np.concatenate([reg, kin], axis=1), axis=1)
                lo, hi = B[:, :-1], B[:, 1:]
                rep = lambda v: np.broadcast_to(v[:, None], lo.shape).ravel()  # noqa: E731
                lnI, lnerr = self._panels(lo.ravel(), hi.ravel(), np.full(lo.size, -np.inf), rep(self.a[g]),
                                          rep(self.lnsN[g]), rep(self.eps[g]))
                lnI, lnerr = lnI.reshape(lo.shape), lnerr.reshape(lo.shape)
                with np.errstate(invalid="ignore"):
                    bad |= np.any(lnerr > lnI + math.log(_FAST_TOL), axis=1)
                cum = np.logaddexp.accumulate(np.concatenate([Gk[:, k0:k0 + 1], lnI], axis=1), axis=1)
                # position of regular knot k in the sorted break points: k - k0 + (kinks below it)
                pos = (kk - k0)[None, :].astype(np.int64) + np.sum(kin[:, None, :] < reg[:, :, None], axis=2)
                Gk[:, k0:k1 + 1] = np.take_along_axis(cum, pos, axis=1)
            self._Toff[g] = self._Tflat.size + (Kg + 1) * np.arange(g.size)
            self._Tlen[g] = Kg + 1
            self._Tflat = np.concatenate([self._Tflat, Gk.ravel()])
            self._Tbad[g] |= bad

    def _panels(self, lo, hi, x, a, lnsN, eps, nodes=_GL_N):
        """ln of the _GL_N-point Gauss-Legendre value on each panel [lo, hi] and ln of its error estimate.

        The estimate is (the panel's scale) x (the larger of the two last Legendre coefficients of
        the interpolant, relative to the scale)^2: for an analytic integrand the coefficients decay
        geometrically and the Gauss error ~ c_{2n}; a kink or a nearby pole shows up as slow decay.
        Every panel is evaluated on its own (no dependence on the other panels of the batch).
        """
        B = _PANEL_BLOCK * _GL_N // nodes  # (~8192 nodes per block)
        if lo.size > B:  # blocks that stay in cache (2-3x faster than one pass)
            outs = [self._panels(lo[i:i + B], hi[i:i + B], x[i:i + B], a[i:i + B], lnsN[i:i + B], eps[i:i + B], nodes)
                    for i in range(0, lo.size, B)]
            return np.concatenate([o[0] for o in outs]), np.concatenate([o[1] for o in outs])
        fin = np.isfinite(x)
        if np.all(fin):
            return self._panel_block(lo, hi, x, a, lnsN, eps, nodes)
        if not np.any(fin):
            return self._panel_block(lo, hi, None, a, lnsN, eps, nodes)
        lnI, lnerr = np.empty(lo.size), np.empty(lo.size)  # Gamma -> 0 panels and band panels
        for sel, xs in ((~fin, None), (fin, x[fin])):
            lnI[sel], lnerr[sel] = self._panel_block(lo[sel], hi[sel], xs, a[sel], lnsN[sel], eps[sel], nodes)
        return lnI, lnerr

    def _panel_block(self, lo, hi, x, a, lnsN, eps, nodes=_GL_N):
        """:meth:`_panels` for one block, all with finite x or all with x = None (Gamma -> 0)."""
        t, _w, W3 = _gl_rule(nodes)
        hw = 0.5 * (hi - lo)
        # nodes x panels (reductions over the nodes then run along the long axis: ~4x faster)
        m = (0.5 * (lo + hi))[None, :] + t[:, None] * hw[None, :]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
            g, wm, q = _integrand_gl(m, None if x is None else x[None, :], a[None, :], lnsN[None, :],
                                     eps[None, :], self.ell, self.d, self.literal, self.N2p1)
            sc = np.max(g, axis=0)
            sc = np.where(np.isfinite(sc), sc, 0.0)
            g -= sc[None, :]
            e = np.exp(g, out=g)
            e *= wm
            if q is not None:
                e /= q
            # sum_i w_i e_i and the Legendre coefficients c_{n-2}, c_{n-1} (einsum: a panel's value
            # does not depend on the other panels)
            r = np.einsum("kj,ji->ki", W3, e)
            S = np.max(e, axis=0)
            cf = np.maximum(np.abs(r[1]), np.abs(r[2]))
            lnI = sc + np.log(hw * r[0])
            lnerr = sc + np.log(hw) + 2.0 * np.log(cf) - np.log(S) + math.log(8.0)
            lnI = np.where(hi > lo, lnI, -np.inf)
            lnerr = np.where(hi > lo, lnerr, -np.inf)
        return lnI, lnerr

    def _lnF_fast(self, x, col, nodes=_GL_N, tol=_FAST_TOL, rel=False):
        """(ln F, ok) by the table of the Gamma -> 0 part below the band and composite Gauss-Legendre.

        Below M_lo (Gamma n K^m <= 1e-9, so 1/(1 + u) = 1 to 1e-18) the integrand does not depend
        on Gamma: G(M_lo) = table at the knot below M_lo + the rest up to M_lo (split at the
        kinks).  From M_lo to the end (M_t or the square's end): panels no wider than _HY_B in
        y = m ln K (the crossover 1/(1 + u) has poles at Im y = pi/2), split at the kinks and at
        saturation.  Beyond M_t: the closed-form tail.  ``ok`` is False where an error estimate
        exceeds _FAST_TOL of the point's total (or the column's table failed).
        """
        n = x.size
        a, lnsN, eps = self.a[col], self.lnsN[col], self.eps[col]
        ell = self.ell
        # the closed-form tail starts earlier than the adaptive path's (u >= e^4, 10 terms)
        ln_c, ms, Mlo, Mt = self._band(x, col, _TAIL_LEVEL)
        end = Mt if self.kind == "inf" else np.full(n, self.m_hi)
        end = np.maximum(end, self.m_lo)
        Mlo = np.clip(Mlo, self.m_lo, end)
        H = self._H(col)
        k = np.floor((Mlo - self.m_lo) / H).astype(np.int64)
        k = np.maximum(k, 0)
        self._ensure_table(k, col)
        G = self._Tflat[self._Toff[col] + k]
        ok = ~self._Tbad[col]
        knot = self.m_lo + k * H
        kinks = self._kinks(a, lnsN)
        # the rest of the Gamma -> 0 part: [knot, Mlo] split at the kinks
        R = np.sort(np.stack([knot] + [np.clip(kq, knot, Mlo) for kq in kinks] + [Mlo]), axis=0)
        # the band: [Mlo, end] split at the kinks, at saturation and at the levels ln(Gamma n_c K^m) of
        # _LEVELS (graded panels: far from the crossover the pole part is small), then into panels
        # no wider than _HY_B / ell
        lev = [(L - x - ln_c) / ell for L in _LEVELS]
        S = np.sort(np.stack([Mlo] + [np.clip(kq, Mlo, end) for kq in kinks + [ms] + lev] + [end]), axis=0)
        seg_lo, seg_hi = S[:-1], S[1:]
        hb = _HY_B / ell
        npan = np.where(seg_hi > seg_lo, np.ceil((seg_hi - seg_lo) / hb), 0.0).astype(np.int64)
        npan = np.maximum(npan, 0)
        # flatten: remainder panels (x = -inf), then band panels, ordered by point
        nR = R.shape[0] - 1
        own_R = np.broadcast_to(np.arange(n), (nR, n)).T.ravel()
        lo_R, hi_R = R[:-1].T.ravel(), R[1:].T.ravel()
        nz = hi_R > lo_R
        own_R, lo_R, hi_R = own_R[nz], lo_R[nz], hi_R[nz]
        cnt = npan.T  # (n, segments)
        own_B = np.repeat(np.arange(n), cnt.sum(axis=1))
        seg_idx = np.repeat(np.arange(cnt.size), cnt.ravel())
        first = np.cumsum(cnt.ravel()) - cnt.ravel()
        j = np.arange(seg_idx.size) - first[seg_idx]
        slo, shi = seg_lo.T.ravel()[seg_idx], seg_hi.T.ravel()[seg_idx]
        nps = cnt.ravel()[seg_idx].astype(float)
        lo_B = slo + (shi - slo) * (j / nps)
        hi_B = np.where(j + 1 == nps, shi, slo + (shi - slo) * ((j + 1) / nps))
        own = np.concatenate([own_R, own_B])
        lo = np.concatenate([lo_R, lo_B])
        hi = np.concatenate([hi_R, hi_B])
        xp = np.concatenate([np.full(lo_R.size, -np.inf), x[own_B]])
        lnI, lnerr = self._panels(lo, hi, xp, a[own], lnsN[own], eps[own], nodes)
        parts = [G]
        if self.kind == "inf":
            parts.append(self._ln_tail(end, x, ln_c, eps, J=_J_FAST))
        lntol = math.log(tol)
        for _round in range(_FAST_SPLITS + 1):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
                sc = np.maximum.reduce(parts)
                np.maximum.at(sc, own, lnI)
                sc = np.where(np.isfinite(sc), sc, 0.0)
                # per point sums in a fixed order (bincount adds in index order)
                tot = np.bincount(own, weights=np.exp(lnI - sc[own]), minlength=n)
                err = np.bincount(own, weights=np.exp(lnerr - sc[own]), minlength=n)
                for p_ in parts:
                    tot = tot + np.exp(p_ - sc)
                out = sc + np.log(tot) + 2.0 * a
                good = (err <= tol * tot) | (out < _LN_NEGLIGIBLE)
                # panels of failing points that carry more than 1/16 of the allowed error: halved
                fail = ~good & ok
                split = fail[own] & (lnerr - sc[own] > lntol + np.log(tot[own] / 16.0)) if np.any(fail) else None
            if _round == _FAST_SPLITS or split is None or not np.any(split):
                break
            keep = ~split
            mid = 0.5 * (lo[split] + hi[split])
            nlo, nhi = np.concatenate([lo[split], mid]), np.concatenate([mid, hi[split]])
            nown, nxp = np.concatenate([own[split], own[split]]), np.concatenate([xp[split], xp[split]])
            nI, nE = self._panels(nlo, nhi, nxp, a[nown], lnsN[nown], eps[nown], nodes)
            own, lo, hi, xp = (np.concatenate([v[keep], w]) for v, w in ((own, nown), (lo, nlo), (hi, nhi), (xp, nxp)))
            lnI, lnerr = np.concatenate([lnI[keep], nI]), np.concatenate([lnerr[keep], nE])
        ok &= good & ~np.isnan(out)
        if rel:
            with np.errstate(divide="ignore", invalid="ignore"):
                return out, ok, np.where(out < _LN_NEGLIGIBLE, 0.0, err / tot)
        return out, ok

    def _lnF_adaptive(self, x, col):
        """(ln F, sign) by the adaptive tanhsinh quadrature (the reference path)."""
        x = np.asarray(x, dtype=float).ravel()
        col = np.asarray(col, dtype=np.int64).ravel()
        P, end, ln_c = self._pieces(x, col)
        lnI = self._integrate(P[:-1], P[1:], x, self.a[col], self.lnsN[col], self.eps[col])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            tot = np.logaddexp.reduce(lnI, axis=0)
            if self.kind == "inf":
                tot = np.logaddexp(tot, self._ln_tail(end, x, ln_c, self.eps[col]))
            out = tot + 2.0 * self.a[col]
        return out, np.where(np.isfinite(out) | (out > 0), 1.0, 0.0)

    def lnF0(self):
        """(ln F(0+), sign) per column; +inf where the unbounded integral diverges (eps >= 0)."""
        ncol = self.ncol
        a, lnsN, eps = self.a, self.lnsN, self.eps
        out = np.full(ncol, np.inf)
        x = np.full(ncol, -np.inf)
        if self.kind == "sq":
            end = np.full(ncol, self.m_hi)
            sel = np.arange(ncol)
        else:
            sel = np.nonzero(eps < 0)[0]
            # from M0 on, n_fast = s N (a + m ln K)^d exactly (both readings)
            k = self._kinks(a, lnsN)
            end = np.maximum(self.m_lo, k[0] if self.literal else k[1])
        if sel.size == 0:
            return out, np.ones(ncol)
        P = np.sort(np.clip(np.stack(self._kinks(a[sel], lnsN[sel])), self.m_lo, end[sel]), axis=0)
        P = np.concatenate([np.full((1, sel.size), self.m_lo), P, end[sel][None, :]], axis=0)
        lnI = self._integrate(P[:-1], P[1:], x[sel], a[sel], lnsN[sel], eps[sel])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            tot = np.logaddexp.reduce(lnI, axis=0)
            if self.kind == "inf":
                tot = np.logaddexp(tot, _ln_poly_exp_tail(end[sel], eps[sel], a[sel], lnsN[sel], self.d,
                                                          self.ell))
        out[sel] = tot + 2.0 * a[sel]
        return out, np.ones(ncol)

    # ---------------- scan support ----------------
    def scan_values(self, x, col):
        """(ln F, (delta,)) for the bracket scan: a cheaper rule (_SCAN_N nodes, error estimate
        _SCAN_TOL) whose value is within delta of ln F; points where |ln F| <= delta (the sign is
        not certain) or whose estimate failed are redone by :meth:`lnF` (delta = 0).  The scan only
        needs the signs and, for :meth:`exclude`, bounds of ln F: the refinement
        (:meth:`root_fn`) evaluates the bracket ends again with :meth:`lnF`.
        """
        x = np.asarray(x, dtype=float).ravel()
        col = np.asarray(col, dtype=np.int64).ravel()
        n = x.size
        out, ok, delta = np.empty(n), np.zeros(n, dtype=bool), np.empty(n)
        step = max(1, _FAST_CHUNK // 256)
        for i0 in range(0, n, step):
            sl = slice(i0, i0 + step)
            out[sl], ok[sl], delta[sl] = self._lnF_fast(x[sl], col[sl], nodes=_SCAN_N, tol=_SCAN_TOL, rel=True)
        delta = _SCAN_SAFETY * delta + _SCAN_FLOOR
        redo = ~ok | ~(np.abs(out) > delta)
        if np.any(redo):
            r = np.nonzero(redo)[0]
            out[r] = self.lnF(x[r], col[r])[0]
            delta[r] = 0.0
        return out, (delta,)

    def exclude(self, xl, xr, fl, fr, auxl, auxr, col):
        """:meth:`_Model.exclude` (Eq. 19 branch) on bounds of ln F: the values of
        :meth:`scan_values` are within delta of ln F (the bound is monotone in both end values)."""
        if auxl is None:
            return _Model.exclude(self, xl, xr, fl, fr, auxl, auxr, col)
        dl, dr = auxl[0], auxr[0]
        lo_l, lo_r, hi_l, hi_r = fl - dl, fr - dr, fl + dl, fr + dr
        pos = _Model.exclude(self, xl, xr, lo_l, lo_r, None, None, col) & (lo_l > 0) & (lo_r > 0)
        neg = _Model.exclude(self, xl, xr, hi_l, hi_r, None, None, col) & (hi_l < 0) & (hi_r < 0)
        return pos | neg

    def root_fn(self, x, col):
        return self.lnF(x, np.asarray(col).astype(np.int64))[0]

    def x_lo_inf(self, cols):
        """Lower scan end (unbounded range): the exact sum's (F(x_lo) > 1 is checked by the scan)."""
        from .roots import _x_lo_inf

        if self._sum is None:
            self._sum = _Model(eps=self.eps, gamma=self.gamma, s=self.s, K=self.K, N=self.N, d=self.d,
                               equation="19", sum_range="infinite", nfast="literal" if self.literal else "continuous",
                               drop_negative=False)
            self._sum.lnF0()  # builds the prefix tables _x_lo_inf reads
        return _x_lo_inf(self._sum, np.asarray(cols, dtype=np.int64))


def _ln_F0_integral(a, eps, *, K, N, s, d, sum_range, nfast, limits):
    """ln F(0+) of the integral at flat arrays ``a`` = ln gamma and ``eps`` (one column per pair)."""
    a = np.asarray(a, dtype=float).ravel()
    model = _IntegralModel(gamma=np.ones(a.size), K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast,
                           limits=limits, eps=np.asarray(eps, dtype=float).ravel())
    model.a = a.copy()
    model.gamma = np.exp(a)
    return model.lnF0()[0]


def _ln_poly_exp_tail(M, eps, a, lnsN, d, ell):
    """ln Integral_M^inf (m - 1) s N (a + m ln K)^d K^{2 m eps} dm for eps < 0, M >= 1, a + M ln K >= 0.

    With tau = m - M: (M - 1 + tau) sum_k C(d, k) L^(d-k) ln^k K tau^k (L = a + M ln K >= 0), all
    coefficients non-negative, and Integral_0^inf tau^p e^{-b tau} d tau = p!/b^(p+1), b = -2 eps ln K.
    """
    M = np.asarray(M, dtype=float)[None, :]
    b = (-2.0 * ell * np.asarray(eps, dtype=float))[None, :]
    L = np.maximum(np.asarray(a, dtype=float)[None, :] + M * ell, 0.0)  # (M = -a/ln K may round below 0)
    k = np.arange(d + 1, dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        lnb = np.log(b)
        lnL = np.log(L)
        # ln[C(d,k) L^(d-k) ln^k K]; L^0 = 1 also for L = 0
        lnco = gammaln(d + 1.0) - gammaln(k + 1.0) - gammaln(d - k + 1.0) + np.where(k == d, 0.0, (d - k) * lnL) \
            + k * math.log(ell)
        t1 = lnco + np.log(M - 1.0) + gammaln(k + 1.0) - (k + 1.0) * lnb   # (M - 1) tau^k
        t2 = lnco + gammaln(k + 2.0) - (k + 2.0) * lnb                     # tau^(k+1)
        tot = np.logaddexp.reduce(np.concatenate([t1, t2], axis=0), axis=0)
    return np.asarray(lnsN, dtype=float) + 2.0 * ell * np.asarray(eps, dtype=float) * M[0] + tot


def _check_summation(summation, integral_limits, equation="19"):
    """Validated ``summation`` and ``integral_limits``; ``"integral"`` needs Eq. (19)."""
    summation = check_choice("summation", summation, SUMMATIONS)
    integral_limits = check_choice("integral_limits", integral_limits, INTEGRAL_LIMITS)
    if summation == "integral" and equation != "19":
        raise ValueError(
            f"summation='integral' needs equation='19' (it replaces Eq. 19's sum over m = n + p by an integral); "
            f"got equation={equation!r}"
        )
    return summation, integral_limits


def _make_model(*, summation="sum", integral_limits="cell", equation="19", drop_negative=False, **kw):
    """The ln F model of the chosen summation: :class:`_Model` (the sum) or :class:`_IntegralModel`."""
    if summation == "sum":
        return _Model(equation=equation, drop_negative=drop_negative, **kw)
    return _IntegralModel(limits=integral_limits, **kw)
