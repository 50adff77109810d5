"""Matplotlib workarounds of the book, in one place (private; presentation only).

Two kinds live here:

* **Speed patches of private matplotlib functions** (:func:`apply`).  They are
  applied only to a matplotlib release they were tested with
  (:data:`TESTED_VERSIONS`, the pinned one of ``requirements.txt``) *and* only
  when the patched private function still has the expected signature (or
  source); otherwise nothing is patched and matplotlib runs as shipped.  Each
  patch caches results that matplotlib computes anyway, so frames are
  byte-identical with and without it (``tests/test_mpl_compat.py`` checks both
  the gate and the bytes).
* **A layout-engine guard** (:func:`no_rc_layout`), public API only, used by
  every place that saves a figure or drops its layout engine.

Nothing else in the package touches matplotlib internals.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager

import matplotlib

__all__ = ["TESTED_VERSIONS", "apply", "applied", "drop_layout_engine", "fits_canvas", "no_rc_layout", "restore",
           "version_tested"]

#: ``major.minor`` releases of matplotlib the patches were tested with (requirements.txt pins 3.11.2).
TESTED_VERSIONS = ("3.11",)

_ORIGINALS = {}   # name -> (owner, attribute, original object): what restore() puts back


def version_tested(version=None):
    """Whether ``version`` (default: the installed matplotlib's) is one of :data:`TESTED_VERSIONS`."""
    version = matplotlib.__version__ if version is None else version
    return ".".join(str(version).split(".")[:2]) in TESTED_VERSIONS


def applied():
    """The names of the patches in effect."""
    return sorted(_ORIGINALS)


def apply(version=None):
    """Apply the speed patches if matplotlib is a tested release; return the names applied.

    Idempotent.  ``version`` overrides the installed version string (tests use
    it to check the gate); with an untested version nothing is patched.
    """
    if not version_tested(version):
        return []
    for name, patch in _PATCHES.items():
        if name not in _ORIGINALS:
            patch()
    return applied()


def restore():
    """Undo every patch (tests use it to compare frames with and without them)."""
    for name, (owner, attr, original) in list(_ORIGINALS.items()):
        setattr(owner, attr, original)
        del _ORIGINALS[name]


def _params(fn):
    try:
        return tuple(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None


def _share_mathtext_cache():
    """Let every renderer reuse parsed mathtext (widgets redraw the same labels).

    matplotlib caches parsed math per ``MathTextParser`` *instance* (the
    instance is part of the ``lru_cache`` key), and every ``savefig`` makes a
    new renderer with a new parser, so each frame of a widget re-parses every
    ``$...$`` label and log-axis tick (~10 ms each with pyparsing).  This keys
    one shared cache on the parser's output type instead; the cached results
    are the same immutable parse results matplotlib's own cache hands out.
    """
    from matplotlib.mathtext import MathTextParser

    current = MathTextParser.__dict__.get("_parse_cached")
    original = getattr(current, "__wrapped__", None)
    expected = ("self", "s", "dpi", "prop", "antialiased", "load_glyph_flags")
    if original is None or _params(original) != expected:
        return
    parsers = {"vector": MathTextParser("path"), "raster": MathTextParser("agg")}
    if {getattr(p, "_output_type", None) for p in parsers.values()} != set(parsers):   # the key the patch uses
        return

    @functools.lru_cache(maxsize=4096)
    def parse_shared(output_type, s, dpi, prop, antialiased, load_glyph_flags):
        return original(parsers[output_type], s, dpi, prop, antialiased, load_glyph_flags)

    def _parse_cached(self, s, dpi, prop, antialiased, load_glyph_flags):
        return parse_shared(self._output_type, s, dpi, prop, antialiased, load_glyph_flags)

    _parse_cached.parse_shared = parse_shared
    _ORIGINALS["mathtext_cache"] = (MathTextParser, "_parse_cached", current)
    MathTextParser._parse_cached = _parse_cached


def _share_svg_text_metrics():
    """Let every SVG renderer reuse measured text extents.

    matplotlib caches text metrics per renderer *instance* and every
    ``savefig`` makes a new renderer, so each widget frame re-measures every
    label with FreeType (~15 % of a frame).  For the SVG renderer the metrics
    do not depend on the instance at all: ``RendererSVG`` asks a
    ``TextToPath`` helper at a fixed 72 dpi.  This gives all SVG renderers one
    shared cache; other renderers (Agg, whose metrics depend on its dpi) keep
    matplotlib's own.
    """
    import matplotlib.text as mtext
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.textpath import TextToPath

    original = getattr(mtext, "_get_text_metrics_function", None)
    if original is None or _params(original) != ("input_renderer", "_cache"):
        return
    try:
        source = inspect.getsource(RendererSVG.get_text_width_height_descent)
    except (OSError, TypeError):
        return
    if "self._text2path.get_text_width_height_descent(" not in source:
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
    _ORIGINALS["svg_text_metrics"] = (mtext, "_get_text_metrics_function", original)
    mtext._get_text_metrics_function = _get_text_metrics_function


_PATCHES = {"mathtext_cache": _share_mathtext_cache, "svg_text_metrics": _share_svg_text_metrics}


@contextmanager
def no_rc_layout():
    """Keep the rcParams from giving a figure a layout engine inside the block.

    ``savefig`` restores a figure that has no layout engine with
    ``set_layout_engine(None)``, and ``set_layout_engine(None)`` picks an
    engine from ``figure.constrained_layout.use`` / ``figure.autolayout``
    (the book style turns the first on).  A widget drops its engine on
    purpose once the layout is computed (see ``ResponsiveFigure.draw``), so
    both saving and dropping the engine run inside this block.
    """
    with matplotlib.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
        yield


def drop_layout_engine(fig):
    """Remove ``fig``'s layout engine for good; its axes keep the positions it set.

    Not ``set_layout_engine("none")``: that leaves a placeholder engine, and
    ``savefig`` then still makes a dry layout draw before every real one (~40 %
    of an encode).
    """
    with no_rc_layout():
        fig.set_layout_engine(None)


def fits_canvas(fig, tol=1.0):
    """Whether everything drawn in ``fig`` lies inside the canvas (to ``tol`` pixels).

    Uses the figure's own renderer (``Figure._get_renderer``, private but stable
    since matplotlib 3.6; ``get_tightbbox`` needs a renderer to measure text).
    """
    bbox = fig.get_tightbbox(fig._get_renderer())
    if bbox is None:
        return True
    dpi = fig.dpi
    x0, y0, x1, y1 = bbox.x0 * dpi, bbox.y0 * dpi, bbox.x1 * dpi, bbox.y1 * dpi
    w, h = fig.bbox.width, fig.bbox.height
    return x0 >= -tol and y0 >= -tol and x1 <= w + tol and y1 <= h + tol

