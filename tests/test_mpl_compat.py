"""Tests of nblm_helpers._mpl_compat: the version gate of the matplotlib patches, and that
the patches are pure speed (the same bytes with and without them)."""

from pathlib import Path

import matplotlib
import matplotlib.text as mtext
import numpy as np
import pytest
from matplotlib.mathtext import MathTextParser

from nblm_helpers import _mpl_compat, plotting
from nblm_helpers.widgets import Control, ResponsiveFigure


@pytest.fixture
def unpatched():
    """matplotlib as shipped inside the test; the patches as apply_style() leaves them after."""
    _mpl_compat.restore()
    yield
    _mpl_compat.restore()
    _mpl_compat.apply()


def _originals():
    return MathTextParser.__dict__["_parse_cached"], mtext._get_text_metrics_function


def test_the_pinned_matplotlib_is_a_tested_release():
    # requirements.txt pins matplotlib; a new pin must be tested and added to TESTED_VERSIONS
    lock = (Path(__file__).resolve().parents[1] / "requirements.txt").read_text().splitlines()
    pin = next(line.split("==")[1].strip() for line in lock if line.startswith("matplotlib=="))
    assert matplotlib.__version__ == pin and _mpl_compat.version_tested()
    plotting.apply_style()
    assert _mpl_compat.applied() == ["mathtext_cache", "svg_text_metrics"]


@pytest.mark.parametrize("version", ["3.10.8", "3.12.0", "4.0.0", "3.1"])
def test_untested_versions_patch_nothing(unpatched, version):
    before = _originals()
    assert not _mpl_compat.version_tested(version)
    assert _mpl_compat.apply(version) == [] and _mpl_compat.applied() == []
    assert _originals() == before


def test_tested_version_patches_and_restore_undoes(unpatched):
    before = _originals()
    assert _mpl_compat.version_tested("3.11.0") and _mpl_compat.version_tested("3.11.2")
    assert _mpl_compat.apply("3.11.2") == ["mathtext_cache", "svg_text_metrics"]
    after = _originals()
    assert after[0] is not before[0] and after[1] is not before[1]
    assert _mpl_compat.apply() == ["mathtext_cache", "svg_text_metrics"]   # idempotent
    assert _originals() == after
    _mpl_compat.restore()
    assert _originals() == before


def test_an_unexpected_signature_patches_nothing(unpatched, monkeypatch):
    def changed(input_renderer, _cache=None, *, extra=None):  # a future matplotlib's signature
        raise AssertionError("not called")

    monkeypatch.setattr(mtext, "_get_text_metrics_function", changed)
    assert _mpl_compat.apply() == ["mathtext_cache"]
    assert mtext._get_text_metrics_function is changed


def _frames():
    """Static frames of a widget with mathtext labels, log ticks and a changing Unicode title."""
    t = np.logspace(-2, 2, 60)

    def setup(fig):
        ax = fig.add_subplot()
        ax.set(xscale="log", yscale="log", xlabel=r"$\Gamma_b t$", ylabel=r"$\psi(t)$", ylim=(1e-3, 2))
        return ax.plot(t, t, label=r"$e^{-\Gamma t}$")[0]

    def update(line, *, rate):
        line.set_ydata(np.exp(-rate * t))
        line.axes.set_title(f"Γ = {rate:.3g}")
        line.axes.legend()

    rf = ResponsiveFigure(setup, update, [Control("rate", [0.1, 0.3, 1.0], kind="choice")], mode="static")
    return [bytes(img.value) for img in rf.widget.children[1].children]


def test_frames_are_byte_identical_with_and_without_the_patches(unpatched, monkeypatch):
    real_apply = _mpl_compat.apply
    with monkeypatch.context() as m:
        m.setattr(_mpl_compat, "apply", lambda version=None: [])   # apply_style() patches nothing
        plain = _frames()
    assert _mpl_compat.applied() == []
    real_apply()
    assert _mpl_compat.applied() == ["mathtext_cache", "svg_text_metrics"]
    assert _frames() == plain
    assert _frames() == plain                     # warm caches too


def test_no_rc_layout_keeps_a_dropped_engine_dropped():
    fig, ax = plotting.figure()
    assert fig.get_layout_engine() is not None    # the book style: constrained layout
    _mpl_compat.drop_layout_engine(fig)
    assert fig.get_layout_engine() is None
    plotting.figure_bytes(fig)                    # savefig must not give it an engine again
    assert fig.get_layout_engine() is None
