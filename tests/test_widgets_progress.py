"""Tests of nblm_helpers.widgets.progress: a bar in a live session, nothing on the static site."""

import ipywidgets as widgets
import IPython.display
import numpy as np
import pytest

from nblm_helpers.widgets import progress


@pytest.fixture
def shown(monkeypatch):
    """Everything passed to IPython's display() during the test."""
    out = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: out.extend(objs))
    return out


def test_static_displays_nothing_and_ticks_do_nothing(shown):
    tick = progress(5, "frames", mode="static")
    assert tick.bar is None
    for i in range(1, 6):
        assert tick(i) is None
    tick(2, 7)
    assert shown == []


def test_static_is_the_book_builds_default(shown, monkeypatch):
    monkeypatch.setenv("NBLM_WIDGET_MODE", "static")
    tick = progress(3)
    tick(3, 3)
    assert tick.bar is None and shown == []


def test_live_displays_one_bar_and_updates_its_value(shown):
    tick = progress(4, "solving", mode="live")
    assert len(shown) == 1 and shown[0] is tick.bar
    bar = tick.bar
    assert isinstance(bar, widgets.IntProgress)
    assert (bar.min, bar.max, bar.value, bar.description) == (0, 4, 0, "solving")
    tick(1)
    assert bar.value == 1
    tick(np.int64(3))
    assert bar.value == 3
    tick(6, 10)                       # a callback that reports its own total
    assert (bar.value, bar.max) == (6, 10)
    tick(12)                          # never beyond the end
    assert bar.value == 10
    assert len(shown) == 1            # ticks do not display again


def test_live_is_the_default_without_the_environment_variable(shown, monkeypatch):
    monkeypatch.delenv("NBLM_WIDGET_MODE", raising=False)
    tick = progress(2)
    assert isinstance(tick.bar, widgets.IntProgress) and len(shown) == 1


@pytest.mark.parametrize("total", [-1, 2.5, "3", None, True])
def test_bad_total_is_refused(total, shown):
    for mode in ("static", "live"):
        with pytest.raises(ValueError, match="total"):
            progress(total, mode=mode)
    assert shown == []


@pytest.mark.parametrize("mode", ["static", "live"])
def test_bad_tick_is_refused(mode, shown):
    tick = progress(3, mode=mode)
    with pytest.raises(ValueError, match="done"):
        tick(-1)
    with pytest.raises(ValueError, match="done"):
        tick(1.5)
    with pytest.raises(ValueError, match="total"):
        tick(1, -2)


def test_unknown_mode_is_refused(shown):
    with pytest.raises(ValueError, match="mode"):
        progress(3, mode="fast")
    assert shown == []
