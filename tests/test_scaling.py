"""Tests of nblm_helpers.scaling (fits of -1/ln Gamma = A (Xi - Xi_c)^beta)."""

import numpy as np
import pytest

from nblm_helpers.scaling import critical_model, fit_critical_power_law, fit_windows, local_exponent

TRUE = dict(A=0.8, beta=1 / 3, x_c=0.43)
X = TRUE["x_c"] + np.logspace(-4, -1, 40)


def _data(noise=0.0, seed=0):
    y = critical_model(X, **TRUE)
    if noise:
        y = y * np.exp(np.random.default_rng(seed).normal(0.0, noise, X.size))
    return y


@pytest.mark.parametrize("space", ["log", "linear"])
def test_exact_data_recovered_free_and_fixed(space):
    y = _data()
    free = fit_critical_power_law(X, y, x_c_guess=0.42, space=space)
    assert free.success and not free.x_c_fixed
    assert free.beta == pytest.approx(TRUE["beta"], rel=1e-6)
    assert free.A == pytest.approx(TRUE["A"], rel=1e-5)
    assert free.x_c == pytest.approx(TRUE["x_c"], abs=1e-9)
    assert free.rms < 1e-8
    fixed = fit_critical_power_law(X, y, x_c=TRUE["x_c"], space=space)
    assert fixed.x_c_fixed and fixed.stderr["x_c"] == 0.0
    assert fixed.beta == pytest.approx(TRUE["beta"], rel=1e-9)
    assert fixed.A == pytest.approx(TRUE["A"], rel=1e-9)
    np.testing.assert_allclose(fixed.predict(X), y, rtol=1e-9)


def test_noisy_data_within_errors():
    noise = 0.02
    pulls = []
    for seed in range(20):
        y = _data(noise, seed)
        f = fit_critical_power_law(X, y, x_c=TRUE["x_c"])
        pulls.append((f.beta - TRUE["beta"]) / f.stderr["beta"])
        g = fit_critical_power_law(X, y, x_c_guess=0.425)
        assert abs(g.beta - TRUE["beta"]) < 5 * g.stderr["beta"] + 1e-3
        assert abs(g.x_c - TRUE["x_c"]) < 5 * g.stderr["x_c"] + 1e-6
    pulls = np.array(pulls)
    assert np.all(np.abs(pulls) < 4)
    assert 0.4 < np.std(pulls) < 1.8  # standard errors have the right size
    # stderr with the known sigma, absolute
    f = fit_critical_power_law(X, _data(noise, 99), x_c=TRUE["x_c"], sigma=noise, absolute_sigma=True)
    assert f.stderr["beta"] == pytest.approx(
        fit_critical_power_law(X, _data(noise, 99), x_c=TRUE["x_c"]).stderr["beta"], rel=0.5
    )
    assert f.residuals.shape == X.shape and f.dof == X.size - 2


def test_windows_and_local_exponent():
    y = _data()
    res = fit_windows(X, y, [(1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1), (0.5, 0.6)], x_ref=TRUE["x_c"],
                      x_c=TRUE["x_c"])
    assert res[-1][1] is None
    for _w, f in res[:-1]:
        assert f.beta == pytest.approx(TRUE["beta"], rel=1e-8)
    np.testing.assert_allclose(local_exponent(X, y, TRUE["x_c"]), TRUE["beta"], rtol=1e-8)
    # a logarithmic approach has a drifting local exponent 1/|ln dx|
    dx = np.logspace(-8, -2, 30)
    le = local_exponent(0.0 + dx, 1.0 / np.abs(np.log(dx)), 0.0)
    np.testing.assert_allclose(le, 1.0 / np.abs(np.log(dx)), rtol=0.05)


