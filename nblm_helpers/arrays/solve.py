"""The inhomogeneous array of dots: lattice, drawn eps_I, and the self-consistent solve of Eq. (18)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import bicgstab, spsolve

from ..meanfield import solve_linewidth
from ..meanfield._checks import NFAST_READINGS, SUM_RANGES
from ..parameters import (
    ValidityWarning,
    check_branching,
    check_choice,
    check_dimension,
    check_positive,
    check_positive_int,
    check_real,
    check_scalar,
    check_seed,
    check_unit_interval,
)
from ._kernel import BondKernel

MAX_DOTS = 512 * 512  #: most dots of one array (work limit)
MAX_WORK = 30_000_000  #: most (bonds x explicit orders) per evaluation of the right-hand sides (~1-2 s)
MAX_ORDER = 3000  #: largest rearrangement order m summed explicitly per bond (work limit)
MAX_N_SQUARE = 1500  #: ``sum_range="square"`` sums all 2N orders explicitly: N <= this
_DOMAIN_GAP = 1e-9  # ln Gamma is kept below ln gamma - 1e-9 (Eq. 20's domain Gamma < gamma)
_LIN_RTOL = 1e-12  # inexact Newton: smallest relative residual asked of the linear solve
_STATUS_TOL = 1e-6
_EARLY_RESIDUAL = 1e-2  # below this residual, dots with T < floor - 100 x residual are localized at once
_EARLY_MARGIN = 100.0  # statuses are updated once the residual is below this
_LIN_MAXITER = 300  # BiCGSTAB iterations before the direct solve
_MAX_STEP = 2.0  # largest Newton step in ln Gamma per iteration
_START_GRID = 65  # eps values at which the homogeneous start is solved (then interpolated)
STATUSES = ("metallic", "localized", "above_gamma")


@dataclass(frozen=True)
class DotArrayResult:
    """Self-consistent linewidths of an inhomogeneous array of dots (:func:`solve_dot_array`).

    Attributes
    ----------
    ln_Gamma : numpy.ndarray
        :math:`\\ln(\\Gamma_I/\\delta_m)` per dot, the array's ``shape``; ``-inf`` where
        ``status == "localized"``; :math:`\\ln\\gamma - 10^{-9}` (a bound) where ``"above_gamma"``.
    status : numpy.ndarray of str
        Per dot: ``"metallic"`` (:math:`\\Gamma_I > 0` solves the dot's equation), ``"localized"``
        (the linewidth its neighbours give it lies below ``ln_Gamma_floor``: :math:`\\Gamma_I = 0`),
        ``"above_gamma"`` (the right side of Eq. 18 reaches :math:`\\Gamma_I \\ge \\gamma`, outside
        Eq. 20's domain).
    eps : numpy.ndarray
        The drawn :math:`\\varepsilon_I` per dot (the array's ``shape``).
    iterations : int
        Newton iterations made.
    residual : float
        :math:`\\max_I |\\ln\\Gamma_I - \\ln\\text{RHS}_I|` over the metallic dots at the returned
        state (``0.0`` if none is metallic).
    converged : bool
        ``residual <= tol`` and every status consistent with the right-hand side.
    options : dict
        The parameters and options of the call (``shape``, ``eps``, ``gamma``, ..., ``tol``).
    """

    ln_Gamma: Any
    status: Any
    eps: Any
    iterations: int
    residual: float
    converged: bool
    options: dict

    @property
    def metallic(self):
        """Boolean map of the dots with :math:`\\Gamma_I > 0` (``"metallic"`` or ``"above_gamma"``)."""
        return self.status != "localized"


def _check_shape(shape):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or len(shape) not in (1, 2):
        raise ValueError(f"shape must be (L,) for a chain or (L, L) for a square lattice; got {shape!r}")
    L = [check_positive_int("shape", v) for v in shape]
    if len(L) == 2 and L[0] != L[1]:
        raise ValueError(f"shape must be (L,) or (L, L) with equal sides; got {tuple(shape)!r}")
    n = math.prod(L)
    if n > MAX_DOTS:
        raise ValueError(f"shape must have at most {MAX_DOTS} dots (512 x 512); got {tuple(L)!r} ({n} dots)")
    return tuple(L)


def neighbours(shape):
    """Flat indices of the ``z`` nearest neighbours of every dot, shape ``(n_dots, z)``.

    Periodic chain (``shape = (L,)``, ``z = 2``: left, right) or square lattice (``(L, L)``,
    ``z = 4``: up, down, left, right).  A side of length 1 or 2 lists a dot (or one neighbour)
    more than once; each entry carries the weight ``1/z``.
    """
    shape = _check_shape(shape)
    idx = np.arange(math.prod(shape)).reshape(shape)
    cols = []
    for axis in range(len(shape)):
        for shift in (1, -1):
            cols.append(np.roll(idx, shift, axis=axis).ravel())
    return np.stack(cols, axis=1)


def draw_eps(*, shape, eps, eps_spread=0.0, seed=0):
    """The :math:`\\varepsilon_I` of the dots: uniform on ``[eps - eps_spread, eps + eps_spread]``.

    Drawn with ``numpy.random.default_rng(seed).uniform(-1, 1, shape)`` (scaled by ``eps_spread``
    and shifted by ``eps``), so a seed gives the same array on every machine; ``eps_spread = 0``
    gives exactly ``eps`` everywhere.  Needs ``eps + eps_spread < 1`` (:math:`\\Xi_I > 0`).

    Returns
    -------
    numpy.ndarray
        Shape ``shape``.
    """
    shape = _check_shape(shape)
    eps = check_scalar(check_real, "eps", eps, hi=1.0)
    eps_spread = check_scalar(check_real, "eps_spread", eps_spread, lo=0.0, lo_open=False)
    if not eps + eps_spread < 1.0:
        raise ValueError(
            f"eps_spread must be < 1 - eps = {1.0 - eps:g} (every eps_I < 1, i.e. Xi_I > 0); got {eps_spread!r}"
        )
    if eps - eps_spread < -1e6:
        raise ValueError(f"eps_spread must be <= eps + 1e6 = {eps + 1e6:g}; got {eps_spread!r}")
    seed = check_seed("seed", seed)
    u = np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)
    return eps + eps_spread * u


def _homogeneous_start(eps_I, kw, floor, a):
    """Each dot's homogeneous ln Gamma (Eq. 19, solve_linewidth on 65 eps across the drawn range,
    interpolated), raised to the floor where it is lower or localized: every dot starts metallic."""
    lo, hi = float(eps_I.min()), float(eps_I.max())
    grid = np.array([lo]) if lo == hi else np.linspace(lo, hi, _START_GRID)
    r = solve_linewidth(eps=grid, warn=False, **kw)
    lg = np.atleast_1d(np.asarray(r.ln_Gamma, dtype=float))
    st = np.atleast_1d(np.asarray(r.status))
    top = a - _DOMAIN_GAP
    lg = np.where(st == "above_gamma", top, np.minimum(lg, top))
    lg = np.maximum(lg, floor)  # -inf (localized) and roots below the floor start at the floor
    x = np.full(eps_I.size, lg[0]) if grid.size == 1 else np.interp(eps_I, grid, lg)
    return np.minimum(x, top)


def solve_dot_array(*, shape, eps, gamma, K, N, s, d=None, eps_spread=0.0, seed=0, sum_range="infinite",
                    nfast="literal", ln_Gamma_floor=None, start=None, tol=1e-10, max_iter=100, warn=True):
    """Self-consistent linewidths :math:`\\Gamma_I` of an inhomogeneous array of dots, Eq. (18) per dot.

    Every dot :math:`I` obeys (see the package docstring for the derivation from Eq. 18)

    .. math::
        \\Gamma_I = \\frac{1}{z}\\sum_{J\\in\\partial I} \\Gamma_J\\, F_{IJ}(\\Gamma_J),\\qquad
        F_{IJ}(\\Gamma) = \\gamma^2 \\sum_{n,p\\ge1}
        \\frac{K^{2n\\varepsilon_I + 2p\\varepsilon_J}\\, n_{\\rm fast}}{1 + (\\Gamma n_{\\rm fast} K^{n+p})^2},

    with :math:`n_{\\rm fast} = n_{\\rm fast}(K^{n+p})` of Eq. (20) at the bath linewidth
    :math:`\\Gamma_J`.  With ``eps_spread = 0`` every dot has the homogeneous solution of
    Eq. (19) (:func:`~nblm_helpers.meanfield.solve_linewidth`).

    Solved in :math:`x_I = \\ln\\Gamma_I` by Newton's method on :math:`x - T(x) = 0`,
    :math:`T_I = \\ln \\mathrm{RHS}_I`, with the exact sparse Jacobian (``z`` entries per row;
    BiCGSTAB with an Eisenstat-Walker tolerance, SuperLU where it fails), steps capped at
    :math:`\\max(2, |x_I - T_I|)` in :math:`\\ln\\Gamma`, and one damped fixed-point step
    :math:`x \\to (x + T)/2` whenever the residual stalls for three iterations; from each dot's homogeneous solution at
    its own :math:`\\varepsilon_I` (interpolated from 65 solves of Eq. 19 across the drawn range),
    raised to ``ln_Gamma_floor`` where it is lower or localized: the iteration starts with every dot
    metallic and localizes dots as their right-hand sides fall below the floor (the equations can
    have several self-consistent solutions; this is the one reached downwards from that start).
    A dot whose right-hand side falls below ``ln_Gamma_floor`` is set localized
    (:math:`\\Gamma_I = 0`, ``ln_Gamma = -inf``) and gives its neighbours no bath; a dot whose
    right-hand side reaches :math:`\\gamma` is held at :math:`\\ln\\gamma - 10^{-9}` (status
    ``"above_gamma"``).  Converged when every status agrees with the right-hand side and
    :math:`\\max_I |x_I - T_I| \\le` ``tol`` over the metallic dots.

    Parameters
    ----------
    shape : int or tuple
        ``(L,)`` (periodic chain, :math:`z = 2`) or ``(L, L)`` (periodic square lattice,
        :math:`z = 4`); at most 512 x 512 dots.
    eps : float
        Mean :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)` of the dots, ``< 1``.
    gamma, K, N, s
        As in :func:`~nblm_helpers.meanfield.solve_linewidth` (scalars).
    d : int, optional
        Dimension in Eq. (20)'s :math:`\\ln^d`; default the lattice's (1 or 2).
    eps_spread : float
        Half width of the uniform distribution of :math:`\\varepsilon_I` (:func:`draw_eps`),
        ``>= 0`` with ``eps + eps_spread < 1``.
    seed : int
        Seed of the draw (``numpy.random.default_rng``), an integer in ``[0, 2**63)``.
    sum_range : {"infinite", "square"}
        ``n, p >= 1`` or ``1 <= n, p <= N`` (``N <= 1500``: all :math:`2N` orders are summed).
    nfast : {"literal", "continuous"}
        Reading of Eq. (20).
    ln_Gamma_floor : float, optional
        Below it a dot counts as localized.  Default :math:`-N\\ln K`: the dot's many-body level
        spacing :math:`\\delta_m K^{-N}` (Sec. IV B: a dot whose linewidth would fall below its
        many-body level spacing is fully localized).  At or above :math:`\\ln\\gamma - 10^{-9}`
        (e.g. :math:`\\gamma < K^{-N}`) every dot is localized.  Must be ``>= -3000 ln K`` (work
        limit: orders up to 3000 are summed per bond).
    start : array_like, optional
        Initial :math:`\\ln\\Gamma_I` (the array's shape; ``-inf`` for a localized dot; finite values
        are clipped to ``[ln_Gamma_floor, ln(gamma) - 1e-9]``), e.g. a neighbouring solution; default
        the homogeneous start.
    tol : float
        Residual target in :math:`\\ln\\Gamma`, in ``[1e-14, 1e-2]``.
    max_iter : int
        Newton iterations, 1-500.
    warn : bool
        One :class:`~nblm_helpers.parameters.ValidityWarning` if a dot is ``"above_gamma"`` or the
        iteration did not converge.

    Returns
    -------
    DotArrayResult

    Validity
    --------
    ``ValueError`` naming the parameter for bad input and beyond the work limits (512 x 512 dots,
    ``N <= 1500`` for the square sum, ``ln_Gamma_floor >= -3000 ln K``, at most 3000 orders per bond
    and ``3e7`` bonds x orders per evaluation, i.e. ~1-2 s per Newton iteration); a
    ``ValidityWarning`` (``warn=True``) when a dot is ``"above_gamma"`` or ``converged`` is
    False.  Non-convergence is rare and reported: 5 of 400 random draws over wide ranges (K 1.5-100,
    N 2-300, gamma 1e-4-1, eps_spread up to 0.8, both readings and sum ranges) did not reach tol in
    100 iterations, most with dots at :math:`\\Gamma \\to \\gamma`; all of 72 draws with the book's
    parameters (gamma = 0.1, K = 3, N = 10, s = 0.5, eps = -0.1, eps_spread 0.2-0.8) converged.
    ``ln_Gamma`` has no NaN; ``-inf`` only for localized dots.  Like Eq. (19), the array
    always has the trivial solution (every dot localized); the solver finds the one reached from
    the homogeneous start.
    """
    shape = _check_shape(shape)
    sum_range = check_choice("sum_range", sum_range, SUM_RANGES)
    nfast = check_choice("nfast", nfast, NFAST_READINGS)
    gamma = check_scalar(check_positive, "gamma", gamma)
    K = check_scalar(check_branching, "K", K)
    N = check_positive_int("N", N)
    s = check_scalar(check_unit_interval, "s", s)
    d = len(shape) if d is None else check_dimension(d)
    if d > 64:
        raise ValueError(f"d must be <= 64; got {d!r}")
    if not isinstance(warn, (bool, np.bool_)):
        raise ValueError(f"warn must be True or False; got {warn!r}")
    tol = check_scalar(check_real, "tol", tol, lo=1e-14, hi=1e-2, lo_open=False, hi_open=False)
    max_iter = check_positive_int("max_iter", max_iter, maximum=500)
    if sum_range == "square" and N > MAX_N_SQUARE:
        raise ValueError(f"N must be <= {MAX_N_SQUARE} with sum_range='square' (all 2N orders are summed "
                         f"per bond); got {N!r}")
    ell = math.log(K)
    a = math.log(gamma)
    if ln_Gamma_floor is None:
        floor = -N * ell
        if floor < -MAX_ORDER * ell:
            raise ValueError(
                f"ln_Gamma_floor defaults to -N ln K = {floor:.4g}, below the work limit -{MAX_ORDER} ln K = "
                f"{-MAX_ORDER * ell:.4g} (N > {MAX_ORDER}); pass ln_Gamma_floor >= {-MAX_ORDER * ell:.4g}"
            )
    else:
        floor = check_scalar(check_real, "ln_Gamma_floor", ln_Gamma_floor, lo=-MAX_ORDER * ell, lo_open=False)
    eps_I = draw_eps(shape=shape, eps=eps, eps_spread=eps_spread, seed=seed).ravel()
    eps = float(eps)
    eps_spread = float(eps_spread)
    seed = check_seed("seed", seed)
    options = dict(shape=shape, eps=eps, gamma=gamma, K=K, N=N, s=s, d=d, eps_spread=eps_spread, seed=seed,
                   sum_range=sum_range, nfast=nfast, ln_Gamma_floor=floor, tol=tol, max_iter=max_iter)
    # the tail order at the floor bounds the explicit orders per bond
    nbr = neighbours(shape)
    n, z = nbr.shape
    rows = np.repeat(np.arange(n), z)
    cols = nbr.ravel()
    kern = BondKernel(eps_sys=eps_I[rows], eps_bath=eps_I[cols], gamma=gamma, K=K, N=N, s=s, d=d,
                      sum_range=sum_range, nfast=nfast)
    top = a - _DOMAIN_GAP
    if floor < top:  # explicit orders per bond: at most Mmax (the tail order at the extremes of ln Gamma)
        Mmax = int(kern.order_limit(np.array([floor - _MAX_STEP, top])).max())
        if Mmax > MAX_ORDER + 64:
            raise ValueError(
                f"gamma={gamma:g}, K={K:g}, N={N}, s={s:g}, d={d}: the bath lineshape needs orders up to "
                f"m = {Mmax} between ln_Gamma_floor and ln(gamma), beyond the work limit {MAX_ORDER}; use a "
                "larger K, gamma or s, or a higher ln_Gamma_floor"
            )
        if Mmax * rows.size > MAX_WORK:
            raise ValueError(
                f"shape={shape}: {rows.size} bonds x {Mmax} orders per evaluation exceeds the work limit "
                f"{MAX_WORK:.0e} (K={K:g}, N={N}, sum_range={sum_range!r}); use a smaller shape, a larger K "
                "or a higher ln_Gamma_floor"
            )
    kw = dict(gamma=gamma, K=K, N=N, s=s, d=d, sum_range=sum_range, nfast=nfast)
    x0 = None
    if start is not None:
        try:
            x0 = np.array(start, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"start must be an array of ln Gamma (finite or -inf); got {start!r:.80}") from None
        if x0.shape != shape or np.any(np.isnan(x0) | (x0 == np.inf)):
            raise ValueError(f"start must be an array of shape {shape} of finite values or -inf; got "
                             f"shape {x0.shape}")
        x0 = x0.ravel()
    if floor >= a - _DOMAIN_GAP:  # no linewidth below gamma clears the floor: every dot is localized
        x = np.full(eps_I.size, -np.inf)
    elif x0 is None:
        x = _homogeneous_start(eps_I, kw, floor, a)
    else:
        x = np.where(np.isfinite(x0), np.clip(x0, floor, a - _DOMAIN_GAP), -np.inf)
    ln_z = math.log(z)

    def rhs(x, dots=None):
        """T = ln RHS per dot, and the Jacobian entries dT_I/dx_J per bond (0 for localized J).

        With ``dots`` (flat indices), only those dots' T (and their bonds' entries), in that order.
        """
        bsel = None if dots is None else (dots[:, None] * z + np.arange(z)[None, :]).ravel()
        cb = cols if bsel is None else cols[bsel]
        xb = x[cb]
        live = np.isfinite(xb)
        g = np.full(xb.size, -np.inf)
        dl = np.zeros(xb.size)
        if np.any(live):
            ib = np.nonzero(live)[0]
            lnF, dlnF = kern.evaluate(xb[live], ib if bsel is None else bsel[ib])
            g[live] = xb[live] + lnF
            dl[live] = dlnF
        G = g.reshape(-1, z)
        mx = G.max(axis=1)
        mxs = np.where(np.isfinite(mx), mx, 0.0)
        with np.errstate(divide="ignore"):
            T = mxs + np.log(np.exp(G - mxs[:, None]).sum(axis=1)) - ln_z
        T = np.where(np.isfinite(mx), T, -np.inf)
        with np.errstate(invalid="ignore"):
            w = np.where(live, np.exp(g - np.repeat(np.where(np.isfinite(T), T, 0.0), z)) / z, 0.0)
        return T, w * (1.0 + dl)

    lowest = floor - _MAX_STEP  # a metallic dot's x is kept above this during the inner iteration

    history = []  # residuals of the Newton iterations since the last status change

    def newton_step(x, T, jac, act, residual):
        history.append(residual)
        if len(history) > 3 and residual > 0.9 * min(history[-4:-1]):
            # stagnation (e.g. an oscillation between capped steps): one damped fixed-point step
            history.clear()
            return np.clip(x[act] + 0.5 * (T[act] - x[act]), lowest, top)
        """One capped Newton step of x - T(x) = 0 on the dots ``act`` (the others held fixed)."""
        pos = np.full(n, -1)
        pos[act] = np.arange(act.size)
        keep = (pos[rows] >= 0) & (pos[cols] >= 0) & (jac != 0)
        A = sp.csc_matrix((-jac[keep], (pos[rows[keep]], pos[cols[keep]])), shape=(act.size, act.size))
        A = A + sp.identity(act.size, format="csc")
        r = x[act] - T[act]
        # BiCGSTAB first (fast where the Jacobian is well conditioned), SuperLU where it fails
        # inexact Newton (forcing term ~ residual, Eisenstat-Walker)
        rtol = min(1e-2, max(_LIN_RTOL, 0.1 * residual))
        step, info = bicgstab(A.tocsr(), -r, rtol=rtol, atol=0.0, maxiter=_LIN_MAXITER)
        ok = info == 0 and bool(np.all(np.isfinite(step)))
        if not ok:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a singular Jacobian: fall back to the fixed-point step
                try:
                    step = spsolve(A, -r, permc_spec="MMD_AT_PLUS_A")
                    ok = bool(np.all(np.isfinite(step)))
                except (RuntimeError, sp.linalg.MatrixRankWarning):
                    ok = False
        if not ok:
            step = -r
        cap = np.maximum(_MAX_STEP, np.abs(r))  # at most 2 in ln Gamma, or the distance to the right side
        return np.clip(x[act] + np.clip(step, -cap, cap), lowest, top)

    # Outer loop: statuses.  Inner loop: Newton on the metallic dots with the statuses fixed.
    # A dot is localized when its right-hand side at an inner solution (residual <= 1e-6) is below
    # the floor -- or, earlier, below floor - 100 x residual once the residual is <= 1e-2, or below
    # floor - 2 at any time -- and so, at once, are its neighbours whose right sides then fall below
    # the same threshold (the cascade).  A dot localized by the cascade is re-admitted (its right side reaches the floor)
    # only once every other status has settled; every round costs an iteration, so the loop ends
    # within max_iter; the result is converged only if no localized dot's right side reaches the
    # floor and the residual is below tol.
    it = 0
    removed = np.zeros(n, dtype=bool)
    converged = False
    residual = 0.0
    passes = 0
    while True:
        passes += 1
        if passes > 4 * max_iter + 10:  # status rounds without Newton steps cannot cycle for ever
            T, jac = rhs(x)
            residual = float(np.max(np.abs(np.where(np.isfinite(x) & np.isfinite(T), x - T, 0.0)))) if n else 0.0
            break
        T, jac = rhs(x)
        met = np.isfinite(x)
        sunk = met & (T < lowest)  # far below the floor (e.g. every neighbour localized): localized now
        if sunk.any():  # (not marked as removed: such a dot is lifted again if its right side recovers)
            x = np.where(sunk, -np.inf, x)
            continue
        free = met & ~((x >= top) & (T >= top))  # a dot held at the top with T >= top is "above_gamma"
        with np.errstate(invalid="ignore"):
            r = np.where(free, x - T, 0.0)
        residual = float(np.max(np.abs(r))) if n else 0.0
        if residual > max(tol, _STATUS_TOL) and it < max_iter:
            # dots whose right side lies far below the floor (by 100x the residual) are localized
            # already now, so that the cascade does not wait for a tight inner solution
            early = free & (T < floor - _EARLY_MARGIN * residual) if residual <= _EARLY_RESIDUAL else None
            if early is not None and early.any():
                drop = early
                thr = floor - _EARLY_MARGIN * residual
            else:
                it += 1
                act = np.nonzero(free)[0]
                x = x.copy()
                x[act] = newton_step(x, T, jac, act, residual)
                continue
        else:
            # the inner problem is solved (or out of iterations): statuses
            drop = free & (T < floor)
            thr = floor
        lift = np.isneginf(x) & (T >= floor) & ~removed
        if not (drop.any() or lift.any()):
            back = np.isneginf(x) & (T >= floor) & removed  # localized by the cascade, yet above the floor
            if residual <= tol and not back.any():
                converged = True
                break
            if it >= max_iter:
                break
            if back.any():
                it += 1
                x = x.copy()
                x[back] = np.minimum(T[back], top)
                history.clear()
                removed[back] = False
                continue
            it += 1  # statuses settled: the last Newton steps to tol
            act = np.nonzero(free)[0]
            x = x.copy()
            x[act] = newton_step(x, T, jac, act, residual)
            continue
        if it >= max_iter:
            break
        history.clear()  # statuses change: a new inner problem
        x = x.copy()
        while drop.any():  # the cascade: neighbours of new localized dots that fall below the floor too
            x[drop] = -np.inf
            removed |= drop
            near = np.zeros(n, dtype=bool)
            near[nbr[drop].ravel()] = True
            near &= np.isfinite(x)
            cand = np.nonzero(near)[0]
            drop = np.zeros(n, dtype=bool)
            if cand.size:
                Tc = rhs(x, cand)[0]
                drop[cand[Tc < thr]] = True
                keep = (Tc >= thr) & (x[cand] < top)
                # the survivors next to new localized dots start the next inner solve at their new
                # right sides (a local fixed-point step; the Newton iteration corrects it)
                x[cand[keep]] = np.clip(Tc[keep], lowest, top)
        x[lift] = np.minimum(np.maximum(T[lift], floor), top)
    status = np.where(x == -np.inf, "localized", np.where(x >= top, "above_gamma", "metallic"))
    if warn:
        nab = int(np.count_nonzero(status == "above_gamma"))
        if nab or not converged:
            msg = []
            if nab:
                msg.append(f"the right side of Eq. (18) reaches Gamma >= gamma at {nab} of {n} dot(s) "
                           "(status 'above_gamma', outside Eq. 20's domain; ln_Gamma there is a bound)")
            if not converged:
                msg.append(f"no convergence in {it} iterations (residual {residual:.3g} > tol = {tol:g} or "
                           "statuses still changing)")
            warnings.warn("; ".join(msg), ValidityWarning, stacklevel=2)
    return DotArrayResult(ln_Gamma=x.reshape(shape), status=status.reshape(shape), eps=eps_I.reshape(shape),
                          iterations=it, residual=residual, converged=converged, options=options)
