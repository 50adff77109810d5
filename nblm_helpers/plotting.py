"""One look for every figure of the book (presentation layer).

All chapters call :func:`apply_style` once (or use :func:`figure`), so that
figures share fonts, colours and sizes.  The figures are drawn on an opaque,
light "paper" background with dark ink: on the book's dark theme they read as
light cards instead of dark text vanishing into a dark page.  Colours are the
Okabe-Ito palette, distinguishable with the common colour-vision deficiencies
and in greyscale print together with the line styles in :data:`LINESTYLES`.

This module never imports a physics module.
"""

from __future__ import annotations

import functools
import io
import re
from contextlib import contextmanager

import matplotlib
import matplotlib.pyplot as plt

__all__ = [
    "COLUMN_WIDTH_IN",
    "MIN_FONT_PT",
    "PALETTE",
    "LINESTYLES",
    "STYLE",
    "apply_style",
    "style",
    "figure",
    "figure_bytes",
]

#: Okabe-Ito colours, in the order the cycler uses them.
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Line styles to pair with :data:`PALETTE` so curves differ in greyscale too.
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]

#: Widest figure, in inches, that the book's content column shows at full size.
#: Figures are SVG (text stays text), drawn at 96 CSS px per inch: on a 1280 px
#: screen the output area of a chapter is 688 px wide, i.e. 7.17 in.
COLUMN_WIDTH_IN = 7.0

#: Smallest font size, in points, of any text in a figure.  At full size an SVG
#: point is 4/3 CSS px, so 11 pt is 14.7 px: as large as the page's small text
#: (captions, 0.9 rem = 14.4 px).  tests/test_browser.py measures this on the site.
MIN_FONT_PT = 11

_INK = "#1a1a1a"
_PAPER = "#ffffff"

#: The rcParams every figure of the book uses.
STYLE = {
    "figure.figsize": (6.4, 4.0),   # at most COLUMN_WIDTH_IN wide
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "figure.facecolor": _PAPER,
    "savefig.facecolor": _PAPER,
    "axes.facecolor": _PAPER,
    "figure.constrained_layout.use": True,
    "axes.edgecolor": _INK,
    "axes.labelcolor": _INK,
    "axes.titlesize": 13,
    # titles at a fixed height: matplotlib otherwise measures every tick label
    # on each draw to lift the title above top ticks (we never draw top ticks);
    # that search was ~15 % of a widget redraw
    "axes.titley": 1.0,
    "axes.labelsize": 13,
    "axes.grid": True,
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6,
    "grid.alpha": 0.8,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE.values())),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "text.color": _INK,
    "legend.fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "font.size": 12,
    "mathtext.fontset": "dejavusans",
    # SVG frames keep text as text: ~4x smaller than glyph outlines and sharp
    # at any zoom. The browser substitutes a sans-serif font if needed.
    "svg.fonttype": "none",
    "svg.hashsalt": "nblm",  # deterministic SVG ids: identical frames, identical bytes
    "path.simplify": True,
}


def _share_mathtext_cache():
    """Let every renderer reuse parsed mathtext (widgets redraw the same labels).

    matplotlib caches parsed math per ``MathTextParser`` *instance* (the
    instance is part of the ``lru_cache`` key), and every ``savefig`` makes a
    new renderer with a new parser, so each frame of a widget re-parses every
    ``$...$`` label and log-axis tick (~10 ms each with pyparsing).  This keys
    one shared cache on the parser's output type instead; the cached results
    are the same immutable parse results matplotlib's own cache hands out.
    If a future matplotlib changes the private method, nothing is patched.
    """
    from matplotlib.mathtext import MathTextParser

    original = getattr(MathTextParser._parse_cached, "__wrapped__", None)
    if original is None or getattr(MathTextParser, "_nblm_shared_cache", False):
        return
    parsers = {"vector": MathTextParser("path"), "raster": MathTextParser("agg")}

    @functools.lru_cache(maxsize=4096)
    def parse_shared(output_type, s, dpi, prop, antialiased, load_glyph_flags):
        return original(parsers[output_type], s, dpi, prop, antialiased, load_glyph_flags)

    def _parse_cached(self, s, dpi, prop, antialiased, load_glyph_flags):
        return parse_shared(self._output_type, s, dpi, prop, antialiased, load_glyph_flags)

    MathTextParser._parse_cached = _parse_cached
    MathTextParser._nblm_shared_cache = True