@pytest.mark.parametrize(
    "kwargs,msg",
    [
        (dict(x=[1, 2, 3], y=[1, 2]), "equal length"),
        (dict(x=[1, 2, 3, 4], y=[1, -2, 3, 4]), "y must be > 0"),
        (dict(x=[1, 2, 3, 4], y=[1, 2, 3, 4], x_c=1.5), "x_c"),
        (dict(x=[1, 2, 3], y=[1, 2, 3]), "more than 3 points"),
        (dict(x=[1, 2, 3, 4], y=[1, 2, 3, 4], space="lin"), "space"),
        (dict(x=[1, 2, 3, 4], y=[1, 2, 3, 4], sigma=0.0), "sigma"),
        (dict(x=[1, 2, np.nan, 4], y=[1, 2, 3, 4]), "finite"),
        (dict(x=[1, 2, 3, 4], y=[1, 2, 3, 4], beta_guess=-1), "beta_guess"),
    ],
)
def test_bad_input(kwargs, msg):
    kw = dict(kwargs)
    x, y = kw.pop("x"), kw.pop("y")
    with pytest.raises(ValueError, match=msg):
        fit_critical_power_law(x, y, **kw)


# ---------------------------------------------------------------- regressions of the "Hardening" issue


def test_regression_constant_y_is_refused():
    # returned beta = 1e-6 (its bound) and x_c = -3807 for y = const
    with pytest.raises(ValueError, match="^y is constant"):
        fit_critical_power_law([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="^y is constant"):
        fit_windows([1.0, 2.0, 3.0, 4.0, 5.0], [2.0] * 5, [(0.0, 10.0)], x_ref=0.0)
    with pytest.raises(ValueError, match="at least 3 distinct values"):
        fit_critical_power_law([1.0, 1.0, 2.0, 2.0], [1.0, 2.0, 3.0, 4.0])


def test_regression_critical_model_is_zero_below_x_c():
    # NaN for x <= x_c; now 0 = -1/ln(Gamma = 0), the localized side
    np.testing.assert_array_equal(critical_model([0.2, 0.43, 0.44], **TRUE)[:2], [0.0, 0.0])
    assert critical_model(2.0, A=0.0, beta=50.0, x_c=-1e300) == 0.0      # 0 * inf gave NaN
    with pytest.raises(ValueError, match="^x_c must be"):
        critical_model([1.0], 1.0, 0.5, "a")


@pytest.mark.parametrize("kwargs, name", [
    (dict(x_c=10**400), "x_c"),              # float(x_c): OverflowError
    (dict(x_c_guess="a"), "x_c_guess"),      # float(x_c_guess): unnamed ValueError
    (dict(beta_guess="a"), "beta_guess"),    # "a" > 0: TypeError
    (dict(sigma=[1.0, 2.0]), "sigma"),       # broadcast_to: unnamed ValueError
    (dict(space=["log"]), "space"),          # unhashable in a tuple test: worked by accident
])
def test_regression_fit_arguments_are_validated(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        fit_critical_power_law([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0], **kwargs)


def test_regression_windows_and_local_exponent_inputs():
    x, y = [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 5.0, 6.0]
    with pytest.raises(ValueError, match="^windows must be a sequence"):
        fit_windows(x, y, 5, x_ref=0.0)                                   # TypeError: int not iterable
    with pytest.raises(ValueError, match="^x_ref must be"):
        fit_windows(x, y, [(0.0, 10.0)], x_ref="a")                      # UFuncTypeError
    with pytest.raises(ValueError, match="^x_c must be"):
        local_exponent([1.0, 2.0], [1.0, 1.0], "a")                      # TypeError in x <= x_c
    with pytest.raises(ValueError, match="finite slope"):
        local_exponent([1e300, 1.7e308], [1.0, 2.0], -1.7e308)           # x - x_c overflowed: slope 0


def test_regression_nearly_flat_data_stop_within_the_evaluation_budget():
    # nearly constant y with x_c free ran ~20000 least-squares evaluations (~5 s); the fit now
    # stops at 2000 and says so through success=False
    fit = fit_critical_power_law(np.array([0.001, 0.01, 0.1, 1.0]), np.array([0.96, 0.962, 0.957, 1.0]))
    assert not fit.success
    assert np.isfinite(fit.beta) and np.isfinite(fit.x_c)
