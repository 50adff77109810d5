"""Named regression tests for the defects of the hardening issue (each reproduced before the fix).

Every call runs in the resource-limited worker of ``tests/sandbox.py`` (2 GiB of
address space, 5 s), so a regression fails one test instead of hanging or
killing the session.  Each test states what the call must do now: answer
(``ok``, possibly with a ``ValidityWarning``) or refuse with a ``ValueError``
that names the parameter.
"""

from __future__ import annotations

import math

import pytest

from sandbox import Sandbox

LIMIT_S = 5.0
MF = "nblm_helpers.meanfield"


@pytest.fixture(scope="module")
def sb():
    with Sandbox(timeout=LIMIT_S) as box:
        yield box


def _call(sb, target, *args, **kwargs):
    out = sb.call(target, args, kwargs)
    assert out.kind in ("ok", "ValueError"), f"{target}{args}{kwargs}: {out.summary()}"
    assert out.elapsed < LIMIT_S, out.summary()
    assert not out.nan_paths, out.summary()
    stray = [w for w in out.warnings if w[0] != "ValidityWarning"]
    assert not stray, out.summary()
    return out


def _answers(sb, target, *args, **kwargs):
    out = _call(sb, target, *args, **kwargs)
    assert out.kind == "ok", out.summary()
    return out


def _refuses(sb, name, target, *args, **kwargs):
    out = _call(sb, target, *args, **kwargs)
    assert out.kind == "ValueError", out.summary()
    assert name in out.exc_message, out.summary()
    return out


BASE = dict(gamma=0.1, K=3, N=10, s=0.5)


# --- solve_linewidth(equation="E3"/"E2") past the float range of K^(2 N eps) -----------------


@pytest.mark.parametrize("equation", ["E3", "E2", "E1"])
@pytest.mark.parametrize("eps", [0.5, 0.01, -0.5])
def test_regression_e3_e2_past_the_float_range_answer(sb, equation, eps):
    # K = 3, eps = 0.5, N >= 340 used to hang (the scan's F - 1 was capped at e^700, so the
    # derivative bound never excluded a cell and the cells split until memory ran out)
    _answers(sb, f"{MF}:solve_linewidth", eps=eps, **{**BASE, "N": 340}, equation=equation)
    _answers(sb, f"{MF}:solve_linewidth", eps=eps, **{**BASE, "K": 10, "N": 160}, equation=equation)
    _answers(sb, f"{MF}:solve_linewidth", eps=eps, **{**BASE, "N": 3000}, equation=equation)


def test_regression_e3_huge_n_is_refused_naming_n(sb):
    out = _refuses(sb, "N", f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "N": 10**9}, equation="E3")
    assert "N must be <= 3695" in out.exc_message


def test_regression_eq19_n_1e9_answers(sb):
    out = _answers(sb, f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "N": 10**9})
    assert "root" in out.result_repr


# --- memory: the square sum with a huge N, K close to 1 ---------------------------------------


def test_regression_square_sum_huge_n(sb):
    # N = 10**6 allocated (2N, 41) float arrays and died with MemoryError
    out = _refuses(sb, "N", f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "N": 10**6}, sum_range="square")
    assert "20000" in out.exc_message
    _answers(sb, f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "N": 20000}, sum_range="square")


def test_regression_k_close_to_one(sb):
    # K = 1.0000001 tried to allocate 1.3 GiB (the crossover band holds ~25/ln K terms)
    out = _refuses(sb, "K", f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "K": 1.0000001})
    assert "K must be >= 1.00013" in out.exc_message
    _answers(sb, f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "K": 1.0002})
    # the square sum is short enough at N = 10 for any K > 1
    _answers(sb, f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "K": 1 + 1e-9}, sum_range="square")


# --- tiny gamma --------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [1e-160, 1e-200, 1e-300])
def test_regression_tiny_gamma(sb, gamma):
    # gamma**2 underflowed to 0 in the scan's lower end: bare ZeroDivisionError
    out = _answers(sb, f"{MF}:solve_linewidth", eps=0.5, **{**BASE, "gamma": gamma})
    assert "root" in out.result_repr
    # at eps = 0 the root lies near ln Gamma ~ -gamma^(-2/3): beyond the 1e7 orders summed, refused
    # by name (this path builds the 1e7-term table first: ~1.5 s alone, more on a loaded machine)
    out = sb.call(f"{MF}:solve_linewidth", (), dict(eps=0.0, **{**BASE, "gamma": gamma}), timeout=15.0)
    assert out.kind == "ValueError" and "gamma" in out.exc_message, out.summary()


