"""Tests of nblm_helpers.widgets: static frames linked client-side, live redraws."""

import ipywidgets as widgets
import numpy as np
import pytest

from nblm_helpers.widgets import Control, ResponsiveFigure, widget_mode


X = np.linspace(0, 1, 20)


def make_fns(calls, setups=None):
    """A (setup, update) pair that records every update's values (and every setup's figure)."""
    def setup(fig):
        if setups is not None:
            setups.append(fig)
        ax = fig.add_subplot()
        return {"ax": ax, "line": ax.plot(X, X)[0]}

    def update(art, **values):
        calls.append(values)
        art["line"].set_ydata(values.get("a", 1.0) * X + values.get("b", 0.0))
        art["ax"].set_ylim(-1, 10)
        art["ax"].set_title(repr(sorted(values.items())))
    return setup, update


def test_static_single_control_builds_one_frame_per_value_and_links_index():
    calls = []
    c = Control("a", [0.5, 1.0, 2.0, 4.0], kind="log", label=r"\(a\)", initial=1)
    setups = []
    rf = ResponsiveFigure(*make_fns(calls, setups), [c], mode="static")
    assert rf.n_frames == 4 and len(calls) == 5 and setups == [rf._fig]   # setup once, update per frame
    assert [v["a"] for v in calls[:4]] == [0.5, 1.0, 2.0, 4.0]
    assert calls[4]["a"] == pytest.approx(np.sqrt(2.0))   # the off-grid check (log grid: geometric midpoint)
    slider = rf.sliders[0]
    assert isinstance(slider, widgets.SelectionSlider)
    assert slider.index == 1 and slider.options == ("0.5", "1", "2", "4")
    stack = rf.widget.children[1]
    assert isinstance(stack, widgets.Stack) and stack.selected_index == 1
    assert all(isinstance(ch, widgets.Image) and ch.format == "svg+xml" for ch in stack.children)
    links = [ln for ln in rf.links if ln.source == (slider, "index")]
    assert [ln.target for ln in links] == [(stack, "selected_index")]
    assert "nblm-responsive" in rf.widget._dom_classes and "nblm-static" in rf.widget._dom_classes
    assert rf.values == {"a": 1.0}


def test_static_two_controls_nest_stacks_and_share_identical_frames():
    calls = []
    setup, update = make_fns(calls)

    def update_ignoring_b(art, *, a, b):      # b has no effect: frames repeat
        update(art, a=a)

    rf = ResponsiveFigure(setup, update_ignoring_b, [Control("a", [1.0, 2.0, 3.0], kind="linear"), Control("b", [0, 1], kind="int")],
                          mode="static")
    assert rf.n_frames == 6
    outer = rf.widget.children[1]
    assert len(outer.children) == 3 and all(isinstance(s, widgets.Stack) for s in outer.children)
    inner_images = [img for s in outer.children for img in s.children]
    assert len({img.model_id for img in inner_images}) == 3   # shared models
    assert rf.frame_bytes == sum(len(outer.children[i].children[0].value) for i in range(3))
    slider_b = rf.sliders[1]
    targets = {ln.target[0].model_id for ln in rf.links if ln.source == (slider_b, "index")}
    assert targets == {s.model_id for s in outer.children}
    assert all(isinstance(ln, widgets.widget_link.Link) for ln in rf.links) and len(rf.links) == 1 + 3


def test_live_mode_redraws_for_any_value():
    calls = []
    setups = []
    rf = ResponsiveFigure(*make_fns(calls, setups), [Control("a", np.logspace(-1, 1, 5), kind="log"),
                                                      Control("b", [0, 1, 2], kind="int")], mode="live")
    assert isinstance(rf.sliders[0], widgets.FloatLogSlider)
    assert isinstance(rf.sliders[1], widgets.IntSlider)
    first = rf.image.value
    n = len(calls)
    new = rf.update(a=0.37, b=2)          # 0.37 is not a grid value
    assert len(calls) == n + 1                # one redraw for two sliders
    assert calls[-1] == {"a": pytest.approx(0.37), "b": 2} and isinstance(calls[-1]["b"], int)
    assert new != first and rf.image.value == new
    rf.sliders[0].value = 5.0                 # a reader dragging the slider
    assert calls[-1]["a"] == pytest.approx(5.0) and len(calls) == n + 2
    with pytest.raises(ValueError, match="unknown control"):
        rf.update(c=1)
    assert len(setups) == 1 and rf.artists["ax"] is rf._fig.axes[0]   # the same artists throughout


