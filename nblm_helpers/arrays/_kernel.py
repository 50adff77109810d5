"""The bond ratio F_IJ(Gamma_J) of the inhomogeneous Eq. (18): one vectorized evaluation over many bonds.

For a bond (I, J) -- dot I the system, its neighbour J the bath -- and the bath linewidth
Gamma = Gamma_J (energies in units of delta_m, ``ell = ln K``, ``a = ln gamma``):

    F_IJ(Gamma) = gamma^2 sum_{m >= 2} W_m n_m(Gamma) / (1 + u_m),   u_m = (Gamma n_m K^m)^2,

    W_m = sum_{n + p = m} K^{2 n eps_I + 2 p eps_J} = e^{m mu} sinh(w_m delta) / sinh(delta),

with ``mu = ell (eps_I + eps_J)``, ``delta = ell |eps_I - eps_J|``, ``w_m = m - 1`` (``n, p >= 1``)
or ``min(m - 1, 2N + 1 - m)`` (``1 <= n, p <= N``), and ``n_m`` Eq. (20) at ``t = K^m``
(saturated at ``K^m >= 1/Gamma``), computed by the package's one implementation
(:func:`nblm_helpers.meanfield.nfast._ln_n_unsat`).  At ``eps_I = eps_J`` the weight is the
``w_m K^{2 m eps}`` of Eq. (19), so F_IJ is the ``F`` of :mod:`nblm_helpers.meanfield`
(``tests/test_arrays.py`` checks this against ``self_consistency_ratio`` to 1e-13).

The terms ``2 <= m < Mhi`` (``u_m < 1e4`` or unsaturated below) are summed explicitly; for the
unbounded sum the rest is the series ``1/(1+u) = sum_j (-1)^(j+1) u^-j`` (3 terms, relative error
``<= 1e-16`` of the tail) with the closed form (no cancellation; ``q = e^{mu - 2 j ell}``, ``a_j, b_j =
q e^{+-delta} < 1``)

    sum_{m >= M} W_m K^{-2 j m} = q^M [R_M (1 - q cosh delta) + q cosh((M - 1) delta)]
                                  / ((1 - a_j)(1 - b_j)),   R_M = sinh((M-1) delta)/sinh delta.

Everything is in logs; the derivative d ln F / d ln Gamma is returned with it (only the
saturated ``n_m`` and ``u_m`` depend on Gamma).
"""

from __future__ import annotations

import math

import numpy as np

from ..meanfield.nfast import _ln_n_unsat

_LN_U_HI = math.log(1e4)  # u_m >= 1e4 from Mhi on: the tail series converges fast
_J_TAIL = 3  # terms of the tail series: error <= u^-4 <= 1e-16 relative to the tail
_CHUNK = 2_000_000  # elements of a (bonds x orders) term array per chunk
_LN2 = math.log(2.0)


def ln_sinh_ratio(k, t):
    """``ln(sinh(k t) / sinh(t))`` for ``k >= 1``, ``t >= 0`` (``ln k`` at ``t = 0``), without overflow."""
    k = np.asarray(k, dtype=float)
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ts = np.where(t > 0, t, 1.0)
        kt = k * ts
        v = (kt + np.log(-np.expm1(-2.0 * kt))) - (ts + np.log(-np.expm1(-2.0 * ts)))
        return np.where(t > 0, v, np.log(k))


def _ln_cosh(y):
    """``ln cosh(y)`` for ``y >= 0`` without overflow."""
    return y + np.log1p(np.exp(-2.0 * y)) - _LN2


