"""The names renamed in version 0.2 (one spelling per symbol): old functions and result fields
still work with a DeprecationWarning that names the new spelling; old keywords are refused."""

import importlib

import numpy as np
import pytest

from nblm_helpers import meanfield, temperature

OLD_FUNCTIONS = [
    ("relaxation", "ln_gamma_a", "ln_Gamma_a"),
    ("relaxation", "ln_gamma_b", "ln_Gamma_b"),
    ("relaxation", "ln_gamma_c", "ln_Gamma_c"),
    ("relaxation", "gamma_b_exponent", "Gamma_b_exponent"),
    ("relaxation", "xi_eff_1d", "Xi_eff_1d"),
    ("parameters", "eps_from_xi", "eps_from_Xi"),
    ("parameters", "xi_from_eps", "Xi_from_eps"),
    ("validity", "ln_gamma_floor_27", "ln_Gamma_floor_27"),
    ("meanfield", "critical_xi", "critical_Xi"),
    ("meanfield.boundary", "critical_xi", "critical_Xi"),
]


@pytest.mark.parametrize("module, old, new", OLD_FUNCTIONS, ids=lambda v: str(v))
def test_old_function_name_warns_and_is_the_new_function(module, old, new):
    mod = importlib.import_module(f"nblm_helpers.{module}")
    with pytest.warns(DeprecationWarning, match=rf"'{old}' is deprecated; use '{new}'") as rec:
        fn = getattr(mod, old)
    assert fn is getattr(mod, new)
    assert rec[0].filename == __file__          # the warning points at the caller's line
    public = getattr(mod, "__all__", [new])
    assert old not in public and new in public


def test_unknown_module_attribute_is_still_an_AttributeError():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        meanfield.no_such_name  # noqa: B018


def test_old_result_fields_warn_and_read_the_new_ones():
    r = meanfield.solve_linewidth(eps=0.3, gamma=0.1, K=3, N=10, s=0.5)
    with pytest.warns(DeprecationWarning, match="'ln_gamma' is deprecated; use 'ln_Gamma'"):
        assert r.ln_gamma == r.ln_Gamma
    with pytest.warns(DeprecationWarning, match="'gamma' is deprecated; use 'Gamma'"):
        assert r.gamma == r.Gamma == pytest.approx(np.exp(r.ln_Gamma), rel=1e-15)
    c = temperature.ln_conductivity([0.5], gamma=0.05, g=2.0, lam=0.5, K=3, N=10, T_s=1.0, warn=False)
    with pytest.warns(DeprecationWarning, match="'ln_gamma_dm' is deprecated; use 'ln_Gamma_dm'"):
        np.testing.assert_array_equal(c.ln_gamma_dm, c.ln_Gamma_dm)


@pytest.mark.parametrize("call", [
    lambda: meanfield.solve_linewidth(xi=2.0, gamma=0.1, K=3, N=10, s=0.5),
    lambda: meanfield.self_consistency_ratio(ln_gamma=-5.0, eps=0.3, gamma=0.1, K=3, N=10, s=0.5),
], ids=["xi", "ln_gamma"])
def test_old_keywords_are_a_TypeError_naming_them(call):
    with pytest.raises(TypeError, match="unexpected keyword argument '(xi|ln_gamma)'"):
        call()
