"""Bracket scan and refinement: every root of F = 1 in x = ln Gamma.

A grid per column (Eq. 19: from a lower end where F > 1 up to the end of Eq. 20's domain; E2/E3:
between the flat and the Gamma^-2 regions) is subdivided wherever the derivative bound of the ln F
model cannot exclude a root; sign changes are refined with SciPy's vectorized Chandrupatla.
"""

from __future__ import annotations

import math

import numpy as np

from ._lnf import _Model
from ._numerics import _DOMAIN_GAP, _LN_TAU_LO, _ORDER_FLOOR, _TABLE_BUDGET, _find_root, _ln_unsat_tail, logsumexp


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
                # (the integral model's values carry its quadrature error: model.fatol)
                fatol=getattr(model, "fatol", 1e-15),
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


def _grid_19(a, d, x_lo, nA=9, nB=32):
    """Scan grid per column: nA points from x_lo to ln gamma - d/2, nB geometric ones up to the domain end.

    Any grid is a valid start (cells the derivative bound cannot clear are subdivided); a model
    may ask for other sizes with an attribute ``grid_19 = (nA, nB)`` (the integral's: fewer,
    dearer evaluations).

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
        # (the integral's range may end at 2N + 1: model.m_top)
        m = np.arange(2, int(getattr(model, "m_top", 2 * model.N)) + 1, dtype=float)
        x_lo = np.empty(idx.size)
        pairs, pinv = np.unique(np.stack([model.a[idx], model.lnsN[idx]], axis=1), axis=0, return_inverse=True)
        pinv = np.ravel(pinv)
        for k, (a, lnsN) in enumerate(pairs.tolist()):  # per distinct (gamma, s), in Python floats
            nfU = model.ln_nfU(m, a, lnsN)
            x_flat = _LN_TAU_LO / 2.0 - float(np.max(m * model.ell + nfU)) - 1.0
            x_lo[pinv == k] = min(x_flat, a - model.d / 2.0 - 1.0)
        sub = model.sub(idx)
        grid = _grid_19(sub.a, model.d, x_lo, *getattr(model, "grid_19", (9, 32)))
        res = _scan_roots(sub, grid)
        for k, c in enumerate(idx):
            roots[c].extend(res[k])
        return
    # prefix tables reach m = _MAX_ORDER: start the scan no lower.  Where F is
    # still <= 1 there, the root lies beyond the solver's range and the
    # doubling below makes ensure_table refuse with a ValueError.
    x_lo = model.x_lo_inf(idx) if hasattr(model, "x_lo_inf") else _x_lo_inf(model, idx)
    x_lo = np.maximum(x_lo, -_ORDER_FLOOR * model.ell)
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
        grid = _grid_19(sub.a, sub.d, xl, *getattr(model, "grid_19", (9, 32)))
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