def _share_svg_text_metrics():
    """Let every SVG renderer reuse measured text extents.

    matplotlib caches text metrics per renderer *instance* and every
    ``savefig`` makes a new renderer, so each widget frame re-measures every
    label with FreeType (~15 % of a frame).  For the SVG renderer the metrics
    do not depend on the instance at all: ``RendererSVG`` asks a
    ``TextToPath`` helper at a fixed 72 dpi.  This gives all SVG renderers one
    shared cache; other renderers (Agg, whose metrics depend on its dpi) keep
    matplotlib's own.  If a future matplotlib changes the private function or
    the SVG renderer measures text differently, nothing is patched.
    """
    import matplotlib.text as mtext
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.textpath import TextToPath

    original = getattr(mtext, "_get_text_metrics_function", None)
    if original is None or getattr(original, "_nblm_shared", False):
        return
    import inspect

    if "self._text2path.get_text_width_height_descent(" not in inspect.getsource(
            RendererSVG.get_text_width_height_descent):
        return
    text2path = TextToPath()

    @functools.lru_cache(maxsize=4096)
    def svg_metrics(text, fontprop, ismath, dpi):
        return text2path.get_text_width_height_descent(text, fontprop, ismath)

    def _get_text_metrics_function(renderer, *args, **kwargs):
        # savefig(format="svg") draws through a MixedModeRenderer around the
        # RendererSVG (swapped for Agg only inside rasterized artists)
        inner = renderer._renderer if type(renderer) is MixedModeRenderer else renderer
        if type(inner) is RendererSVG:
            return svg_metrics
        return original(renderer, *args, **kwargs)

    _get_text_metrics_function.svg_metrics = svg_metrics

    _get_text_metrics_function._nblm_shared = True
    mtext._get_text_metrics_function = _get_text_metrics_function


def apply_style():
    """Apply :data:`STYLE` to matplotlib's global rcParams (and share the text caches).

    In an IPython kernel it also makes inline figures SVG, like the widgets'
    frames: sharp at any zoom, and their text can be measured on the site.
    """
    matplotlib.rcParams.update(STYLE)
    _inline_svg()
    _share_mathtext_cache()
    _share_svg_text_metrics()


def _inline_svg():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_nblm_inline_svg", False):
        return
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover
        return
    set_matplotlib_formats("svg")
    shell._nblm_inline_svg = True


@contextmanager
def style():
    """Context manager: use :data:`STYLE` inside the ``with`` block only."""
    with matplotlib.rc_context(STYLE):
        yield


def figure(nrows=1, ncols=1, *, figsize=None, **subplot_kw):
    """A styled ``(fig, ax)`` pair, like :func:`matplotlib.pyplot.subplots`.

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes.
    figsize : tuple of float, optional
        Size in inches; default ``STYLE["figure.figsize"]``.
    **subplot_kw
        Passed on to :func:`matplotlib.pyplot.subplots`.
    """
    apply_style()
    return plt.subplots(nrows, ncols, figsize=figsize or STYLE["figure.figsize"], **subplot_kw)


def figure_bytes(fig, fmt="svg", *, compact=True):
    """Encode ``fig`` as bytes (``"svg"`` or ``"png"``) without displaying it.

    SVG output is deterministic (fixed hash salt, no date metadata), so two
    renders of the same figure give the same bytes.  With ``compact`` (the
    default) it is also compacted: path coordinates are rounded to 0.01 pt
    (far below a pixel) and indentation is dropped, which makes widget frames
    about 20 % lighter for pages that store them; text is left untouched.  A
    live widget, whose bytes are sent once and dropped, skips that step.
    """
    if fmt not in ("svg", "png"):
        raise ValueError(f"fmt must be 'svg' or 'png'; got {fmt!r}")
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    # the figure keeps its own layout engine; constrained_layout.use is off only so that
    # savefig, which restores a figure without an engine via set_layout_engine(None),
    # does not give it a constrained engine from the rc (a widget drops its engine on purpose)
    with matplotlib.rc_context({**STYLE, "figure.constrained_layout.use": False}):
        fig.savefig(buf, format=fmt, metadata=metadata)
    if fmt == "png" or not compact:
        return buf.getvalue()
    svg = buf.getvalue().decode("utf-8")
    svg = _PATH_DATA.sub(lambda m: m.group(1) + _LONG_DECIMAL.sub(r"\1", m.group(2)) + '"', svg)
    return _INDENT.sub("\n", svg).encode("utf-8")


_PATH_DATA = re.compile(r'( d=")([^"]*)"')
_LONG_DECIMAL = re.compile(r"(\d\.\d\d)\d+")
_INDENT = re.compile(r"\n[ \t]+")
