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
states at rate** :math:`\\gamma`.  The flips are then a Poisson process of
rate :math:`\\gamma` and :math:`\\langle\\chi(t)\\chi(0)\\rangle =
e^{-2\\gamma|t|}`.  So :math:`v` is half the difference of the qubit
frequencies in the two fluctuator states.  For an l-bit, :math:`\\gamma =
\\Gamma_b` (the rate at which an l-bit flips) and :math:`v = J e^{-r/\\xi}`.

Hahn echo: a :math:`\\pi` pulse at :math:`t/2`, echo read at :math:`t`, so
the accumulated phase is :math:`\\varphi = v\\int_0^t s(t')\\chi(t')dt'`
with :math:`s = +1` before and :math:`-1` after the pulse, and the echo
signal is :math:`\\psi(t) = \\langle e^{i\\varphi}\\rangle` (real by symmetry).

Exact result (derived in the lineshape chapter from the 2x2 transfer
matrix :math:`e^{(Q \\mp ivZ)t/2}` of the telegraph process with the phase)

.. math::
    \\psi(t) = e^{-\\gamma t}\\left[\\frac{\\gamma^2}{\\mu^2}\\cosh\\mu t
    + \\frac{\\gamma}{\\mu}\\sinh\\mu t - \\frac{v^2}{\\mu^2}\\right],
    \\qquad \\mu = \\sqrt{\\gamma^2 - v^2},

continued analytically for :math:`v > \\gamma` (:math:`\\mu = i\\nu`:
cosh -> cos, sinh/mu -> sin/nu).  Limits: for :math:`v \\gg \\gamma`,
:math:`\\psi \\to e^{-\\gamma t}[1 + (\\gamma/v)\\sin vt]`, i.e. the probability
of no flip during the echo (Eq. 9, rate :math:`\\Gamma_b` per fast
neighbour in this convention; :math:`\\Gamma_b/2` if :math:`\\Gamma_b` denoted
the total switching rate with each state left at :math:`\\Gamma_b/2`); for
:math:`v \\ll \\gamma`, motional narrowing :math:`\\psi \\to
e^{-v^2 t/(2\\gamma)}` at :math:`\\gamma t \\gg 1`.

Energies and rates share one unit (:math:`\\Gamma_b = 1` in the chapter),
times are in its inverse.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import expm

from .parameters import check_positive, check_positive_int, check_real

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


def _check_vg(v, gamma):
    v = float(check_real("v", v, lo=0.0, lo_open=False))
    gamma = float(check_positive("gamma", gamma))
    return v, gamma


def _check_t(t):
    t = check_real("t", t, lo=0.0, lo_open=False)
    return np.asarray(t, dtype=float), np.ndim(t) == 0


def _sh1_ch1(z):
    """sinh(sqrt z)/sqrt z and (cosh(sqrt z) - 1)/z, entire in z = (mu t)^2 (any sign)."""
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


def telegraph_echo(t, *, v, gamma):
    """Exact Hahn-echo signal of a qubit coupled to one telegraph fluctuator.

    .. math::
        \\psi(t) = e^{-\\gamma t}\\left[1 + \\gamma^2\\frac{\\cosh\\mu t - 1}{\\mu^2}
        + \\gamma\\frac{\\sinh\\mu t}{\\mu}\\right], \\qquad \\mu^2 = \\gamma^2 - v^2,

    (equal to the form in the module docstring) evaluated through entire
    functions of :math:`(\\mu t)^2`, so that :math:`v < \\gamma`, :math:`v =
    \\gamma` and :math:`v > \\gamma` are all accurate; for :math:`v < \\gamma`
    and :math:`\\mu t \\ge 1` the growing exponentials are combined with
    :math:`e^{-\\gamma t}` first (no overflow, no cancellation in
    :math:`\\gamma - \\mu = v^2/(\\gamma + \\mu)`).

    Parameters
    ----------
    t : float or array_like
        Total echo time :math:`t \\ge 0` (:math:`\\pi` pulse at :math:`t/2`).
    v : float
        Coupling :math:`v \\ge 0`: the qubit frequency is :math:`\\omega_0 \\pm v`.
    gamma : float
        Rate :math:`\\gamma > 0` at which the fluctuator leaves each state.

    Returns
    -------
    float or numpy.ndarray
        :math:`\\psi(t) \\in (0, 1]`, same shape as ``t``.
    """
    v, gamma = _check_vg(v, gamma)
    ta, scalar = _check_t(t)
    out = np.exp(_telegraph_log_echo(ta, v, gamma))
    return float(out.ravel()[0]) if scalar else out


