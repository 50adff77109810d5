"""Tests of nblm_helpers.plotting (the shared figure style)."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

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
    import io

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