def test_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("NBLM_WIDGET_MODE", raising=False)
    assert widget_mode() == "live"
    monkeypatch.setenv("NBLM_WIDGET_MODE", "static")
    assert widget_mode() == "static"
    rf = ResponsiveFigure(*make_fns([]), [Control("a", [1.0, 2.0], kind="linear")])
    assert rf.mode == "static"
    with pytest.raises(RuntimeError, match="live mode"):
        rf.update(a=1.5)
    monkeypatch.setenv("NBLM_WIDGET_MODE", "dynamic")
    with pytest.raises(ValueError, match="mode must be one of"):
        widget_mode()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(name="1a", values=[1, 2]), "identifier"),
        (dict(name="a", values=[1]), ">= 2 finite"),
        (dict(name="a", values=[2, 1]), "strictly increasing"),
        (dict(name="a", values=[1, np.nan]), ">= 2 finite"),
        (dict(name="a", values=[1.0, 1.001], fmt="{:.1f}"), "duplicate labels"),
        (dict(name="a", values=[1, 2], initial=5), "initial"),
        (dict(name="a", values=[-1.0, 1.0], kind="log"), "positive"),
        (dict(name="a", values=[1, 2], kind="cubic"), "kind must be"),
        (dict(name="a", values=[1.5, 2], kind="int"), "integer values"),
        (dict(name="a", values=[0.01, 0.02, 0.05], kind="log"), "evenly spaced in log10"),
        (dict(name="a", values=[0.0, 1.0, 3.0], kind="linear"), "evenly spaced in value"),
        (dict(name="a", values=[6, 10, 20, 40], kind="int"), "evenly spaced in value"),
    ],
)
def test_bad_controls_are_rejected(kwargs, match):
    kwargs.setdefault("kind", "linear")
    with pytest.raises(ValueError, match=match):
        Control(**kwargs)


def test_kind_is_declared_never_guessed():
    with pytest.raises(TypeError, match="kind"):
        Control("a", [1, 2, 3])                      # no default: integers do not make an int slider


@pytest.mark.parametrize("values, kind, widget", [
    ([10.0, 100.0, 1e3, 1e4, 1e5], "log", widgets.FloatLogSlider),   # whole numbers, still a log slider
    ([0.25, 0.5, 0.75, 1.0, 1.25], "linear", widgets.FloatSlider),
    ([10, 20, 30, 40, 50], "int", widgets.IntSlider),
    ([0.01, 0.02, 0.05, 0.1], "choice", widgets.SelectionSlider),
])
def test_live_slider_has_the_static_range_scale_and_values(values, kind, widget):
    c = Control("a", values, kind=kind)
    live = ResponsiveFigure(*_updating_fns([]), [c], mode="live").sliders[0]
    static = ResponsiveFigure(*_updating_fns([]), [c], mode="static").sliders[0]
    assert isinstance(live, widget)
    assert list(static.options) == c.labels
    if kind == "choice":
        assert list(live.options) == list(static.options)
        return
    lo, hi = (np.log10(values[0]), np.log10(values[-1])) if kind == "log" else (values[0], values[-1])
    assert (live.min, live.max) == pytest.approx((lo, hi), rel=1e-12)
    coords = np.log10(values) if kind == "log" else np.asarray(values, float)
    k = (coords - coords[0]) / live.step
    assert np.allclose(k, np.round(k), atol=1e-6)    # every static value is a live slider position
    assert (hi - lo) / live.step >= 50 or kind == "int"


def test_bad_figure_arguments():
    c = Control("a", [1.0, 2.0], kind="linear")
    setup, update = make_fns([])
    with pytest.raises(ValueError, match="setup must be a callable"):
        ResponsiveFigure(None, update, [c], mode="static")
    with pytest.raises(ValueError, match="update must be a callable"):
        ResponsiveFigure(setup, None, [c], mode="static")
    with pytest.raises(TypeError):
        ResponsiveFigure(update, [c], mode="static")     # the old render form is gone
    with pytest.raises(ValueError, match="non-empty"):
        ResponsiveFigure(setup, update, [], mode="static")
    with pytest.raises(ValueError, match="unique"):
        ResponsiveFigure(setup, update, [c, c], mode="static")
    with pytest.raises(ValueError, match="fmt"):
        ResponsiveFigure(setup, update, [c], mode="static", fmt="gif")


@pytest.mark.parametrize("mode", ["static", "live"])
def test_a_failing_setup_or_update_is_named(mode):
    c = Control("a", [1.0, 2.0], kind="linear")
    setup, update = make_fns([])

    def broken_setup(fig):
        raise ZeroDivisionError("no axes today")

    def no_axes(fig):
        return {}

    def broken_update(art, *, a):
        return art["missing"]

    def returning_update(art, *, a):
        update(art, a=a)
        return art                                   # updates change artists in place

    with pytest.raises(ZeroDivisionError, match="no axes today") as err:
        ResponsiveFigure(broken_setup, update, [c], mode=mode)
    assert "setup function 'test_a_failing_setup_or_update_is_named.<locals>.broken_setup'" in err.value.__notes__[0]
    with pytest.raises(ValueError, match=r"setup function .*no_axes.* made no axes"):
        ResponsiveFigure(no_axes, update, [c], mode=mode)
    with pytest.raises(KeyError, match="missing") as err:
        ResponsiveFigure(setup, broken_update, [c], mode=mode)
    assert "update function 'test_a_failing_setup_or_update_is_named.<locals>.broken_update'" in err.value.__notes__[0]
    assert f"at {{'a': {1.0 if mode == 'static' else 2.0}}}" in err.value.__notes__[0]
    with pytest.raises(TypeError, match=r"update function .*returning_update.* must change the artists in place"):
        ResponsiveFigure(setup, returning_update, [c], mode=mode)