class BondKernel:
    """ln F_IJ and d ln F_IJ / d ln Gamma for bonds with (eps_I, eps_J); shared gamma, K, N, s, d, options.

    The Gamma-independent parts -- the weights ``ln W_m`` per bond and ``ln n_m`` below saturation
    per order -- are tabulated once (lazily widened to the largest order needed).
    """

    def __init__(self, *, eps_sys, eps_bath, gamma, K, N, s, d, sum_range, nfast):
        self.ell = math.log(K)
        self.a = math.log(gamma)
        self.lnsN = math.log(s * N)
        self.d = d
        self.N = N
        self.literal = nfast == "literal"
        self.square = sum_range == "square"
        es = np.asarray(eps_sys, dtype=float).ravel()
        eb = np.asarray(eps_bath, dtype=float).ravel()
        self.mu = self.ell * (es + eb)
        self.delta = self.ell * np.abs(es - eb)
        self.nb = es.size
        self._lnW = np.empty((self.nb, 0))
        self._ln_n0 = np.empty(0)
        if not self.square:  # Gamma-independent factors of the tail, per series term j and bond
            j = np.arange(1, _J_TAIL + 1, dtype=float)[:, None]
            self._muj = self.mu[None, :] - 2.0 * j * self.ell
            om_a = -np.expm1(self._muj + self.delta)  # 1 - a_j
            om_b = -np.expm1(self._muj - self.delta)  # 1 - b_j
            # ln(1 - q cosh delta) - ln(1 - a_j) - ln(1 - b_j)
            self._lnA = np.log(0.5 * (om_a + om_b))
            self._lnden = np.log(om_a) + np.log(om_b)

    def _widen(self, M):
        """Tables for orders m = 0 .. M-1 (at least)."""
        if M <= self._lnW.shape[1]:
            return
        M = max(int(M), 2 * self._lnW.shape[1], 16)
        if self.square:
            M = min(M, 2 * self.N + 1)
        m = np.arange(M, dtype=float)
        w = np.minimum(m - 1.0, 2.0 * self.N + 1.0 - m) if self.square else m - 1.0
        ok = w >= 1.0
        lnW = np.full((self.nb, M), -np.inf)
        lnW[:, ok] = m[ok] * self.mu[:, None] + ln_sinh_ratio(w[ok][None, :], self.delta[:, None])
        self._lnW = lnW
        self._ln_n0 = _ln_n_unsat(self.a + m * self.ell, self.lnsN, self.d, self.literal)

    def _ln_nc(self, x):
        """ln n_fast at saturation (t >= 1/Gamma) and its derivative in x = ln Gamma (x < ln gamma)."""
        L = self.a - x
        ln_nc = _ln_n_unsat(L, self.lnsN, self.d, self.literal)
        with np.errstate(divide="ignore"):
            nu = np.where(ln_nc > 0.0 if not self.literal else np.isfinite(ln_nc) & (L > 0), -self.d / L, 0.0)
        return ln_nc, nu

    def order_limit(self, x):
        """First order of the tail (Mhi) at each x: saturated and u_m >= 1e4 from there on."""
        ln_nc, _ = self._ln_nc(x)
        Msat = np.ceil(-x / self.ell)
        Mhi = np.maximum(Msat + 1.0, np.ceil((0.5 * _LN_U_HI - x - ln_nc) / self.ell))
        Mhi = np.maximum(Mhi, 2.0)
        if self.square:  # every order m <= 2N explicitly (no tail)
            Mhi = np.full_like(Mhi, 2.0 * self.N + 1.0)
        return Mhi.astype(np.int64)

    def evaluate(self, x, bonds=None):
        """(ln F, d ln F / dx) at finite ``x`` (ln Gamma_J < ln gamma) for the bonds ``bonds`` (default all)."""
        x = np.asarray(x, dtype=float).ravel()
        bonds = np.arange(self.nb) if bonds is None else np.asarray(bonds, dtype=np.int64).ravel()
        n = x.size
        lnF = np.empty(n)
        dlnF = np.empty(n)
        if n == 0:
            return lnF, dlnF
        Mhi = self.order_limit(x)
        self._widen(int(Mhi.max()) + 1)
        order = np.argsort(Mhi, kind="stable")
        Ms = Mhi[order]
        i0 = 0
        while i0 < n:  # chunks of similar widths, each at most _CHUNK elements (bonds x its widest band)
            r = np.arange(1, n - i0 + 1) * Ms[i0:]
            rows = max(1, int(np.searchsorted(r, _CHUNK, side="right")))
            idx = order[i0: i0 + rows]
            i0 += rows
            if rows == n:  # one chunk: keep the bonds' order (contiguous gathers)
                idx = np.arange(n)
            lnF[idx], dlnF[idx] = self._eval(x[idx], bonds[idx], Mhi[idx])
        return lnF, dlnF

    def _eval(self, x, b, Mhi):
        W = int(Mhi.max())
        mell = np.arange(W, dtype=float) * self.ell
        ln_nc, nu_c = self._ln_nc(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            sat = mell[None, :] >= -x[:, None]  # K^m >= 1/Gamma: n_fast saturated
            ln_n = np.where(sat, ln_nc[:, None], self._ln_n0[None, :W])
            # u_m = (Gamma n_m K^m)^2 <= ~1e5 K^2 below Mhi (capped beyond it, where the terms are masked)
            u = np.exp(np.minimum(2.0 * (x[:, None] + ln_n + mell[None, :]), 700.0))
            r = 1.0 / (1.0 + u)
            a = self._lnW[b, :W] + ln_n  # ln(W_m n_m), the term without its 1/(1 + u_m)
            a[np.arange(W)[None, :] >= Mhi[:, None]] = -np.inf
            mx = np.max(a, axis=1)
            if not self.square:
                tl, dtl = self._tail(x, b, Mhi, ln_nc, nu_c)
                mx = np.maximum(mx, tl)
            mx = np.where(np.isfinite(mx), mx, 0.0)
            e = np.exp(a - mx[:, None])
            e *= r
            tot = e.sum(axis=1)
            # d ln term / dx = nu - u/(1+u) (2 + 2 nu), nu = d ln n_m / dx (saturated orders only)
            nu = np.where(sat, nu_c[:, None], 0.0)
            dtot = (e * (nu - (u * r) * (2.0 + 2.0 * nu))).sum(axis=1)
            if not self.square:
                et = np.exp(tl - mx)
                tot = tot + et
                dtot = dtot + et * dtl
            lnF = 2.0 * self.a + mx + np.log(tot)
            return lnF, dtot / tot

    def _tail(self, x, b, M, ln_nc, nu_c):
        """ln of sum_{m >= M} W_m n_c / (1 + u_m) and its d ln / dx (unbounded sum; all m >= M saturated)."""
        dl = self.delta[b]
        Mf = M.astype(float)
        # u_m = e^{2 (x + ln n_c + m ell)} >= 1e4 for m >= M
        # ln(sinh((M-1) delta) / sinh(delta)) = ln W_M - M mu (w_M = M - 1 for the unbounded sum)
        lnR = self._lnW[b, M] - Mf * self.mu[b]
        ln_coshM = _ln_cosh((Mf - 1.0) * dl)
        parts, dparts = [], []
        for k in range(_J_TAIL):
            j = k + 1
            muj = self._muj[k, b]
            ln_sum = Mf * muj + np.logaddexp(lnR + self._lnA[k, b], muj + ln_coshM) - self._lnden[k, b]
            # n_c u^-j summed: (1 - 2j) ln n_c - 2 j x + ln_sum
            parts.append((1.0 - 2.0 * j) * ln_nc - 2.0 * j * x + ln_sum)
            dparts.append((1.0 - 2.0 * j) * nu_c - 2.0 * j)
        P = np.array(parts)
        D = np.array(dparts)
        sg = np.array([1.0 if j % 2 else -1.0 for j in range(1, _J_TAIL + 1)])[:, None]
        mx = P[0]
        e = sg * np.exp(P - mx)
        tot = e.sum(axis=0)
        return mx + np.log(tot), (e * D).sum(axis=0) / tot
