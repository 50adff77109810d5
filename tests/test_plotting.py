"""Tests of nblm_helpers.plotting (the shared figure style)."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.ticker import FuncFormatter, NullLocator

from nblm_helpers import plotting


def test_style_is_applied_and_light_on_dark_pages():
    fig, ax = plotting.figure()
    try:
        assert matplotlib.rcParams["svg.fonttype"] == "none"
        assert matplotlib.colors.to_hex(fig.get_facecolor()) == "#ffffff"  # opaque paper
        assert matplotlib.colors.to_hex(matplotlib.rcParams["text.color"]) == "#1a1a1a"
        cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
        assert cycle[:3] == [plotting.PALETTE["blue"], plotting.PALETTE["vermillion"], plotting.PALETTE["green"]]
    finally:
        plt.close(fig)


def test_svg_bytes_are_deterministic_and_keep_text():
    def make():
        fig, ax = plotting.figure()
        ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2)
        ax.set_title("Gamma = 0.316227766")
        data = plotting.figure_bytes(fig)
        plt.close(fig)
        return data

    a, b = make(), make()
    assert a == b
    assert a.startswith(b"<?xml") and b"</svg>" in a
    assert b"Gamma = 0.316227766" in a  # text is not rounded, only path data


def test_png_and_bad_format():
    fig, ax = plotting.figure()
    ax.plot([0, 1], [0, 1])
    assert plotting.figure_bytes(fig, "png")[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="fmt must be 'svg' or 'png'"):
        plotting.figure_bytes(fig, "jpg")
    plt.close(fig)


def test_style_context_restores_rcparams():
    before = matplotlib.rcParams["lines.linewidth"]
    matplotlib.rcParams["lines.linewidth"] = 0.3
    with plotting.style():
        assert matplotlib.rcParams["lines.linewidth"] == plotting.STYLE["lines.linewidth"]
    assert matplotlib.rcParams["lines.linewidth"] == 0.3
    matplotlib.rcParams["lines.linewidth"] = before


def test_svg_text_metrics_are_shared_between_renderers_and_unchanged():
    import matplotlib.text as mtext
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    plotting.apply_style()
    from nblm_helpers import _mpl_compat

    assert "svg_text_metrics" in _mpl_compat.applied()   # the pinned matplotlib is a tested one
    patched = mtext._get_text_metrics_function
    shared = patched.svg_metrics
    shared.cache_clear()
    fig, ax = plotting.figure()
    ax.plot([0, 1], [0, 1])
    ax.set_title("log₁₀(W/Δ) and $\\Gamma_b$")
    first = plotting.figure_bytes(fig)
    misses = shared.cache_info().misses
    assert misses > 5                       # savefig's renderer (MixedModeRenderer around RendererSVG) uses it
    assert plotting.figure_bytes(fig) == first
    info = shared.cache_info()
    assert info.misses == misses and info.hits > misses   # a new renderer re-measures nothing
    prop = FontProperties(size=11)
    for s, ismath in (("log₁₀(W/Δ) = -3", False), (r"$\Gamma_b$", True)):
        assert shared(s, prop, ismath, 72.0) == TextToPath().get_text_width_height_descent(s, prop, ismath)
    assert patched(RendererAgg(10, 10, 100)) is not shared   # Agg metrics depend on its dpi: its own cache
    plt.close(fig)


@pytest.mark.parametrize("value, label", [
    (1e-3, "10\u207b\u00b3"), (1.0, "10\u2070"), (100.0, "10\u00b2"), (1e12, "10\u00b9\u00b2"),
    (1e-300, "10\u207b\u00b3\u2070\u2070"), (1e300, "10\u00b3\u2070\u2070"),
    (2e-9, ""), (5.0, ""), (0.5, ""), (1.0001, ""), (0.0, ""), (-10.0, ""), (float("nan"), ""), (float("inf"), "")])
def test_decade_label(value, label):
    assert plotting.decade_label(value) == label
    assert plotting.decade_label(value, 3) == label            # the FuncFormatter signature


def test_decade_label_rejects_non_numbers():
    with pytest.raises(ValueError, match="value"):
        plotting.decade_label("ten")


def test_decade_ticks_label_decades_in_unicode_without_minor_ticks():
    fig, ax = plotting.figure()
    try:
        ax.loglog([1e-3, 1e2], [1e-6, 1e4])
        ax.set(xlim=(1e-3, 1e2), ylim=(1e-6, 1e4))
        plotting.decade_ticks(ax, "x")
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_visible()]
        shown = [lab for lab, loc in zip(labels, ax.get_xticks()) if 1e-3 <= loc <= 1e2]
        assert shown == ["10\u207b\u00b3", "10\u207b\u00b2", "10\u207b\u00b9", "10\u2070", "10\u00b9", "10\u00b2"]
        assert len(ax.xaxis.get_minor_locator().tick_values(1e-3, 1e2)) == 0
        # "x" only: the y axis keeps matplotlib's own locators and formatter
        assert not isinstance(ax.yaxis.get_minor_locator(), NullLocator)
        assert not isinstance(ax.yaxis.get_major_formatter(), FuncFormatter)
        plotting.decade_ticks(ax)                                              # both axes, at most 8 ticks
        fig.canvas.draw()
        yticks = [loc for loc in ax.get_yticks() if 1e-6 <= loc <= 1e4]
        assert 1 < len(yticks) <= 8
        assert all(plotting.decade_label(loc) for loc in yticks)
        assert "$" not in "".join(t.get_text() for t in ax.get_yticklabels())  # no mathtext
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kw", [dict(which="z"), dict(which=""), dict(numticks=0), dict(numticks=2.5)])
def test_decade_ticks_bad_input(kw):
    fig, ax = plotting.figure()
    try:
        with pytest.raises(ValueError, match=next(iter(kw))):
            plotting.decade_ticks(ax, **kw)
    finally:
        plt.close(fig)
