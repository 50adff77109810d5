"""Static-responsive widgets: one figure, sliders, alive with or without a kernel.

The book's widgets must respond in two places:

* **in a live kernel** (a reader running the notebook in Jupyter), a slider
  calls the chapter's ``update`` function for *any* value the reader picks
  and redraws the figure;
* **on the static website**, where no kernel runs, the slider still responds:
  the figures for a grid of values are rendered once at build time, stacked in
  an :class:`ipywidgets.Stack`, and each slider's ``index`` is linked to the
  stack's ``selected_index`` *client-side* with :func:`ipywidgets.jslink`.

Only this combination works without a kernel: ``SelectionSlider.index`` (an
integer) + ``jslink`` + ``Stack``.  ``FloatSlider`` + ``jslink`` fails (a float
is not an index), and ``widgets.link``/``interact`` need a kernel.  Several
sliders become nested stacks (one level per slider), so the number of frames
is the product of the grid sizes: keep grids small (tens of frames).

Which of the two is built is chosen by ``mode``; by default the environment
variable ``NBLM_WIDGET_MODE`` decides, which the book build sets to
``"static"`` (see ``_ext/nblm_sphinx.py``) and a Jupyter session leaves unset
(``"live"``).

Example
-------
>>> import numpy as np
>>> from nblm_helpers.widgets import Control, ResponsiveFigure
>>> t = np.linspace(0, 5, 200)
>>> def setup(fig):                      # once: the axes and artists
...     ax = fig.add_subplot()
...     return {"ax": ax, "decay": ax.plot(t, 0 * t)[0]}
>>> def update(art, *, rate):             # every frame: physics, then new data / text
...     art["decay"].set_ydata(np.exp(-rate * t))
...     art["ax"].set_title(f"rate = {rate:.2g}")
>>> w = ResponsiveFigure(setup, update, [Control("rate", [0.5, 1.0, 2.0], kind="log")],
...                      mode="static")
>>> w.n_frames
3

This module is presentation only: it never imports a physics module; the
chapter passes the physics in through ``update``.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ._mpl_compat import drop_layout_engine, fits_canvas
from .plotting import STYLE, apply_style, figure_bytes

__all__ = ["KINDS", "Control", "ResponsiveFigure", "widget_mode", "progress"]


_MODES = ("static", "live")


def widget_mode(mode=None):
    """Resolve the widget mode: ``mode`` if given, else ``$NBLM_WIDGET_MODE``, else ``"live"``."""
    mode = mode or os.environ.get("NBLM_WIDGET_MODE", "live")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}; got {mode!r}")
    return mode


#: The kinds of control; each is declared by the chapter, never guessed from the values.
KINDS = ("linear", "log", "int", "choice")


@dataclass(frozen=True)
class Control:
    """One slider of a :class:`ResponsiveFigure`, the same live and static.

    Parameters
    ----------
    name : str
        Keyword under which the value is passed to the ``update`` function.
    values : sequence of float
        The grid of values precomputed for the static site, strictly
        increasing.  Every one of them can also be selected on the live
        slider, which spans exactly ``[values[0], values[-1]]``.
    kind : {"linear", "log", "int", "choice"}
        Declared by the caller, never inferred from the values:

        * ``"linear"`` -- a float slider; the grid evenly spaced in value.
        * ``"log"`` -- a float slider stepped evenly in ``log10``; the grid
          evenly spaced in ``log10`` (e.g. decades).
        * ``"int"`` -- an integer slider in steps of 1; the grid evenly
          spaced integers.
        * ``"choice"`` -- only the grid values, live as on the site (for
          discrete parameters, or uneven grids).

        The static slider steps through the grid evenly, so an even grid is
        what makes the two sliders put every value at the same place.  Live,
        ``"linear"`` and ``"log"`` sliders step by the grid gap divided into
        equal substeps (at least 50 steps over the range), so every grid value
        is a slider position.
    label : str, optional
        Slider description; may contain inline LaTeX as ``\\(\\Gamma_b\\)``.
    fmt : str
        Python format of the value shown next to the slider and of the value
        an ``update`` function should print in titles, e.g. ``"{:.2g}"``.
    initial : int, optional
        Index into ``values`` of the starting value (default: the middle).

    Attributes
    ----------
    step : float or None
        The live slider's step: in the value for ``"linear"`` and ``"int"``,
        in ``log10`` of the value for ``"log"``; None for ``"choice"``.
    """

    name: str
    values: Sequence[float]
    kind: str
    label: str | None = None
    fmt: str = "{:.3g}"
    initial: int | None = None
    _array: np.ndarray = field(init=False, repr=False, compare=False)
    step: float | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"Control name must be a Python identifier; got {self.name!r}")
        if self.kind not in KINDS:
            raise ValueError(f"Control {self.name!r}: kind must be one of {KINDS}; got {self.kind!r}")
        arr = np.asarray(self.values, dtype=float)
        if arr.ndim != 1 or arr.size < 2 or not np.all(np.isfinite(arr)):
            raise ValueError(f"Control {self.name!r}: values must be >= 2 finite numbers; got {self.values!r}")
        if np.any(np.diff(arr) <= 0):
            raise ValueError(f"Control {self.name!r}: values must be strictly increasing")
        labels = [self.fmt.format(v) for v in arr]
        if len(set(labels)) != len(labels):
            raise ValueError(f"Control {self.name!r}: fmt {self.fmt!r} gives duplicate labels {labels}")
        initial = arr.size // 2 if self.initial is None else int(self.initial)
        if not 0 <= initial < arr.size:
            raise ValueError(f"Control {self.name!r}: initial must be an index in [0, {arr.size - 1}]")
        if self.kind == "int" and not np.all(arr == np.round(arr)):
            raise ValueError(f"Control {self.name!r}: kind 'int' needs integer values; got {self.values!r}")
        if self.kind == "log" and arr[0] <= 0:
            raise ValueError(f"Control {self.name!r}: kind 'log' needs positive values; got {self.values!r}")
        step = None
        if self.kind in ("linear", "log", "int"):
            # The static slider moves through the grid in equal steps; the live one moves in
            # equal steps of the value (or of log10 of it).  They agree only on an evenly
            # spaced grid: then both put every grid value at the same place.
            coords = np.log10(arr) if self.kind == "log" else arr
            gaps = np.diff(coords)
            if not np.allclose(gaps, gaps[0], rtol=1e-9, atol=0):
                raise ValueError(
                    f"Control {self.name!r}: kind {self.kind!r} needs values evenly spaced "
                    f"{'in log10' if self.kind == 'log' else 'in value'} (the static slider steps "
                    f"through them evenly); got {self.values!r}; use an even grid or kind='choice'")
            step = 1.0 if self.kind == "int" else _live_step(float(gaps[0]), arr.size - 1)
        object.__setattr__(self, "_array", arr)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "step", step)

    @property
    def labels(self):
        """The readout labels of the grid values."""
        return [self.fmt.format(v) for v in self._array]

    def value(self, index):
        """The grid value at ``index`` as the ``update`` function receives it."""
        v = self._array[index]
        return int(v) if self.kind == "int" else float(v)

    def coerce(self, v):
        """A slider value as ``update`` receives it (int for ``"int"``, else float)."""
        return int(round(v)) if self.kind == "int" else float(v)


def _live_step(gap, n_gaps, min_steps=50):
    """The live slider's step: the grid gap divided into enough substeps for >= min_steps in all."""
    return gap / max(1, int(np.ceil(min_steps / n_gaps)))