def test_regression_critical_eps_tiny_gamma_is_finite_and_on_the_boundary():
    # critical_eps(gamma=1e-300) silently returned NaN (the bracket search stopped at eps = -6e-64)
    from nblm_helpers import meanfield

    for g in (1e-300, 1e-100, 1e-20):
        ec = meanfield.critical_eps(gamma=g, K=3, N=10, s=0.5)
        assert math.isfinite(ec) and ec < 0
        assert abs(meanfield.ln_F_zero(eps=ec, gamma=g, K=3, N=10, s=0.5)[0]) < 1e-9


# --- the saddle point outside (C6)/(C7) ----------------------------------------------------------


def test_regression_saddle_point_outside_c6_c7_warns(sb):
    out = _answers(sb, "nblm_helpers.saddle_point:saddle_point_ln_linewidth", eps=0.2, **BASE)
    assert any(w[0] == "ValidityWarning" for w in out.warnings), out.summary()


def test_regression_saddle_point_eps_not_positive_is_not_silent(sb):
    out = _call(sb, "nblm_helpers.saddle_point:saddle_point_ln_linewidth", eps=-0.2, **BASE)
    if out.kind == "ok":
        assert any(w[0] == "ValidityWarning" for w in out.warnings), out.summary()
    else:
        assert "eps" in out.exc_message


# --- the tie gamma t = 1 of Eq. (20) ----------------------------------------------------------------


def test_regression_nfast_tie_takes_the_first_branch():
    from nblm_helpers import meanfield

    g = math.exp(-math.log(3) / 0.5)  # = 1/9 to rounding: gamma K^2 = 1 for K = 3
    assert meanfield.n_fast(2.0, gamma=0.5, Gamma=1e-4, s=0.5, N=10) == 1.0
    kw = dict(gamma=g, eps=-1.0, K=3, N=10, s=0.5)
    lit = meanfield.ln_F_zero_table(**kw)
    cont = meanfield.ln_F_zero_table(**kw, nfast="continuous")
    assert lit == cont  # both give n_fast = 1 for the m = 2 term at gamma K^2 = 1
    above = meanfield.ln_F_zero_table(**{**kw, "gamma": g * (1 + 1e-12)})
    assert above < lit - 0.1  # just above the tie the literal m = 2 term has n_fast -> 0


# --- found by the fuzz suite ----------------------------------------------------------------------


def test_regression_huge_xi_is_not_eps_one(sb):
    # Xi = 1e100 made eps round to exactly 1.0, where every term of Eq. 19 grows: the solver
    # exhausted the machine's memory.  eps_from_Xi now stays below 1.
    out = _answers(sb, f"{MF}:solve_linewidth", Xi=1e100, gamma=0.135, K=19.17, N=10000, s=0.5, d=3, warn=False)
    assert "above_gamma" in out.result_repr


def test_regression_solve_linewidth_point_limit(sb):
    # 1e5 points took ~6 s, 1e6 more than a minute
    import numpy as np

    _refuses(sb, "eps", f"{MF}:solve_linewidth", eps=np.linspace(0.01, 0.9, 10**5), **BASE, warn=False)


def test_regression_eq23_edge_outside_everywhere_and_huge_f0(sb):
    # the square-sum boundary outside Eq. (23) for every eps pushed eps to 1 (a ValueError naming
    # eps, which the call never passed); E3's F0 - 1 overflowed in expm1 at gamma = 1e300
    out = _answers(sb, f"{MF}:critical_coupling_eq23_edge", K=1.05, N=1, s=0.01, sum_range="square")
    _answers(sb, f"{MF}:critical_eps", gamma=1e300, K=2.0, N=1, s=1.0, equation="E3")
    assert out.result_repr