def _telegraph_log_echo(ta, v, gamma):
    """ln psi of :func:`telegraph_echo` (no underflow at long times)."""
    ta = np.asarray(ta, dtype=float)
    mu2 = (gamma - v) * (gamma + v)
    z = mu2 * ta ** 2
    out = np.empty_like(ta)
    grow = z >= 1.0
    # mu real, mu t >= 1: psi = e^{-(g-mu)t} [ (c1+c2)/2 + (c1-c2)/2 e^{-2 mu t} - v^2/mu^2 e^{-mu t} ]
    # with c1 = g^2/mu^2, c2 = g/mu, and g - mu = v^2/(g + mu) (no cancellation for v << g)
    if np.any(grow):
        mu = math.sqrt(mu2)
        tg = ta[grow]
        c1, c2 = gamma * gamma / mu2, gamma / mu
        bracket = 0.5 * (c1 + c2) + 0.5 * (c1 - c2) * np.exp(-2 * mu * tg) - v * v / mu2 * np.exp(-mu * tg)
        out[grow] = -v * v / (gamma + mu) * tg + np.log(bracket)
    rest = ~grow
    if np.any(rest):
        tr = ta[rest]
        sh1, ch1 = _sh1_ch1(z[rest])
        out[rest] = -gamma * tr + np.log1p((gamma * tr) ** 2 * ch1 + gamma * tr * sh1)
    return out


def telegraph_echo_expm(t, *, v, gamma):
    """Same echo from the transfer matrix, :func:`scipy.linalg.expm` (independent check).

    With :math:`f_\\sigma(t) = \\langle e^{i\\varphi(t)};\\ \\chi(t) = \\sigma\\rangle`,
    :math:`\\dot f = (Q + i s(t) v Z) f`, :math:`Q = \\gamma\\begin{pmatrix}-1&1\\\\1&-1
    \\end{pmatrix}`, :math:`Z = \\mathrm{diag}(1, -1)`, :math:`f(0) = (1/2, 1/2)`, so

    .. math:: \\psi(t) = (1, 1)\\, e^{(Q - ivZ)t/2}\\, e^{(Q + ivZ)t/2}\\, (1/2, 1/2)^T .

    Parameters and return value as in :func:`telegraph_echo`.
    """
    v, gamma = _check_vg(v, gamma)
    ta, scalar = _check_t(t)
    Q = gamma * np.array([[-1.0, 1.0], [1.0, -1.0]])
    Z = np.diag([1.0, -1.0])
    ones, p0 = np.ones(2), np.full(2, 0.5)
    out = np.empty(ta.size)
    for i, ti in enumerate(ta.ravel()):
        first = expm((Q + 1j * v * Z) * (ti / 2))
        second = expm((Q - 1j * v * Z) * (ti / 2))
        out[i] = (ones @ second @ first @ p0).real
    return float(out[0]) if scalar else out.reshape(np.shape(t))


