"""arrays.fraction_crossing: where a metallic-fraction curve first rises through a level."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nblm_helpers import arrays
from nblm_helpers.arrays import fraction_crossing
from nblm_helpers.parameters import ValidityWarning

EPS = np.array([-0.3, -0.2, -0.1, 0.0])


def test_linear_interpolation_between_grid_points():
    assert fraction_crossing(EPS, [0.0, 0.2, 0.6, 1.0]) == pytest.approx(-0.2 + 0.75 * 0.1, abs=1e-15)
    assert fraction_crossing(EPS, [0.0, 0.2, 0.6, 1.0], level=0.2) == pytest.approx(-0.2, abs=1e-15)
    assert fraction_crossing(EPS, [0.0, 0.2, 0.6, 1.0], level=0.8) == pytest.approx(-0.05, abs=1e-15)


def test_first_rise_not_a_later_one_and_rows_apart():
    f = np.array([[0.0, 0.7, 0.1, 0.9],      # rises at the first interval, falls, rises again
                  [0.0, 0.0, 0.0, 1.0]])     # a step
    out = fraction_crossing(EPS, f)
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    assert out[0] == pytest.approx(-0.3 + 0.1 * 0.5 / 0.7, abs=1e-15)
    assert out[1] == pytest.approx(-0.05, abs=1e-15)
    assert isinstance(fraction_crossing(EPS, f[1]), float)


def test_agrees_with_np_interp_on_a_monotone_curve():
    rng = np.random.default_rng(16)
    e = np.sort(rng.uniform(-1, 0, 20))
    f = np.sort(rng.uniform(0, 1, 20))
    f[0], f[-1] = 0.0, 1.0
    for level in (0.1, 0.5, 0.9):
        assert fraction_crossing(e, f, level=level) == pytest.approx(np.interp(level, f, e), abs=1e-12)


def test_edges_warn_and_return_bounds():
    with pytest.warns(ValidityWarning, match="at or below eps"):
        assert fraction_crossing(EPS, [0.5, 0.6, 0.7, 1.0]) == EPS[0]
    with pytest.warns(ValidityWarning, match="beyond eps"):
        assert fraction_crossing(EPS, [0.0, 0.1, 0.2, 0.3]) == math.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fraction_crossing(EPS, [0.0, 0.1, 0.2, 0.5])   # reaching the level exactly at the last point: no warning


def test_on_an_array_curve_the_step_of_equal_dots_brackets_the_floor_crossing():
    """Equal dots switch at eps_floor (FractionCurve.eps_floor): the crossing lies in the grid interval around it."""
    e = np.linspace(-0.3, 0.0, 7)
    fc = arrays.metallic_fraction_curve(eps=e, seeds=[0], shape=(6, 6), gamma=0.1, K=3.0, N=10, s=0.5)
    x = fraction_crossing(fc.eps, fc.fraction[0])
    j = np.searchsorted(e, fc.eps_floor)
    assert e[j - 1] <= x <= e[j]


@pytest.mark.parametrize("kw, name", [
    (dict(eps=[0.1], fraction=[0.5]), "eps"),
    (dict(eps=[0.2, 0.1], fraction=[0.0, 1.0]), "eps"),
    (dict(eps=[0.1, 0.1], fraction=[0.0, 1.0]), "eps"),
    (dict(eps=[0.1, np.nan], fraction=[0.0, 1.0]), "eps"),
    (dict(eps="x", fraction=[0.0, 1.0]), "eps"),
    (dict(eps=[0.1, 0.2], fraction=[0.0, 1.5]), "fraction"),
    (dict(eps=[0.1, 0.2], fraction=[0.0, np.nan]), "fraction"),
    (dict(eps=[0.1, 0.2], fraction=[0.0, 0.5, 1.0]), "fraction"),
    (dict(eps=[0.1, 0.2], fraction=np.zeros((2, 2, 2))), "fraction"),
    (dict(eps=[0.1, 0.2], fraction=[0.0, 1.0], level=0.0), "level"),
    (dict(eps=[0.1, 0.2], fraction=[0.0, 1.0], level=1.0), "level"),
    (dict(eps=[0.1, 0.2], fraction=[0.0, 1.0], level=[0.5, 0.6]), "level"),
])
def test_validation_names_the_parameter(kw, name):
    with pytest.raises(ValueError, match=name):
        fraction_crossing(**kw)
