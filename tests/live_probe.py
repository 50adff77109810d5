"""Probe run *inside* a chapter's live kernel (tests/test_live_kernel.py).

After the chapter has executed, :func:`main` moves every control of every live
:class:`~nblm_helpers.widgets.ResponsiveFigure` through its grid values (in
order), to one off-grid value a live slider can select, and back to the
initial value -- each time through the slider itself, as a reader's drag
would -- and checks that each move drew a new figure, reached the value asked
for, and raised no exception or warning.  It prints one line, :data:`MARK`
followed by a JSON report, which the test parses from the cell's output.

This file is loaded by path in the kernel (the kernel's cwd is book/), so it
imports nothing from tests/.
"""

from __future__ import annotations

import json
import math
import re
import os
import time
import traceback
import warnings

MARK = "NBLM-LIVE-PROBE "


def _off_grid(c, slider):
    """One value the live slider can select that is not a grid value (None if there is none)."""
    vals = [float(v) for v in c.values]
    if c.kind == "choice":
        return None
    if c.kind == "int":
        grid = {int(round(v)) for v in vals}
        free = [k for k in range(int(vals[0]), int(vals[-1]) + 1) if k not in grid]
        return free[0] if free else None
    for k in range(1, 10_000):   # the first lattice point above the first grid value that is off the grid
        if c.kind == "log":
            v = 10.0 ** (math.log10(vals[0]) + k * c.step)
        else:
            v = vals[0] + k * c.step
        if v > vals[-1] * (1 + 1e-12):
            return None
        if all(not math.isclose(v, g, rel_tol=1e-9, abs_tol=0.0) for g in vals):
            return v
    return None


def describe_control(c, s):
    """The live slider of control ``c`` as plain data (also used in-process by the unit tests)."""
    d = {"name": c.name, "kind": c.kind, "slider": type(s).__name__, "description": s.description,
         "values": [float(v) for v in c.values], "labels": list(c.labels), "initial": c.initial,
         "step_declared": c.step}
    if hasattr(s, "options"):
        d["options"] = [str(o) for o in s.options]
        d["index"] = s.index
    else:
        d.update(min=float(s.min), max=float(s.max), step=float(s.step), value=float(s.value))
        if hasattr(s, "base"):
            d["base"] = float(s.base)
    return d


def _set(c, s, index=None, value=None):
    """Move slider ``s`` as a reader's drag would: by ``index`` (choice) or by ``value``."""
    if c.kind == "choice":
        s.index = index
    else:
        s.value = value


def _current(c, s):
    return s.index if c.kind == "choice" else float(s.value)


def _same(c, current, target):
    if c.kind == "choice":
        return current == target
    return math.isclose(current, float(target), rel_tol=1e-12, abs_tol=0.0)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _significant_digits(token):
    digits = token.replace(".", "").lstrip("0")
    return len(digits if "." in token else digits.rstrip("0"))


def _unrounded(text, max_digits=4):
    """Whether ``text`` prints a number with more than ``max_digits`` significant digits (0.62125)."""
    return any(_significant_digits(t) > max_digits for t in _NUMBER.findall(text))


def unrounded_texts(fig):
    """Titles and annotations of ``fig`` that print a number unrounded (what an off-grid live value shows)."""
    texts = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    for ax in fig.axes:
        texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
        texts += [t.get_text() for t in ax.texts]
    return [t for t in texts if _unrounded(t)]


def probe_widget(rf):
    """Move every control of live widget ``rf`` through its values; return the report of it."""
    report = {"model_id": rf.widget.model_id, "mode": rf.mode,
              "controls": [describe_control(c, s) for c, s in zip(rf.controls, rf.sliders)],
              "moves": 0, "skipped": 0, "failures": [], "seconds": 0.0}
    if rf.mode != "live":
        report["failures"].append({"control": None, "target": None, "problem": f"mode is {rf.mode!r}"})
        return report
    t0 = time.perf_counter()
    for c, s in zip(rf.controls, rf.sliders):
        n = len(c.values)
        targets = [(f"grid[{i}]={c.labels[i]}", i, c.value(i)) for i in range(n)]
        off = _off_grid(c, s)
        if off is not None:
            targets.append((f"off-grid {off:.6g}", None, c.coerce(off)))
        targets.append((f"back to initial grid[{c.initial}]", c.initial, c.value(c.initial)))
        for what, index, value in targets:
            if _same(c, _current(c, s), index if c.kind == "choice" else value):
                report["skipped"] += 1   # already there: no move, no redraw
                continue
            before = rf.image.value
            report["moves"] += 1
            fail = {"control": c.name, "target": what}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    _set(c, s, index=index, value=value)
            except BaseException as exc:  # noqa: BLE001 - every failure is reported, not raised
                tb = traceback.extract_tb(exc.__traceback__)
                where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
                report["failures"].append({**fail, "problem": f"{type(exc).__name__}: {exc}{where}"})
                continue
            after = rf.image.value
            if not after:
                report["failures"].append({**fail, "problem": "empty figure"})
            elif after == before:
                report["failures"].append({**fail, "problem": "the figure did not change"})
            bad_text = unrounded_texts(rf._fig)
            if bad_text:
                report["failures"].append({**fail, "problem": f"unrounded number in the figure's text: {bad_text}"})
            got = rf.values[c.name]
            if not math.isclose(float(got), float(value), rel_tol=1e-9, abs_tol=0.0):
                report["failures"].append({**fail, "problem": f"update received {c.name}={got!r}, not {value!r}"})
    report["seconds"] = round(time.perf_counter() - t0, 3)
    return report


def probe():
    """The report on every ResponsiveFigure in this kernel."""
    from nblm_helpers.widgets import ResponsiveFigure, widget_mode

    return {"widget_mode": widget_mode(), "env_NBLM_WIDGET_MODE": os.environ.get("NBLM_WIDGET_MODE"),
            "widgets": [probe_widget(rf) for rf in ResponsiveFigure.instances()]}


def main():
    print(MARK + json.dumps(probe()), flush=True)
