"""The ln F model: ln|F(Gamma)| of Eq. (19) / (E1) / (E2) / (E3) for batches of (x = ln Gamma, column) points.

Prefix tables (m below the crossover band), the explicit band and the tail series of Eq. (19),
the App. E sums, F(0+) with its closed-form Eulerian tail, and the derivative bounds the bracket
scan uses to discard root-free cells (see the package docstring for the math).
"""

from __future__ import annotations

import math

import numpy as np

from ._numerics import (
    _BAND_HI,
    _BAND_LO,
    _CHUNK,
    _CHUNK_19,
    _J_TAIL,
    _MAX_ORDER,
    _cum_lse,
    _ln_unsat_tail,
    _slse,
)
from .nfast import _ln_n_unsat


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
            if equation == "E1":
                # n_m = 1 for m < N0 (sN ln^d(gamma K^m) < 1 or gamma K^m <= 1), sN ln^d(gamma K^m) above:
                # max(1, sN ln_+^d), Eq. (20)'s continuous reading without saturation; both forms
                # are 1 at m = N0, so the boundary term is the same whichever sum it is put in
                ln_nf = _ln_n_unsat(L, self.lnsN, d, False)
                sg = np.ones_like(m)
            else:
                ln_nf = np.where(sg != 0, self.lnsN + d * lnL, -np.inf)
            self.m = m
            self.sg = sg
            self.ln_nf = ln_nf
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
        # saturated branch of Eq. 20, n_fast(t >= 1/Gamma) = n_fast at gamma t = gamma/Gamma (A > 0)
        ln_c = _ln_n_unsat(A, self.lnsN[col], self.d, self.literal)
        ln_nfmax = np.maximum(0.0, ln_c)
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
                step19 = max(1, _CHUNK_19 // 64)
                if n <= step19 and n * float(band.max(initial=0.0)) <= _CHUNK_19:
                    outs = self._lnF19(x, col, Mlo, Mhi, ln_c)
                else:  # chunks of similar band width, each at most ~_CHUNK_19 elements
                    outs = (np.empty(n), np.empty(n))
                    order = np.argsort(Mhi - Mlo, kind="stable")
                    i0 = 0
                    while i0 < n:
                        # the widest band of the chunk is its last (sorted ascending)
                        rows = max(1, min(step19, int(_CHUNK_19 // band[order[min(i0 + step19, n) - 1]])))
                        while rows > 1 and rows * band[order[min(i0 + rows, n) - 1]] > _CHUNK_19:
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