def telegraph_echo_mc(t, *, v, gamma, n_samples=20000, seed=0, max_flips=None):
    """Monte-Carlo estimate of the echo: simulate telegraph noise and average :math:`\\cos\\varphi`.

    Each sample draws the initial state :math:`\\pm 1` with probability 1/2
    and exponential waiting times of rate :math:`\\gamma` (the flips are a
    Poisson process), and integrates the echo phase
    :math:`\\varphi = v\\int_0^t s(t')\\chi(t')\\,dt'` exactly (piecewise
    constant :math:`\\chi`); everything is vectorised over samples.

    Parameters
    ----------
    t : float or array_like
        Echo time(s) :math:`t \\ge 0`.
    v, gamma : float
        As in :func:`telegraph_echo`.
    n_samples : int
        Number of noise realisations per time.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    max_flips : int, optional
        Waiting times drawn per sample (default: enough that a sample with
        more flips has probability below :math:`10^{-12}`; checked).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Mean of :math:`\\cos\\varphi` and its standard error, each of shape
        ``np.shape(t)`` (0-d arrays for scalar ``t``).
    """
    v, gamma = _check_vg(v, gamma)
    ta, _ = _check_t(t)
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    t_max = float(ta.max())
    lam = gamma * t_max
    if max_flips is None:
        max_flips = int(math.ceil(lam + 8 * math.sqrt(lam) + 30))
    max_flips = check_positive_int("max_flips", max_flips)
    waits = rng.exponential(1.0 / gamma, size=(n_samples, max_flips))
    flips = np.cumsum(waits, axis=1)
    if np.any(flips[:, -1] <= t_max):
        raise ValueError(f"max_flips={max_flips} too small for gamma*t = {lam:g}; increase it")
    chi0 = rng.choice(np.array([-1.0, 1.0]), size=n_samples)
    # segment k runs from flips[k-1] (0 for k = 0) to flips[k], with chi = chi0 (-1)^k
    edges = np.concatenate([np.zeros((n_samples, 1)), flips], axis=1)
    signs = (-1.0) ** np.arange(max_flips)
    means = np.empty(ta.size)
    errs = np.empty(ta.size)
    for i, ti in enumerate(ta.ravel()):
        # F(u) = int_0^u s dt' with s = +1 on [0, t/2), -1 on [t/2, t]; F(t) = 0
        u = np.minimum(edges, ti)
        F = np.where(u <= ti / 2, u, ti - u)
        phase = v * chi0 * np.sum(signs[None, :] * np.diff(F, axis=1), axis=1)
        c = np.cos(phase)
        means[i] = c.mean()
        errs[i] = c.std(ddof=1) / math.sqrt(n_samples)
    shape = np.shape(t)
    return means.reshape(shape), errs.reshape(shape)


def telegraph_late_rate(*, v, gamma):
    """Late-time decay rate of :func:`telegraph_echo`: :math:`\\gamma - \\mathrm{Re}\\,\\mu`.

    :math:`\\gamma` for :math:`v \\ge \\gamma` (strong coupling: any flip
    destroys the echo), :math:`\\gamma - \\sqrt{\\gamma^2 - v^2} = v^2/(\\gamma +
    \\mu)` for :math:`v < \\gamma` (motional narrowing, :math:`\\approx
    v^2/2\\gamma`).  Accepts an array ``v``.
    """
    gamma = float(check_positive("gamma", gamma))
    va = check_real("v", v, lo=0.0, lo_open=False)
    x = np.asarray(va, dtype=float)
    mu = np.sqrt(np.clip(gamma * gamma - x * x, 0.0, None))
    out = np.where(x >= gamma, gamma, x * x / (gamma + mu))
    return float(out) if np.ndim(va) == 0 else out