def test_update_artists_is_the_compute_part_without_drawing():
    calls = []
    rf = ResponsiveFigure(*make_fns(calls), [Control("a", [1.0, 2.0], kind="linear")], mode="live")
    before = rf.image.value
    assert rf.update_artists(a=1.7) is None
    assert calls[-1] == {"a": 1.7} and rf.image.value == before   # artists changed, nothing encoded
    assert list(rf.artists["line"].get_ydata()) == list(1.7 * X)


def test_instances_are_registered_for_the_benchmarks():
    rf = ResponsiveFigure(*make_fns([]), [Control("a", [1.0, 2.0], kind="linear")], mode="live")
    assert rf in ResponsiveFigure.instances()


def _updating_fns(calls, *, wide_at=None):
    """(setup, update) of one line whose y data and limits follow ``a``."""
    def setup(fig):
        ax = fig.add_subplot()
        ax.plot(X, X)
        ax.set_ylabel("y")
        return ax

    def update(ax, *, a):
        calls.append(a)
        ax.lines[0].set_ydata(a * X)
        ax.set_ylim(0, 3)
        if wide_at is not None and a >= wide_at:   # tick labels far wider than in the first frame
            ax.yaxis.set_major_formatter(lambda v, pos: f"{v:.0f} tick label grown wide")
    return setup, update


def test_layout_is_computed_once_while_the_axes_are_kept():
    calls = []
    rf = ResponsiveFigure(*_updating_fns(calls), [Control("a", [1.0, 2.0, 3.0], kind="linear")], mode="live")
    ax = rf._fig.axes[0]
    # no engine at all: a placeholder engine would make savefig run a dry layout draw on every frame
    assert ax._nblm_laid_out and rf._fig.get_layout_engine() is None
    pos = ax.get_position().bounds
    assert pos != (0.125, 0.11, 0.775, 0.77)        # the constrained layout's, not matplotlib's default
    from matplotlib.figure import Figure

    draws = []
    original = Figure.draw
    try:
        Figure.draw = lambda fig, renderer: (draws.append(1), original(fig, renderer))[1]
        rf.update(a=2.7)
        rf.update(a=1.3)
    finally:
        Figure.draw = original
    assert ax.get_position().bounds == pos           # frozen: no layout pass, no jumping plot
    assert len(draws) == 2 and rf._fig.get_layout_engine() is None   # one draw per move, engine still gone


def test_new_axes_are_laid_out_again():
    setup, update = make_fns([])

    def update_with_inset(art, *, a):                # not what update should do, but handled
        update(art, a=a)
        art["ax"].figure.add_subplot(2, 2, 4)

    rf = ResponsiveFigure(setup, update_with_inset, [Control("a", [1.0, 2.0], kind="linear")], mode="live")
    rf.update(a=1.5)
    assert all(getattr(ax, "_nblm_laid_out", False) for ax in rf._fig.axes)


def test_static_frame_that_outgrows_the_frozen_layout_is_laid_out_afresh():
    from nblm_helpers._mpl_compat import fits_canvas

    calls = []
    rf = ResponsiveFigure(*_updating_fns(calls, wide_at=3.0), [Control("a", [1.0, 2.0, 3.0], kind="linear", initial=0)],
                          mode="static")
    assert rf.n_frames == 3 and rf.n_relayout == 1   # only the frame with the wide labels
    assert fits_canvas(rf._fig)
    plain = ResponsiveFigure(*_updating_fns([]), [Control("a", [1.0, 2.0, 3.0], kind="linear")], mode="static")
    assert plain.n_relayout == 0


def test_live_frames_skip_the_svg_compaction_static_frames_keep_it():
    live = ResponsiveFigure(*_updating_fns([]), [Control("a", [1.0, 2.0], kind="linear")], mode="live")
    static = ResponsiveFigure(*_updating_fns([]), [Control("a", [1.0, 2.0], kind="linear")], mode="static")
    frame = static.widget.children[1].children[static.controls[0].initial].value
    assert b"\n  " in bytes(live.image.value) and b"\n  " not in bytes(frame)


def test_static_build_fails_if_update_breaks_between_grid_values():
    grid = [1.0, 2.5, 6.25]

    def setup(fig):
        return fig.add_subplot().plot([0, 1], [0, 1])[0]

    def update(line, *, a):
        if a not in grid:
            raise KeyError(a)               # e.g. a lookup table filled only at the grid values
        line.set_ydata([0, a])

    with pytest.raises(RuntimeError, match=r"update failed between the static frames, at \{'a': 1.58"):
        ResponsiveFigure(setup, update, [Control("a", grid, kind="log", initial=0)], mode="static")
    calls = []
    ResponsiveFigure(*_updating_fns(calls), [Control("a", grid, kind="log", initial=2)], mode="static")
    assert calls[-1] == pytest.approx(np.sqrt(2.5 * 6.25))   # log grid: geometric midpoint of the last pair
