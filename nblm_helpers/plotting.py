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

import io
import math
import re
from contextlib import contextmanager

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from . import _mpl_compat

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
    "decade_label",
    "decade_ticks",
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


def apply_style():
    """Apply :data:`STYLE` to matplotlib's global rcParams (and share the text caches).

    In an IPython kernel it also makes inline figures SVG, like the widgets'
    frames: sharp at any zoom, and their text can be measured on the site.
    The text caches are the speed patches of :mod:`nblm_helpers._mpl_compat`,
    applied only on a tested matplotlib release; they never change a byte.
    """
    matplotlib.rcParams.update(STYLE)
    _inline_svg()
    _mpl_compat.apply()


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
    # the figure keeps its own layout engine; no_rc_layout only stops savefig from giving
    # a figure without one (a widget drops its engine on purpose) an engine from the rc
    with matplotlib.rc_context(STYLE), _mpl_compat.no_rc_layout():
        fig.savefig(buf, format=fmt, metadata=metadata)
    if fmt == "png" or not compact:
        return buf.getvalue()
    svg = buf.getvalue().decode("utf-8")
    svg = _PATH_DATA.sub(lambda m: m.group(1) + _LONG_DECIMAL.sub(r"\1", m.group(2)) + '"', svg)
    return _INDENT.sub("\n", svg).encode("utf-8")


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def decade_label(value, pos=None):
    """Tick label ``10^k`` in Unicode superscripts (e.g. ``"10⁻³"``) for a decade, ``""`` otherwise.

    A :class:`matplotlib.ticker.FuncFormatter` function (``pos`` is ignored).
    Plain text, no mathtext: mathtext is parsed anew for every new string,
    which makes widget frames slow.  ``value`` is a decade if it is within a
    relative ``1e-9`` of :math:`10^k` for an integer :math:`k`.
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"value must be a real number; got {value!r}") from None
    if not (value > 0 and math.isfinite(value)):
        return ""
    k = round(math.log10(value))
    if not math.isclose(value, 10.0**k, rel_tol=1e-9):
        return ""
    return "10" + str(k).translate(_SUPERSCRIPT)


def decade_ticks(ax, which="xy", *, numticks=8):
    """Label the decades of the log axes ``which`` of ``ax`` with :func:`decade_label`; no minor ticks.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose ``which`` axes are log-scaled.
    which : str
        ``"x"``, ``"y"`` or ``"xy"``.
    numticks : int
        Most major ticks per axis (:class:`matplotlib.ticker.LogLocator`);
        with more decades than that, every second (third, ...) decade is labelled.
    """
    if not which or set(which) - {"x", "y"}:
        raise ValueError(f"which must be 'x', 'y' or 'xy'; got {which!r}")
    if isinstance(numticks, bool) or not isinstance(numticks, int) or numticks < 1:
        raise ValueError(f"numticks must be an integer >= 1; got {numticks!r}")
    for name in which:
        axis = ax.xaxis if name == "x" else ax.yaxis
        axis.set_major_locator(LogLocator(base=10, numticks=numticks))
        axis.set_major_formatter(FuncFormatter(decade_label))
        axis.set_minor_locator(NullLocator())


_PATH_DATA = re.compile(r'( d=")([^"]*)"')
_LONG_DECIMAL = re.compile(r"(\d\.\d\d)\d+")
_INDENT = re.compile(r"\n[ \t]+")