def lattice_couplings(*, J, xi, gamma_b, sides=1, cutoff=1e-12):
    """Couplings :math:`v_r = J e^{-r/\\xi}`, :math:`r = 1, 2, \\dots`, of a 1D chain of fluctuators.

    Sites are kept while :math:`v_r \\ge` ``cutoff`` :math:`\\times\\Gamma_b`
    (the neglected ones change :math:`\\ln\\psi` by less than
    :math:`\\sim \\mathrm{cutoff}^2\\,\\Gamma_b t`).  ``sides=2`` repeats each
    distance for :math:`\\pm r`.

    Returns
    -------
    numpy.ndarray
        The couplings, one per fluctuator.
    """
    J = float(check_positive("J", J))
    xi = float(check_positive("xi", xi))
    gamma_b = float(check_positive("gamma_b", gamma_b))
    if sides not in (1, 2):
        raise ValueError(f"sides must be 1 (one side of the l-bit) or 2 (both sides); got {sides!r}")
    cutoff = float(check_real("cutoff", cutoff, lo=0.0, hi=1.0))
    r_max = max(1, int(math.floor(xi * math.log(J / (cutoff * gamma_b)))))
    v = J * np.exp(-np.arange(1, r_max + 1) / xi)
    return np.repeat(v, sides)


def lattice_echo(t, *, J, xi, gamma_b, sides=1, cutoff=1e-12):
    """Exact echo of an l-bit whose chain neighbours all flip at rate :math:`\\Gamma_b`.

    :math:`\\psi(t) = \\prod_r \\psi_{tel}(t; v_r = Je^{-r/\\xi}, \\gamma =
    \\Gamma_b)`, the product of :func:`telegraph_echo` over independent
    fluctuators (Eq. 9 with the exact factors), ``sides`` = 1 or 2 sides of a
    chain, every site active (:math:`s = 1`, so :math:`s\\xi^d = \\xi`).
    The l-bit's own flips are not included.

    Parameters
    ----------
    t : float or array_like
        Echo time(s) :math:`t \\ge 0`.
    J, xi, gamma_b : float
        Nearest-neighbour coupling, localization length (lattice units) and
        flip rate, all :math:`> 0`.
    sides : {1, 2}
    cutoff : float
        See :func:`lattice_couplings`.
    """
    ta, scalar = _check_t(t)
    out = np.exp(_lattice_log_echo(ta, J, xi, gamma_b, sides, cutoff))
    return float(out.ravel()[0]) if scalar else out


def _lattice_log_echo(ta, J, xi, gamma_b, sides, cutoff):
    v = lattice_couplings(J=J, xi=xi, gamma_b=gamma_b, sides=sides, cutoff=cutoff)
    log_psi = np.zeros_like(ta)
    values, counts = np.unique(v, return_counts=True)
    for vr, count in zip(values, counts):
        log_psi += count * _telegraph_log_echo(ta, float(vr), float(gamma_b))
    return log_psi


def lattice_nfast(t, *, J, xi, gamma_b, sides=1, cutoff=1e-12):
    """Effective number of fast neighbours :math:`-\\ln\\psi(t)/(\\Gamma_b t)` of :func:`lattice_echo`.

    The exact counterpart of :math:`n_{fast}(t)` in Eq. (10); times must be
    :math:`t > 0`.
    """
    t = check_real("t", t, lo=0.0)
    ta = np.asarray(t, dtype=float)
    lattice_couplings(J=J, xi=xi, gamma_b=gamma_b, sides=sides, cutoff=cutoff)  # validates
    out = -_lattice_log_echo(ta, float(J), float(xi), float(gamma_b), sides, cutoff) / (float(gamma_b) * ta)
    return float(out) if np.ndim(t) == 0 else out


def lattice_nfast_late(*, J, xi, gamma_b, sides=1, cutoff=1e-12):
    """Late-time limit of :func:`lattice_nfast`: :math:`\\sum_r (\\gamma - \\mathrm{Re}\\,\\mu_r)/\\Gamma_b`.

    Every neighbour with :math:`v_r \\ge \\Gamma_b` counts exactly 1, a
    weaker one :math:`1 - \\sqrt{1 - (v_r/\\Gamma_b)^2}`; compare with the
    third branch of Eq. (11), :math:`\\xi\\ln(J/\\Gamma_b)` (one side).
    """
    v = lattice_couplings(J=J, xi=xi, gamma_b=gamma_b, sides=sides, cutoff=cutoff)
    return float(np.sum(telegraph_late_rate(v=v, gamma=gamma_b)) / float(gamma_b))