class ResponsiveFigure:
    """A figure with sliders that responds live in a kernel and statically on the site.

    Parameters
    ----------
    setup : callable
        ``setup(fig)`` makes the axes and artists in the empty matplotlib
        figure ``fig``, once, and returns them as one object (a dict, a
        :class:`types.SimpleNamespace`, ...): the ``artists``.  Fixed parts
        (axis labels, fixed limits, legend, reference lines) belong here.
    update : callable
        ``update(artists, **values)`` computes the state for one choice of the
        controls' values and changes the artists accordingly (``set_data``,
        ``set_text``, ``set_title``, limits).  It returns nothing, makes no
        new axes and has no side effects: it is called once per static frame,
        once off the grid (see :meth:`_check_between_frames`) and on every
        live slider move, in any order.
    controls : sequence of Control
        The sliders, outermost first.
    mode : {"static", "live"}, optional
        See :func:`widget_mode`.
    fmt : {"svg", "png"}
        Image format of the frames.  SVG keeps pages light (about 4x smaller
        than PNG for line plots) and sharp.
    figsize : tuple of float, optional
        Figure size in inches (default: the book style's).
    caption : str, optional
        HTML shown under the figure (state the parameters held fixed).
    css_class : str, optional
        Extra CSS class on the outer box (the browser tests look for
        ``nblm-responsive``, which every instance has).

    Attributes
    ----------
    widget : ipywidgets.VBox
        What the notebook displays (the instance displays itself too).
    artists : object
        What ``setup`` returned.
    n_frames : int
        Number of precomputed frames (static mode; 0 in live mode).
    frame_bytes : int
        Total size of the distinct frames in bytes (static mode).
    n_relayout : int
        Frames whose frozen layout did not fit and were laid out afresh
        (static mode; see :meth:`draw`).
    links : list of ipywidgets.Link
        The client-side links slider ``index`` -> stack ``selected_index``
        (static mode; empty in live mode).
    """

    _registry = weakref.WeakSet()

    def __init__(self, setup: Callable, update: Callable, controls: Sequence[Control], *, mode=None,
                 fmt="svg", figsize=None, caption=None, css_class=None):
        if not callable(setup):
            raise ValueError(f"setup must be a callable setup(fig) returning the artists; got {setup!r}")
        if not callable(update):
            raise ValueError(f"update must be a callable update(artists, **values); got {update!r}")
        controls = list(controls)
        if not controls or not all(isinstance(c, Control) for c in controls):
            raise ValueError("controls must be a non-empty sequence of Control")
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise ValueError(f"control names must be unique; got {names}")
        if fmt not in ("svg", "png"):
            raise ValueError(f"fmt must be 'svg' or 'png'; got {fmt!r}")
        self._setup = setup
        self._update = update
        self.controls = controls
        self.mode = widget_mode(mode)
        self.fmt = fmt
        apply_style()
        self._fig = plt.figure(figsize=figsize or STYLE["figure.figsize"])
        plt.close(self._fig)  # never shown inline by the backend; we show bytes
        try:
            self.artists = setup(self._fig)
        except Exception as exc:
            exc.add_note(f"(in the setup function {_name(setup)} of a ResponsiveFigure)")
            raise
        if not self._fig.axes:
            raise ValueError(f"setup function {_name(setup)} made no axes in the figure it was given")
        self._image_format = "svg+xml" if fmt == "svg" else "png"
        self.n_frames = 0
        self.frame_bytes = 0
        self.n_relayout = 0
        if self.mode == "static":
            body, self.sliders = self._build_static()
        else:
            body, self.sliders = self._build_live()
        children = [widgets.VBox(self.sliders), body]
        if caption:
            children.append(widgets.HTML(f'<div class="nblm-caption">{caption}</div>'))
        self.widget = widgets.VBox(children)
        self.widget.add_class("nblm-responsive")
        self.widget.add_class(f"nblm-{self.mode}")
        if css_class:
            self.widget.add_class(css_class)
        ResponsiveFigure._registry.add(self)

    @classmethod
    def instances(cls):
        """Every live instance in this process (the benchmarks time each one)."""
        return list(cls._registry)

    # -- rendering -----------------------------------------------------
    def draw(self, **values):
        """Render the figure for ``values`` and return its encoded bytes.

        This is the whole response to a slider move: ``update`` (the physics
        computation and changing the artists, :meth:`update_artists`)
        followed by encoding the figure.

        The layout is computed once and then frozen.  The first draw (and a
        draw after anything made new axes) runs matplotlib's constrained
        layout; as ``update`` only changes the artists of ``setup``, the
        axes keep their positions afterwards.  That saves a full layout pass
        (about a third of a redraw) and keeps the plot from jumping between
        frames.  In static mode every frame is then checked to fit on the
        canvas (a tick label grown wider than in the first frame would be cut
        off); a frame that does not fit is laid out afresh, and counted in
        :attr:`n_relayout`.
        """
        fig = self._fig
        self.update_artists(**values)
        if not fig.axes or not all(getattr(ax, "_nblm_laid_out", False) for ax in fig.axes):
            return self._draw_with_layout()
        if self.mode == "static" and not fits_canvas(fig):
            self.n_relayout += 1
            return self._draw_with_layout()
        return figure_bytes(fig, self.fmt, compact=self.mode == "static")

    def _draw_with_layout(self):
        fig = self._fig
        fig.set_layout_engine("constrained")
        data = figure_bytes(fig, self.fmt, compact=self.mode == "static")
        drop_layout_engine(fig)   # the axes keep the positions it set
        for ax in fig.axes:
            ax._nblm_laid_out = True
        return data

    def update_artists(self, **values):
        """Call ``update(artists, **values)``: the compute part of a frame, without drawing.

        An exception from ``update`` (or ``setup``) propagates unchanged, with a note naming
        the function and the values.
        """
        try:
            result = self._update(self.artists, **values)
        except Exception as exc:   # the reader sees the chapter's own error, and where it came from
            exc.add_note(f"(in the update function {_name(self._update)} of a ResponsiveFigure, at {values})")
            raise
        if result is not None:
            raise TypeError(f"update function {_name(self._update)} must change the artists in place "
                            f"and return None; it returned {type(result).__name__}")

    @property
    def values(self):
        """The values currently selected, as passed to ``update``."""
        if self.mode == "static":
            return {c.name: c.value(s.index) for c, s in zip(self.controls, self.sliders)}
        values = {}
        for c, s in zip(self.controls, self.sliders):
            values[c.name] = c.value(s.index) if c.kind == "choice" else c.coerce(s.value)
        return values

    def update(self, **values):
        """Live mode: set the sliders to ``values`` and redraw (returns the new bytes).

        This is what a slider move does; benchmarks time it.  (Not the ``update``
        function given to the constructor: that one is :meth:`update_artists`.)
        """
        if self.mode != "live":
            raise RuntimeError("update() is for live mode; static frames are fixed at build time")
        unknown = set(values) - {c.name for c in self.controls}
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}")
        with self._hold():
            for c, s in zip(self.controls, self.sliders):
                if c.name not in values:
                    continue
                if c.kind == "choice":
                    hit = np.flatnonzero(np.isclose(c._array, float(values[c.name]), rtol=1e-12, atol=0))
                    if hit.size != 1:
                        raise ValueError(f"control {c.name!r} is a choice of {c.labels}; got {values[c.name]!r}")
                    s.index = int(hit[0])
                else:
                    s.value = values[c.name]
        self._redraw()
        return self.image.value

    # -- static: nested Stacks of precomputed frames ---------------------
    def _build_static(self):
        sliders = []
        for c in self.controls:
            s = widgets.SelectionSlider(options=c.labels, index=c.initial, description=c.label or c.name,
                                        continuous_update=True, style={"description_width": "initial"},
                                        layout=widgets.Layout(width="min(100%, 480px)"))
            s.add_class("nblm-control")
            sliders.append(s)
        cache = {}

        def frame(indices):
            values = {c.name: c.value(i) for c, i in zip(self.controls, indices)}
            data = self.draw(**values)
            key = hashlib.sha1(data).hexdigest()
            if key not in cache:  # identical frames share one Image model
                img = widgets.Image(value=data, format=self._image_format)
                img.add_class("nblm-frame")
                cache[key] = img
                self.frame_bytes += len(data)
            self.n_frames += 1
            return cache[key]

        stacks_by_level = [[] for _ in self.controls]

        def build(level, prefix):
            c = self.controls[level]
            if level == len(self.controls) - 1:
                children = [frame(prefix + (i,)) for i in range(len(c.values))]
            else:
                children = [build(level + 1, prefix + (i,)) for i in range(len(c.values))]
            stack = widgets.Stack(children, selected_index=c.initial)
            stack.add_class("nblm-frames")
            stacks_by_level[level].append(stack)
            return stack

        root = build(0, ())
        self.links = [widgets.jslink((slider, "index"), (stack, "selected_index"))
                      for slider, stacks in zip(sliders, stacks_by_level) for stack in stacks]
        self.image = None
        self._check_between_frames()
        return root, sliders

    def _check_between_frames(self):
        """Render once at values between the grid points, as only a live kernel would.

        The static site shows grid values only, so an ``update`` function
        that fails for other values (e.g. a table filled only at the grid
        values) would pass the book build and break for a reader who runs the
        notebook.  This draws one off-grid state (not
        shown, not encoded) so the build fails instead.
        """
        values = {}
        for c in self.controls:
            i = max(0, min(c.initial, len(c.values) - 2))
            lo, hi = c.value(i), c.value(i + 1)
            if c.kind in ("int", "choice"):
                values[c.name] = hi
            elif c.kind == "log":
                values[c.name] = float(np.sqrt(lo * hi))
            else:
                values[c.name] = 0.5 * (lo + hi)
        try:
            self.update_artists(**values)
        except Exception as exc:
            raise RuntimeError(f"update failed between the static frames, at {values} (what a live "
                               f"slider can select): {exc!r}") from exc

    # -- live: continuous sliders, redraw on change -----------------------
    def _build_live(self):
        sliders = []
        for c in self.controls:
            common = dict(description=c.label or c.name, continuous_update=True,
                          style={"description_width": "initial"},
                          layout=widgets.Layout(width="min(100%, 480px)"))
            s = self._live_slider(c, common)
            s.add_class("nblm-control")
            s.observe(self._on_change, names="index" if c.kind == "choice" else "value")
            sliders.append(s)
        self._holding = False
        self.sliders = sliders
        self.links = []
        self.image = widgets.Image(format=self._image_format)
        self.image.add_class("nblm-frame")
        self._redraw()
        return self.image, sliders

    @staticmethod
    def _live_slider(c, common):
        """The live slider of control ``c``: same range, scale and grid values as the static one."""
        lo, hi, v0 = c.value(0), c.value(-1), c.value(c.initial)
        if c.kind == "int":
            return widgets.IntSlider(value=v0, min=lo, max=hi, step=1, **common)
        if c.kind == "log":
            return widgets.FloatLogSlider(value=v0, base=10, min=np.log10(lo), max=np.log10(hi),
                                          step=c.step, readout_format=".3g", **common)
        if c.kind == "linear":
            return widgets.FloatSlider(value=v0, min=lo, max=hi, step=c.step, readout_format=".3g", **common)
        return widgets.SelectionSlider(options=c.labels, index=c.initial, **common)

    def _on_change(self, change):
        if not self._holding:
            self._redraw()

    def _redraw(self):
        self.image.value = self.draw(**self.values)

    @contextmanager
    def _hold(self):
        """Set several sliders without a redraw per slider."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    # -- display -----------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return (f"ResponsiveFigure(mode={self.mode!r}, controls={[c.name for c in self.controls]}, "
                f"n_frames={self.n_frames}, frame_bytes={self.frame_bytes})")


def _name(fn):
    return repr(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or fn)


def progress(total, description="solving", *, mode=None):
    """A progress bar for a live session; nothing at all on the static site.

    Returns ``tick(done, total=None)``, to be called as work proceeds (it fits
    the ``progress(done, total)`` callbacks of the physics helpers).  In live
    mode (see :func:`widget_mode`) the first call of :func:`progress` displays
    an :class:`ipywidgets.IntProgress` and every ``tick`` sets its value (and
    its maximum, if ``total`` is given).  In static mode -- the book build --
    nothing is displayed and ``tick`` does nothing, so no bookkeeping shows on
    the website.  ``tick.bar`` is the widget (``None`` when static).

    Parameters
    ----------
    total : int
        Number of steps, at least 0.
    description : str
        Label shown next to the bar.
    mode : {"static", "live"}, optional
        Default: ``$NBLM_WIDGET_MODE``, else ``"live"``.
    """
    def _count(v, what):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{what} must be an integer >= 0; got {v!r}")
        return int(v)

    total = _count(total, "total")
    if widget_mode(mode) != "live":
        def tick(done, total=None):
            _count(done, "done")
            if total is not None:
                _count(total, "total")

        tick.bar = None
        return tick

    from IPython.display import display

    bar = widgets.IntProgress(value=0, min=0, max=total, description=description)
    display(bar)

    def tick(done, total=None):
        if total is not None:
            bar.max = _count(total, "total")
        bar.value = min(_count(done, "done"), bar.max)

    tick.bar = bar
    return tick