@pytest.mark.parametrize("call", [
    # continuous n_fast with tiny s N: n_fast stays 1 up to order ~(sN)^(-1/d)/ln K (OverflowError before)
    dict(target="ln_F_zero", kw=dict(eps=-1.0, gamma=0.1, K=3.0, N=1, s=1e-30, nfast="continuous"), name="s N"),
    dict(target="solve_linewidth", kw=dict(Xi=1.0, gamma=1e-4, K=1.05, N=1, s=1e-300, nfast="continuous"),
         name="s N"),
    # K near 1 with tiny gamma: ~ln(1/gamma)/ln K head terms on every evaluation (22 s at K = 1.001)
    dict(target="critical_eps", kw=dict(gamma=1e-300, K=1.001, N=3, s=0.5), name="gamma"),
    dict(target="critical_eps", kw=dict(gamma=1e-30, K=3.0, N=1, s=1e-12, d=2, nfast="continuous"), name="gamma"),
    dict(target="eps_at_linewidth", kw=dict(ln_Gamma=-1e7, gamma=0.1, K=3.0, N=10, s=0.5), name="ln_Gamma"),
], ids=lambda c: c["target"])
def test_regression_fuzz_found_work_limits(sb, call):
    _refuses(sb, call["name"], f"{MF}:{call['target']}", **call["kw"])


def test_regression_fuzz_found_answers(sb):
    import numpy as np

    # gamma > 1 sent the scan's lower end up, into log(negative): "cannot convert float NaN to integer"
    _answers(sb, f"{MF}:solve_linewidth", eps=0.5, gamma=1e6, K=3.0, N=10, s=1.0)
    # a chunk whose heads are all empty reduced an empty array
    _answers(sb, f"{MF}:critical_eps", gamma=np.array([0.999, 1e300]), K=1.01, N=1, s=0.01, d=3)
    # shapes that do not broadcast: the message names them
    _refuses(sb, "Gamma", f"{MF}:n_fast", np.array([1.0, 2.0, 3.0]), gamma=1.0, Gamma=np.array([0.1, 0.2]),
             s=0.5, N=10)


def test_regression_eps_just_below_zero_starts_the_scan_near_the_root(sb):
    # eps = -1e-12: the lower scan end came from where the tail of F0 converges (~1/|eps| orders),
    # so each point built a 1e7-order table: 1-2 s per point, > 5 s for three
    import numpy as np

    out = _answers(sb, f"{MF}:solve_linewidth", eps=-1e-12, gamma=np.array([0.0224, 1.0, 0.00058]), K=8.68,
                   N=54, s=0.5, d=2, nfast="continuous", warn=False)
    assert "root" in out.result_repr


def test_regression_literal_boundary_crossing_right_at_a_drop_point(sb):
    # with the tie in Eq. 20's first branch F0 is left-continuous at gamma = K^-m; the bracket
    # was tested 1e-13 left of each node, so a crossing between there and the node left no sign
    # change ("internal error: critical coupling bracket has no sign change")
    _answers(sb, f"{MF}:critical_coupling_eq23_edge", K=1.05, N=1000000, s=0.001, d=4)


def test_regression_bath_lineshape_in_logs(sb):
    # Gamma n_fast overflowed (NaN); 1/omega overflowed for omega ~ 1e-320 (a ValueError naming t)
    _answers(sb, f"{MF}:bath_lineshape", 1.0, Gamma=5e299, gamma=1e300, s=1.0, N=10**9)
    out = _answers(sb, f"{MF}:bath_lineshape", 1e-320, Gamma=1e-3, gamma=0.1, s=0.5, N=10)
    assert not out.inf_paths


def test_regression_critical_xi_e3_large_n_is_refused(sb):
    # ~100 E3 solves (the bistable grid and its bisection) at N = 10000 took far beyond 5 s
    _refuses(sb, "N", f"{MF}:critical_Xi", gamma=0.0096, K=1.05, N=10000, s=0.17, equation="E3",
             sum_range="square", nfast="continuous")
    _answers(sb, f"{MF}:critical_Xi", gamma=0.0096, K=1.05, N=1000, s=0.17, equation="E3")


def test_regression_tiny_gamma_and_tiny_s_at_eps_zero(sb):
    # sqrt(2 / (gamma^2 s N)) overflowed math.exp (bare OverflowError) for gamma = s = 1e-300
    _refuses(sb, "gamma", f"{MF}:solve_linewidth", eps=0.0, gamma=1e-300, K=3.0, N=1, s=1e-300, d=2)


def test_regression_c4_brentq_non_convergence_falls_back_to_bisection(sb):
    # brentq gave up after 500 iterations on a bracket spanning hundreds of decades (bare RuntimeError)
    _answers(sb, "nblm_helpers.saddle_point:saddle_point_ln_linewidth_C4", eps=5e-324, gamma=1e-100, K=2.0, N=1,
             s=1.0)
