"""Exact Hahn echo of a spin coupled to random-telegraph fluctuators (check of Eqs. 9-11).

Eq. (9) of the paper quotes asymptotic forms of the exactly solvable
"spin-fluctuator" model (Galperin, Altshuler, Bergli and Shantsev, PRL 96,
097009 (2006); Bergli, Galperin and Altshuler, New J. Phys. 11, 025002
(2009)).  This module evaluates that model exactly, so that Eqs. (9)-(11)
can be checked.

Model and conventions
---------------------
A qubit (the l-bit) precesses at frequency :math:`\\omega_0 + v\\chi(t)`,
where :math:`\\chi(t) = \\pm 1` is a symmetric random telegraph process
(a fluctuator, e.g. a neighbouring l-bit) that **leaves each of its two
states at rate** :math:`\\Gamma`.  The flips are then a Poisson process of
rate :math:`\\Gamma` and :math:`\\langle\\chi(t)\\chi(0)\\rangle =
e^{-2\\Gamma|t|}`.  So :math:`v` is half the difference of the qubit
frequencies in the two fluctuator states.  For an l-bit, :math:`\\Gamma =
\\Gamma_b` (the rate at which an l-bit flips) and :math:`v = J e^{-r/\\xi}`.

Hahn echo: a :math:`\\pi` pulse at :math:`t/2`, echo read at :math:`t`, so
the accumulated phase is :math:`\\varphi = v\\int_0^t s(t')\\chi(t')dt'`
with :math:`s = +1` before and :math:`-1` after the pulse, and the echo
signal is :math:`\\psi(t) = \\langle e^{i\\varphi}\\rangle` (real by symmetry).

Exact result (derived in the lineshape chapter from the 2x2 transfer
matrix :math:`e^{(Q \\mp ivZ)t/2}` of the telegraph process with the phase)

.. math::
    \\psi(t) = e^{-\\Gamma t}\\left[\\frac{\\Gamma^2}{\\mu^2}\\cosh\\mu t
    + \\frac{\\Gamma}{\\mu}\\sinh\\mu t - \\frac{v^2}{\\mu^2}\\right],
    \\qquad \\mu = \\sqrt{\\Gamma^2 - v^2},

continued analytically for :math:`v > \\Gamma` (:math:`\\mu = i\\nu`:
cosh -> cos, sinh/mu -> sin/nu).  Limits: for :math:`v \\gg \\Gamma`,
:math:`\\psi \\to e^{-\\Gamma t}[1 + (\\Gamma/v)\\sin vt]`, i.e. the probability
of no flip during the echo (Eq. 9, rate :math:`\\Gamma_b` per fast
neighbour in this convention; :math:`\\Gamma_b/2` if :math:`\\Gamma_b` denoted
the total switching rate with each state left at :math:`\\Gamma_b/2`); for
:math:`v \\ll \\Gamma`, motional narrowing :math:`\\psi \\to
e^{-v^2 t/(2\\Gamma)}` at :math:`\\Gamma t \\gg 1`.

Energies and rates share one unit (:math:`\\Gamma_b = 1` in the chapter),
times are in its inverse.

Validity and resources
----------------------
Everything here is an exact evaluation of the model, so no helper issues a
:class:`~nblm_helpers.parameters.ValidityWarning`.  Results have no NaN or
infinity for any valid input (an echo that underflows is 0.0).  The work of
each call is bounded, and beyond the bound a :class:`ValueError` names the
parameter and the largest value that works: at most :data:`MAX_SITES` chain
sites (:math:`\\xi\\ln(J/(\\mathrm{cutoff}\\,\\Gamma_b)) \\le 4\\times 10^6`),
:data:`MAX_SITE_TIMES` echo factors per lattice call, :data:`MAX_MC_WORK`
simulated waiting times per Monte-Carlo call (streamed in blocks),
:data:`MAX_TIMES` times per :func:`telegraph_echo` call and
:data:`MAX_EXPM_TIMES` per :func:`telegraph_echo_expm` call.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy.linalg import expm

from .parameters import check_positive, check_positive_int, check_real, check_scalar

__all__ = [
    "telegraph_echo",
    "telegraph_echo_expm",
    "telegraph_echo_mc",
    "telegraph_late_rate",
    "lattice_couplings",
    "lattice_echo",
    "lattice_nfast",
    "lattice_nfast_late",
]

# -- resource limits (each keeps one call well inside ~2 s and ~0.5 GiB) ---------------------------
#: Largest number of chain sites (couplings above cutoff * Gamma_b) that the lattice helpers accept.
MAX_SITES = 4_000_000
#: Largest (number of distinct couplings) x (number of times) that lattice_echo / lattice_nfast evaluate.
MAX_SITE_TIMES = 4_000_000
#: Largest number of times per telegraph_echo call (2**22; about 1 s).
MAX_TIMES = 1 << 22
#: Largest n_samples * (max_flips + 1) * (number of times + 1) that telegraph_echo_mc simulates.
MAX_MC_WORK = 40_000_000
#: Largest number of times per telegraph_echo_expm call (two 2x2 matrix exponentials per time).
MAX_EXPM_TIMES = 20_000
#: Largest (Gamma + v) * max(t) for telegraph_echo_expm (its round-off grows like that norm times 1e-16).
MAX_EXPM_NORM = 1e6

_SAFE = 1e75         # v, Gamma in [1/_SAFE, _SAFE] (or v = 0) and t <= _SAFE: the plain closed form is safe
_CHUNK = 1 << 18     # elements per vectorised block (bounded temporaries)
_MC_CHUNK = 1 << 21  # samples x waiting times per Monte-Carlo block
_LATE_GT = 1e290     # Gamma_b * t above this: lattice_nfast is its late-time limit to double precision


def _check_vg(v, Gamma):
    v = check_scalar(check_real, "v", v, lo=0.0, lo_open=False)
    Gamma = check_scalar(check_positive, "Gamma", Gamma)
    return v, Gamma


def _sh1_ch1(z):
    """sinh(sqrt z)/sqrt z and (cosh(sqrt z) - 1)/z, entire in z = (mu t)^2 (any sign, finite)."""
    z = np.asarray(z, dtype=float)
    sh1 = np.empty_like(z)
    ch1 = np.empty_like(z)
    small = np.abs(z) < 1.0
    zs = z[small]
    # Taylor series: sh1 = sum z^k/(2k+1)!, ch1 = sum z^k/(2k+2)!; 14 terms reach 1e-25 for |z| < 1.
    term_s = np.ones_like(zs)
    term_c = np.full_like(zs, 0.5)
    s_sum, c_sum = term_s.copy(), term_c.copy()
    for k in range(1, 15):
        term_s = term_s * zs / ((2 * k) * (2 * k + 1))
        term_c = term_c * zs / ((2 * k + 1) * (2 * k + 2))
        s_sum += term_s
        c_sum += term_c
    sh1[small], ch1[small] = s_sum, c_sum
    pos = (~small) & (z > 0)
    neg = (~small) & (z < 0)
    r = np.sqrt(z[pos])
    sh1[pos], ch1[pos] = np.sinh(r) / r, (np.cosh(r) - 1.0) / z[pos]
    r = np.sqrt(-z[neg])
    sh1[neg], ch1[neg] = np.sin(r) / r, (np.cos(r) - 1.0) / z[neg]
    return sh1, ch1


def _log_echo_core(T, V, G):
    """ln psi for flat arrays of moderate times T, couplings V and rates G (see :func:`_log_echo`).

    The closed form of :func:`telegraph_echo` exactly as it has always been
    evaluated (same floating-point operations), for
    :math:`v, \\Gamma \\in [10^{-75}, 10^{75}]` (or :math:`v = 0`) and
    :math:`t \\le 10^{75}`, where nothing in it can overflow or underflow.
    """
    out = np.zeros(T.shape)
    mu2 = (G - V) * (G + V)
    z = mu2 * T ** 2
    live = V != 0.0                                         # v = 0: no dephasing, psi = 1 exactly
    grow = live & (z >= 1.0)
    if np.any(grow):
        # mu real, mu t >= 1: psi = e^{-(g-mu)t} [(c1+c2)/2 + (c1-c2)/2 e^{-2 mu t} - v^2/mu^2 e^{-mu t}]
        # with c1 = g^2/mu^2, c2 = g/mu, and g - mu = v^2/(g + mu) (no cancellation for v << g)
        g, v, tg, m2 = G[grow], V[grow], T[grow], mu2[grow]
        mu = np.sqrt(m2)
        c1, c2 = g * g / m2, g / mu
        bracket = 0.5 * (c1 + c2) + 0.5 * (c1 - c2) * np.exp(-2 * mu * tg) - v * v / m2 * np.exp(-mu * tg)
        out[grow] = -v * v / (g + mu) * tg + np.log(bracket)
    rest = live & ~grow
    if np.any(rest):
        g, tr = G[rest], T[rest]
        sh1, ch1 = _sh1_ch1(z[rest])
        out[rest] = -g * tr + np.log1p((g * tr) ** 2 * ch1 + g * tr * sh1)
    return out


def _log_echo_robust(t, v, g):
    """ln psi for flat arrays of any t >= 0, v >= 0, g > 0 (finite), through logarithms.

    With :math:`s = \\max(v, \\Gamma)`, :math:`\\hat v = v/s`,
    :math:`\\hat\\Gamma = \\Gamma/s` (both <= 1) and :math:`\\hat\\mu^2 =
    \\hat\\Gamma^2 - \\hat v^2`, every large product (:math:`\\mu t`,
    :math:`\\Gamma t`, the rate times :math:`t`) is formed as the exponential of
    a sum of logarithms, so it overflows only to an infinity whose meaning is
    clear (:math:`\\psi = 0`); :math:`(\\mu t)^2` is formed only where it is
    below 1.  ``-inf`` where :math:`\\psi` underflows past the float range.
    """
    out = np.zeros(t.shape)
    live = (v > 0.0) & (t > 0.0)
    if not np.any(live):
        return out
    t, v, g = t[live], v[live], g[live]
    s = np.maximum(v, g)
    with np.errstate(under="ignore"):
        gh, vh = g / s, v / s
    ln_t, ln_s, ln_v, ln_g = np.log(t), np.log(s), np.log(v), np.log(g)
    ln_T = ln_s + ln_t
    with np.errstate(under="ignore"):
        m2 = ((g - v) / s) * (gh + vh)                         # g - v is exact near v = g
    with np.errstate(divide="ignore"):
        ln_mt = 0.5 * np.log(np.abs(m2)) + ln_T              # ln |mu t|, -inf where mu = 0
    res = np.empty(t.shape)
    grow = (m2 > 0.0) & (ln_mt >= 0.0)
    if np.any(grow):
        m2g, ghg = m2[grow], gh[grow]
        mu = np.sqrt(m2g)
        c1, c2 = ghg * ghg / m2g, ghg / mu
        with np.errstate(over="ignore", under="ignore"):
            mt = np.exp(ln_mt[grow])
            bracket = 0.5 * (c1 + c2) + 0.5 * (c1 - c2) * np.exp(-2 * mt) - vh[grow] ** 2 / m2g * np.exp(-mt)
            # rate times t: v^2 t/(Gamma + mu) = v^2 t/(s (gh + mu_hat))
            kt = np.exp(2 * ln_v[grow] - ln_s[grow] - np.log(ghg + mu) + ln_t[grow])
        res[grow] = -kt + np.log(bracket)
    rest = ~grow
    if np.any(rest):
        ln_x = ln_g[rest] + ln_t[rest]                        # ln(Gamma t)
        with np.errstate(over="ignore"):
            x = np.exp(ln_x)
        m2r, ln_mtr, ghr = m2[rest], ln_mt[rest], gh[rest]
        L = np.zeros(x.shape)                                 # ln of the bracket
        small = ln_mtr < 0.0                                  # |mu t| < 1 (also mu = 0)
        if np.any(small):
            with np.errstate(under="ignore"):
                z = np.sign(m2r[small]) * np.exp(2 * ln_mtr[small])
            sh1, ch1 = _sh1_ch1(z)
            xs, lx = x[small], ln_x[small]
            Ls = np.empty(xs.shape)
            big = lx > 345.0                                  # Gamma t > 1e150: (Gamma t)^2 would overflow
            nb = ~big
            Ls[nb] = np.log1p(xs[nb] ** 2 * ch1[nb] + xs[nb] * sh1[nb])
            with np.errstate(under="ignore"):                 # 1 + x sh1 + x^2 ch1 = x^2 (ch1 + sh1/x + 1/x^2)
                Ls[big] = 2 * lx[big] + np.log(ch1[big] + sh1[big] * np.exp(-lx[big]) + np.exp(-2 * lx[big]))
            L[small] = Ls
        osc = ~small                                          # mu = i nu, nu t >= 1
        if np.any(osc):
            c = ghr[osc] / np.sqrt(-m2r[osc])                 # Gamma/nu
            with np.errstate(over="ignore"):
                r = np.exp(ln_mtr[osc])                       # nu t
            # nu t beyond the float range: then Gamma/nu is negligible or Gamma t overflows too (psi = 0)
            fin = np.isfinite(r)
            Lo = np.zeros(r.shape)
            rf, cf = r[fin], c[fin]
            Lo[fin] = np.log(1.0 + cf * cf * (1.0 - np.cos(rf)) + cf * np.sin(rf))
            L[osc] = Lo
        res[rest] = np.where(np.isinf(x), -np.inf, L - np.where(np.isinf(x), 0.0, x))
    out[live] = res
    return out


def _log_echo(t, v, Gamma):
    """ln psi of :func:`telegraph_echo` for t (array, >= 0) and v (scalar or array broadcast with t).

    Moderate values use :func:`_log_echo_core`, the rest :func:`_log_echo_robust`;
    ``-inf`` only where :math:`\\psi` underflows past the float range.  Big
    arrays are done in blocks of ``_CHUNK`` elements.
    """
    t, v = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(v, dtype=float))
    shape = t.shape
    t, v = t.ravel(), v.ravel()
    out = np.empty(t.size)
    g_ok = 1.0 / _SAFE <= Gamma <= _SAFE
    for lo in range(0, t.size, _CHUNK):
        tc, vc = t[lo:lo + _CHUNK], v[lo:lo + _CHUNK]
        G = np.full(tc.shape, Gamma)
        moderate = (tc <= _SAFE) & (((vc >= 1.0 / _SAFE) & (vc <= _SAFE)) | (vc == 0.0)) & g_ok
        res = np.empty(tc.shape)
        if np.all(moderate):
            res = _log_echo_core(tc, vc, G)
        else:
            res[moderate] = _log_echo_core(tc[moderate], vc[moderate], G[moderate])
            odd = ~moderate
            res[odd] = _log_echo_robust(tc[odd], vc[odd], G[odd])
        out[lo:lo + _CHUNK] = res
    return out.reshape(shape)


def telegraph_echo(t, *, v, Gamma):
    """Exact Hahn-echo signal of a qubit coupled to one telegraph fluctuator.

    .. math::
        \\psi(t) = e^{-\\Gamma t}\\left[1 + \\Gamma^2\\frac{\\cosh\\mu t - 1}{\\mu^2}
        + \\Gamma\\frac{\\sinh\\mu t}{\\mu}\\right], \\qquad \\mu^2 = \\Gamma^2 - v^2,

    (equal to the form in the module docstring) evaluated through entire
    functions of :math:`(\\mu t)^2`, so that :math:`v < \\Gamma`, :math:`v =
    \\Gamma` and :math:`v > \\Gamma` are all accurate; for :math:`v < \\Gamma`
    and :math:`\\mu t \\ge 1` the growing exponentials are combined with
    :math:`e^{-\\Gamma t}` first (no overflow, no cancellation in
    :math:`\\Gamma - \\mu = v^2/(\\Gamma + \\mu)`).  Extreme values are safe: outside
    :math:`v, \\Gamma \\in [10^{-75}, 10^{75}]`, :math:`t \\le 10^{75}` the
    same expressions are formed from logarithms, in units of
    :math:`s = \\max(v, \\Gamma)` (:math:`\\mu t`, :math:`\\Gamma t` and the rate
    times :math:`t` as exponentials of sums of logs, :math:`\\ln(1 + \\Gamma t\\,
    \\ldots)` as :math:`2\\ln\\Gamma t + \\ldots` beyond :math:`\\Gamma t = 10^{150}`,
    the oscillating terms dropped only where :math:`\\nu t` itself overflows).

    Parameters
    ----------
    t : float or array_like
        Total echo time :math:`t \\ge 0` (:math:`\\pi` pulse at :math:`t/2`).
    v : float
        Coupling :math:`v \\ge 0`: the qubit frequency is :math:`\\omega_0 \\pm v`.
    Gamma : float
        Rate :math:`\\Gamma > 0` at which the fluctuator leaves each state.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\psi(t) \\in [0, 1]`, same shape as ``t`` (0 only where it
        underflows, e.g. :math:`\\Gamma t > 745`).

    Validity
    --------
    An exact result of the model: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        If ``t`` or ``v`` is negative, ``Gamma`` is not positive, any is not a
        finite real number, ``v``/``Gamma`` are arrays, or ``t`` has more than
        :data:`MAX_TIMES` (:math:`2^{22}`) elements (about 1 s of work).
    """
    v, Gamma = _check_vg(v, Gamma)
    t = check_real("t", t, lo=0.0, lo_open=False)
    ta = np.asarray(t, dtype=float)
    if ta.size > MAX_TIMES:
        raise ValueError(f"t must have at most MAX_TIMES = {MAX_TIMES} elements per telegraph_echo call (about 1 s); "
                         f"got {ta.size}: split the times")
    out = np.exp(_log_echo(ta, v, Gamma))
    return float(out.ravel()[0]) if np.ndim(t) == 0 else out


def telegraph_echo_expm(t, *, v, Gamma):
    """Same echo from the transfer matrix, :func:`scipy.linalg.expm` (independent check).

    With :math:`f_\\sigma(t) = \\langle e^{i\\varphi(t)};\\ \\chi(t) = \\sigma\\rangle`,
    :math:`\\dot f = (Q + i s(t) v Z) f`, :math:`Q = \\Gamma\\begin{pmatrix}-1&1\\\\1&-1
    \\end{pmatrix}`, :math:`Z = \\mathrm{diag}(1, -1)`, :math:`f(0) = (1/2, 1/2)`, so

    .. math:: \\psi(t) = (1, 1)\\, e^{(Q - ivZ)t/2}\\, e^{(Q + ivZ)t/2}\\, (1/2, 1/2)^T .

    Parameters and return value as in :func:`telegraph_echo`.

    Validity
    --------
    An exact result of the model: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        As :func:`telegraph_echo`; also if ``t`` has more than
        :data:`MAX_EXPM_TIMES` elements (two matrix exponentials per time, the
        message gives the limit), or if :math:`(\\Gamma + v)\\max t` exceeds
        :data:`MAX_EXPM_NORM` (:math:`10^6`): there the scaling-and-squaring
        of ``expm`` loses its accuracy and, at :math:`\\sim 10^{300}`, returns
        NaN.  Use :func:`telegraph_echo` beyond.
    """
    v, Gamma = _check_vg(v, Gamma)
    t = check_real("t", t, lo=0.0, lo_open=False)
    ta = np.asarray(t, dtype=float)
    scalar = np.ndim(t) == 0
    if ta.size > MAX_EXPM_TIMES:
        raise ValueError(
            f"t must have at most MAX_EXPM_TIMES = {MAX_EXPM_TIMES} elements (two matrix exponentials per time); "
            f"got {ta.size} (use telegraph_echo for more)")
    t_max = float(ta.max())
    with np.errstate(over="ignore"):
        norm = (Gamma + v) * t_max
    if not norm <= MAX_EXPM_NORM:
        largest = MAX_EXPM_NORM / (Gamma + v) if math.isfinite(Gamma + v) else 0.0
        raise ValueError(
            f"t must satisfy (Gamma + v) * max(t) <= {MAX_EXPM_NORM:g} for telegraph_echo_expm (the matrix "
            f"exponential loses its accuracy beyond); got max(t) = {t_max!r} with Gamma = {Gamma!r}, v = {v!r}: "
            f"the largest t that works is {largest:.6g} (telegraph_echo has no such limit)")
    Q = Gamma * np.array([[-1.0, 1.0], [1.0, -1.0]])
    Z = np.diag([1.0, -1.0])
    ones, p0 = np.ones(2), np.full(2, 0.5)
    out = np.empty(ta.size)
    for i, ti in enumerate(ta.ravel()):
        first = expm((Q + 1j * v * Z) * (ti / 2))
        second = expm((Q - 1j * v * Z) * (ti / 2))
        out[i] = (ones @ second @ first @ p0).real
    return float(out[0]) if scalar else out.reshape(np.shape(t))


def _mc_flips(lam):
    """Default waiting times per sample: a sample with more flips has probability below 1e-12."""
    return int(math.ceil(lam + 8 * math.sqrt(lam) + 30))


def telegraph_echo_mc(t, *, v, Gamma, n_samples=20000, seed=0, max_flips=None):
    """Monte-Carlo estimate of the echo: simulate telegraph noise and average :math:`\\cos\\varphi`.

    Each sample draws exponential waiting times of rate :math:`\\Gamma` (the
    flips are a Poisson process) and integrates the echo phase
    :math:`\\varphi = v\\int_0^t s(t')\\chi(t')\\,dt'` exactly (piecewise
    constant :math:`\\chi`); everything is vectorised over samples.  The
    initial state :math:`\\chi(0) = \\pm 1` is not drawn: :math:`\\varphi` is
    odd in it and :math:`\\cos\\varphi` even, so it drops out exactly.
    Samples are simulated in blocks of at most :math:`2^{21}` waiting times
    (bounded memory); a run that fits in one block (e.g. the default 20000
    samples up to :math:`\\Gamma t \\approx 60`) averages exactly as one array
    would, so its numbers do not depend on the blocking.

    Parameters
    ----------
    t : float or array_like
        Echo time(s) :math:`t \\ge 0`.
    v, Gamma : float
        As in :func:`telegraph_echo`.
    n_samples : int
        Number of noise realisations per time, :math:`\\ge 2`.
    seed : int
        Seed of :func:`numpy.random.default_rng`, :math:`\\ge 0`.
    max_flips : int, optional
        Waiting times drawn per sample (default: enough that a sample with
        more flips has probability below :math:`10^{-12}`; checked).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Mean of :math:`\\cos\\varphi` and its standard error, each of shape
        ``np.shape(t)`` (0-d arrays for scalar ``t``).

    Validity
    --------
    A simulation of the exact model: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        For invalid parameters; if ``max_flips`` is too small for
        :math:`\\Gamma\\max t`; if ``Gamma`` is so small that :math:`1/\\Gamma`
        overflows, or :math:`v\\max t > 10^{300}` (the phase would overflow);
        and if the work ``n_samples * (max_flips + 1) * (len(t) + 1)`` exceeds
        :data:`MAX_MC_WORK` (:math:`4\\times 10^7`, about 1.5 s): the message
        gives the largest ``n_samples`` that runs for these ``t`` (e.g.
        500 000 for one time at :math:`\\Gamma t = 1`), or says that
        :math:`\\Gamma\\max t` itself needs too many flips.
    """
    v, Gamma = _check_vg(v, Gamma)
    t = check_real("t", t, lo=0.0, lo_open=False)
    ta = np.asarray(t, dtype=float)
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    seed = check_positive_int("seed", seed, minimum=0)
    if not math.isfinite(1.0 / Gamma):
        raise ValueError(f"Gamma must be >= {1.0 / np.finfo(float).max:.3g} (1/Gamma, the mean waiting time, "
                         f"must be a finite float); got {Gamma!r}")
    t_max = float(ta.max())
    if v > 0 and t_max > 1e300 / v:
        raise ValueError(f"v * max(t) must be <= 1e300 (the echo phase must be a finite float); got v = {v!r}, "
                         f"max(t) = {t_max!r}")
    with np.errstate(over="ignore"):
        lam = Gamma * t_max
    n_t = ta.size
    limit_flips = MAX_MC_WORK // (2 * (n_t + 1)) - 1   # the most flips per sample with n_samples = 2
    if limit_flips < 31:
        raise ValueError(
            f"t must have at most {MAX_MC_WORK // 64 - 1} elements for telegraph_echo_mc (2 samples of 31 waiting "
            f"times at every time already exceed MAX_MC_WORK = {MAX_MC_WORK}); got {n_t}")
    if max_flips is None:
        if not (lam <= 1e15 and _mc_flips(lam) <= limit_flips):
            lam_max = (math.sqrt(16.0 + limit_flips - 30) - 4.0) ** 2
            raise ValueError(
                f"t and Gamma: Gamma * max(t) = {lam:.6g} needs about that many flips per sample, more than "
                f"MAX_MC_WORK = {MAX_MC_WORK} allows with {n_t} time(s); Gamma * max(t) must be <= {lam_max:.6g}")
        max_flips = _mc_flips(lam)
    max_flips = check_positive_int("max_flips", max_flips)
    work = n_samples * (max_flips + 1) * (n_t + 1)
    if work > MAX_MC_WORK:
        largest = MAX_MC_WORK // ((max_flips + 1) * (n_t + 1))
        if largest >= 2:
            raise ValueError(
                f"n_samples = {n_samples} with {n_t} time(s) and max_flips = {max_flips} needs {min(work, 1e300):.3g} "
                f"sample-flip-times, more than MAX_MC_WORK = {MAX_MC_WORK} (about 1.5 s); the largest n_samples "
                f"that works here is {largest}")
        raise ValueError(
            f"max_flips = {max_flips} waiting times per sample with {n_t} time(s) exceed MAX_MC_WORK = "
            f"{MAX_MC_WORK} even for n_samples = 2; max_flips must be <= {limit_flips} "
            f"(Gamma * max(t) = {lam:.6g} sets the default)")
    rng = np.random.default_rng(seed)
    scale = 1.0 / Gamma
    signs = (-1.0) ** np.arange(max_flips)
    rows = max(1, _MC_CHUNK // (max_flips + 1))
    times = ta.ravel()
    if rows >= n_samples:  # one block: each time's samples averaged as one array
        c = _mc_block(rng, scale, n_samples, max_flips, times, t_max, lam, v, signs)
        means = np.array([row.mean() for row in c])
        errs = np.array([row.std(ddof=1) / math.sqrt(n_samples) for row in c])
    else:
        # blocks of rows: pooled mean and sum of squared deviations (Chan et al.)
        count = 0
        mean = np.zeros(times.size)
        m2 = np.zeros(times.size)
        done = 0
        while done < n_samples:
            k = min(rows, n_samples - done)
            c = _mc_block(rng, scale, k, max_flips, times, t_max, lam, v, signs)
            bmean = c.mean(axis=1)
            bm2 = ((c - bmean[:, None]) ** 2).sum(axis=1)
            delta = bmean - mean
            tot = count + k
            mean = mean + delta * (k / tot)
            m2 = m2 + bm2 + delta * delta * (count * k / tot)
            count = tot
            done += k
        means = mean
        errs = np.sqrt(m2 / (n_samples - 1)) / math.sqrt(n_samples)
    shape = np.shape(t)
    return means.reshape(shape), errs.reshape(shape)


def _mc_block(rng, scale, n, max_flips, times, t_max, lam, v, signs):
    """cos(phi) of ``n`` samples at every time: array (len(times), n)."""
    waits = rng.exponential(scale, size=(n, max_flips))
    flips = np.cumsum(waits, axis=1)
    if np.any(flips[:, -1] <= t_max):
        raise ValueError(f"max_flips={max_flips} too small for Gamma*t = {lam:g}; increase it")
    # segment k runs from flips[k-1] (0 for k = 0) to flips[k], with chi = chi0 (-1)^k
    edges = np.concatenate([np.zeros((n, 1)), flips], axis=1)
    out = np.empty((times.size, n))
    for i, ti in enumerate(times):
        # F(u) = int_0^u s dt' with s = +1 on [0, t/2), -1 on [t/2, t]; F(t) = 0
        u = np.minimum(edges, ti)
        F = np.where(u <= ti / 2, u, ti - u)
        phase = v * np.sum(signs[None, :] * np.diff(F, axis=1), axis=1)
        out[i] = np.cos(phase)
    return out


def telegraph_late_rate(*, v, Gamma):
    """Late-time decay rate of :func:`telegraph_echo`: :math:`\\Gamma - \\mathrm{Re}\\,\\mu`.

    :math:`\\Gamma` for :math:`v \\ge \\Gamma` (strong coupling: any flip
    destroys the echo), :math:`\\Gamma - \\sqrt{\\Gamma^2 - v^2} = v^2/(\\Gamma +
    \\mu)` for :math:`v < \\Gamma` (motional narrowing, :math:`\\approx
    v^2/2\\Gamma`).  Accepts an array ``v``; ``Gamma`` is a scalar.

    Validity
    --------
    Exact: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        If ``v`` is negative or not finite, or ``Gamma`` is not a positive
        finite scalar.
    """
    Gamma = check_scalar(check_positive, "Gamma", Gamma)
    va = check_real("v", v, lo=0.0, lo_open=False)
    x = np.asarray(va, dtype=float)
    out = np.full(x.shape, Gamma)
    weak = x < Gamma
    xw = x[weak]
    if Gamma <= 1e150:   # Gamma^2 is finite: the plain form
        mu = np.sqrt(np.clip(Gamma * Gamma - xw * xw, 0.0, None))
        out[weak] = xw * xw / (Gamma + mu)
    else:                # in units of Gamma
        r = xw / Gamma
        out[weak] = Gamma * (r * r / (1.0 + np.sqrt((1.0 - r) * (1.0 + r))))
    return float(out) if np.ndim(va) == 0 else out


def _check_lattice(J, xi, Gamma_b, sides, cutoff):
    J = check_scalar(check_positive, "J", J)
    xi = check_scalar(check_positive, "xi", xi)
    Gamma_b = check_scalar(check_positive, "Gamma_b", Gamma_b)
    if isinstance(sides, (bool, np.bool_)) or not isinstance(sides, numbers.Real) or sides not in (1, 2):
        raise ValueError(f"sides must be 1 (one side of the l-bit) or 2 (both sides); got {sides!r}")
    sides = int(sides)
    cutoff = check_scalar(check_real, "cutoff", cutoff, lo=0.0, hi=1.0)
    return J, xi, Gamma_b, sides, cutoff


def _n_sites(J, xi, Gamma_b, cutoff):
    """Number of sites r = 1, 2, ... with J e^{-r/xi} >= cutoff * Gamma_b (at least 1), or ValueError."""
    denom = cutoff * Gamma_b
    ratio = J / denom if denom > 0 else math.inf
    if 0.0 < ratio < math.inf:
        log_ratio = math.log(ratio)
    else:  # the quotient over/underflows: the same logarithm as a sum
        log_ratio = math.log(J) - math.log(cutoff) - math.log(Gamma_b)
    x = xi * log_ratio
    if x < 1.0:
        return 1, log_ratio
    if x > MAX_SITES:
        raise ValueError(
            f"xi = {xi!r} gives {x:.3g} chain sites with couplings J e^(-r/xi) >= cutoff*Gamma_b (r <= xi "
            f"ln(J/(cutoff Gamma_b)), ln(...) = {log_ratio:.4g}); at most MAX_SITES = {MAX_SITES} are "
            f"summed: the largest xi that works for these J, Gamma_b, cutoff is {MAX_SITES / log_ratio:.6g} "
            "(or raise cutoff)")
    return int(math.floor(x)), log_ratio


def _couplings(J, xi, Gamma_b, sides, cutoff):
    r_max, _ = _n_sites(J, xi, Gamma_b, cutoff)
    with np.errstate(over="ignore"):  # r/xi beyond the float range: a coupling of 0
        v = J * np.exp(-np.arange(1, r_max + 1) / xi)
    return np.repeat(v, sides)


def lattice_couplings(*, J, xi, Gamma_b, sides=1, cutoff=1e-12):
    """Couplings :math:`v_r = J e^{-r/\\xi}`, :math:`r = 1, 2, \\dots`, of a 1D chain of fluctuators.

    Sites are kept while :math:`v_r \\ge` ``cutoff`` :math:`\\times\\Gamma_b`
    (the neglected ones change :math:`\\ln\\psi` by less than
    :math:`\\sim \\mathrm{cutoff}^2\\,\\Gamma_b t`), at least one site.
    ``sides=2`` repeats each distance for :math:`\\pm r`.

    Returns
    -------
    numpy.ndarray
        The couplings, one per fluctuator (0.0 where :math:`e^{-r/\\xi}`
        underflows).

    Validity
    --------
    A model definition: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        For invalid parameters (``J, xi, Gamma_b > 0`` scalars, ``sides`` in
        ``{1, 2}``, ``cutoff`` in (0, 1)), or if the chain has more than
        :data:`MAX_SITES` (4 million) sites: :math:`\\xi\\ln(J/(\\mathrm{cutoff}
        \\,\\Gamma_b)) > 4\\times 10^6`; the message gives the largest ``xi``
        that works (e.g. about :math:`1.2\\times 10^5` for :math:`J = \\Gamma_b`
        and the default cutoff).
    """
    J, xi, Gamma_b, sides, cutoff = _check_lattice(J, xi, Gamma_b, sides, cutoff)
    return _couplings(J, xi, Gamma_b, sides, cutoff)


def lattice_echo(t, *, J, xi, Gamma_b, sides=1, cutoff=1e-12):
    """Exact echo of an l-bit whose chain neighbours all flip at rate :math:`\\Gamma_b`.

    :math:`\\psi(t) = \\prod_r \\psi_{tel}(t; v_r = Je^{-r/\\xi}, \\Gamma =
    \\Gamma_b)`, the product of :func:`telegraph_echo` over independent
    fluctuators (Eq. 9 with the exact factors), ``sides`` = 1 or 2 sides of a
    chain, every site active (:math:`s = 1`, so :math:`s\\xi^d = \\xi`).
    The l-bit's own flips are not included.  The factors are evaluated as one
    array over (coupling, time) in blocks and their logarithms summed in
    order of increasing coupling.

    Parameters
    ----------
    t : float or array_like
        Echo time(s) :math:`t \\ge 0`.
    J, xi, Gamma_b : float
        Nearest-neighbour coupling, localization length (lattice units) and
        flip rate, all :math:`> 0`.
    sides : {1, 2}
    cutoff : float
        See :func:`lattice_couplings`.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\psi(t) \\in [0, 1]` (0 where it underflows).

    Validity
    --------
    Exact for the model: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        As :func:`lattice_couplings` (more than :data:`MAX_SITES` sites), or
        if (number of distinct couplings) x (number of times) exceeds
        :data:`MAX_SITE_TIMES` (:math:`4\\times 10^6`, about 1.5 s); the message gives
        the largest ``xi`` that works for the given times.
    """
    J, xi, Gamma_b, sides, cutoff = _check_lattice(J, xi, Gamma_b, sides, cutoff)
    t = check_real("t", t, lo=0.0, lo_open=False)
    ta = np.asarray(t, dtype=float)
    out = np.exp(_lattice_log_echo(ta, J, xi, Gamma_b, sides, cutoff))
    return float(out.ravel()[0]) if np.ndim(t) == 0 else out


def _lattice_log_echo(ta, J, xi, Gamma_b, sides, cutoff):
    v = _couplings(J, xi, Gamma_b, sides, cutoff)
    values, counts = np.unique(v, return_counts=True)
    shape = ta.shape
    tflat = ta.ravel()
    if values.size * tflat.size > MAX_SITE_TIMES:
        _, log_ratio = _n_sites(J, xi, Gamma_b, cutoff)
        largest = (MAX_SITE_TIMES // tflat.size) / log_ratio if log_ratio > 0 else 0.0
        raise ValueError(
            f"xi = {xi!r} with {tflat.size} time(s) t needs {values.size} couplings x {tflat.size} times = "
            f"{values.size * tflat.size:.3g} echo factors, more than MAX_SITE_TIMES = {MAX_SITE_TIMES} per call "
            f"(about 1.5 s); the largest xi that works for these times is about {largest:.6g} (or pass fewer "
            "times, or raise cutoff)")
    # ln psi = sum_r count_r ln psi_tel(t; v_r), added in order of increasing v_r (as a loop over r would)
    total = np.zeros((1, tflat.size))
    rows = max(1, _CHUNK // max(1, tflat.size))
    for lo in range(0, values.size, rows):
        vals, cnt = values[lo:lo + rows], counts[lo:lo + rows]
        block = _log_echo(tflat[None, :], vals[:, None], Gamma_b)
        block = cnt[:, None] * block
        with np.errstate(over="ignore"):  # terms near -1.8e308 (Gamma_b t ~ 1e308): psi = 0 anyway
            total = np.cumsum(np.concatenate([total, block]), axis=0)[-1:]
    return total[0].reshape(shape)


def lattice_nfast(t, *, J, xi, Gamma_b, sides=1, cutoff=1e-12):
    """Effective number of fast neighbours :math:`-\\ln\\psi(t)/(\\Gamma_b t)` of :func:`lattice_echo`.

    The exact counterpart of :math:`n_{fast}(t)` in Eq. (10); times must be
    :math:`t > 0`.  Unlike the piecewise Eq. (11) it is smooth in :math:`t`
    (no branch and no tie at :math:`Jt = 1`).  Where :math:`\\Gamma_b t >
    10^{290}` it equals its late-time limit :func:`lattice_nfast_late` to
    double precision and that value is returned.

    Validity
    --------
    Exact for the model: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        As :func:`lattice_echo`, and for ``t <= 0``.
    """
    J, xi, Gamma_b, sides, cutoff = _check_lattice(J, xi, Gamma_b, sides, cutoff)
    t = check_real("t", t, lo=0.0)
    ta = np.asarray(t, dtype=float)
    log_psi = _lattice_log_echo(ta, J, xi, Gamma_b, sides, cutoff)
    with np.errstate(over="ignore", invalid="ignore"):
        gt = Gamma_b * ta
        out = -log_psi / gt
    late = ~(gt <= _LATE_GT) | ~np.isfinite(out)
    if np.any(late):
        out = np.where(late, _lattice_nfast_late(J, xi, Gamma_b, sides, cutoff), out)
    return float(out) if np.ndim(t) == 0 else out


def lattice_nfast_late(*, J, xi, Gamma_b, sides=1, cutoff=1e-12):
    """Late-time limit of :func:`lattice_nfast`: :math:`\\sum_r (\\Gamma - \\mathrm{Re}\\,\\mu_r)/\\Gamma_b`.

    Every neighbour with :math:`v_r \\ge \\Gamma_b` counts exactly 1, a
    weaker one :math:`1 - \\sqrt{1 - (v_r/\\Gamma_b)^2}`; compare with the
    third branch of Eq. (11), :math:`\\xi\\ln(J/\\Gamma_b)` (one side).

    Validity
    --------
    Exact for the model: no :class:`~nblm_helpers.parameters.ValidityWarning`.

    Raises
    ------
    ValueError
        As :func:`lattice_couplings` (more than :data:`MAX_SITES` sites).
    """
    J, xi, Gamma_b, sides, cutoff = _check_lattice(J, xi, Gamma_b, sides, cutoff)
    return _lattice_nfast_late(J, xi, Gamma_b, sides, cutoff)


def _lattice_nfast_late(J, xi, Gamma_b, sides, cutoff):
    v = _couplings(J, xi, Gamma_b, sides, cutoff)
    return float(np.sum(telegraph_late_rate(v=v, Gamma=Gamma_b)) / Gamma_b)
