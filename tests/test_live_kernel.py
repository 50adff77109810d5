"""Every chapter in a reader's live kernel, and every widget the same live as on the site.

The book build executes the chapters with ``NBLM_WIDGET_MODE=static``, so the
live widgets a reader gets in Jupyter are never exercised by it.  Here each
chapter of the toc is executed with nbclient in a kernel *without* that
variable (cwd book/, warnings turned into errors, any stderr output a
failure).  In the same kernel, after the last cell, tests/live_probe.py moves
every control of every :class:`ResponsiveFigure` through all its grid values,
one off-grid value a live slider can select, and back -- through the slider,
as a reader's drag -- and each move must draw a new figure without an error or
a warning, with no title or annotation printing a number to more than four
significant digits (a raw live value such as 0.62125).

The probe's description of every live slider is then compared with the
static page of the built site (``_build/html/book/<chapter>.html``): the same
number of widgets and of sliders per widget; per control the same label, the
static options exactly the control's labels, the same initial value, a live
slider of the class the declared kind asks for (log -> FloatLogSlider, linear
-> FloatSlider, int -> IntSlider, choice -> SelectionSlider) spanning exactly
the grid with every grid value on its step lattice, and the same scale: the
static slider puts the grid values at evenly spaced positions, so the live
slider must put them at the same positions (an evenly spaced grid in the
slider's coordinate, value or log10 of it; an uneven grid must be a choice).

``NBLM_LIVE_NOTEBOOKS`` points the test at another directory of notebooks
(e.g. exported from a commit); the kernel's cwd is always book/.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import resource
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import BOOK, HTML, require
from live_probe import MARK, describe_control
from test_notebooks import toc_files

NB_DIR = Path(os.environ.get("NBLM_LIVE_NOTEBOOKS", BOOK))
PROBE = Path(__file__).with_name("live_probe.py")
TIMEOUT = 600   # per cell, seconds

CHAPTERS = [NB_DIR / f"{Path(f).name}.ipynb" for f in toc_files()
            if (NB_DIR / f"{Path(f).name}.ipynb").exists()]

SLIDER_OF_KIND = {"log": "FloatLogSlider", "linear": "FloatSlider", "int": "IntSlider",
                  "choice": "SelectionSlider"}

SETUP_CELL = """\
import os as _nblm_os, warnings as _nblm_warnings
_nblm_warnings.simplefilter("error")
from nblm_helpers.widgets import widget_mode as _nblm_widget_mode
assert "NBLM_WIDGET_MODE" not in _nblm_os.environ and _nblm_widget_mode() == "live", \\
    (_nblm_os.environ.get("NBLM_WIDGET_MODE"), _nblm_widget_mode())
del _nblm_os, _nblm_warnings, _nblm_widget_mode
"""

PROBE_CELL = f"""\
import importlib.util as _nblm_util
_nblm_spec = _nblm_util.spec_from_file_location("nblm_live_probe", {str(PROBE)!r})
_nblm_probe = _nblm_util.module_from_spec(_nblm_spec)
_nblm_spec.loader.exec_module(_nblm_probe)
_nblm_probe.main()
"""


# -- running a notebook live ----------------------------------------------------
def run_live(nb, *, cwd=BOOK, timeout=TIMEOUT):
    """Execute ``nb`` in a live kernel, then the probe in the same kernel.

    Returns a dict: ``nb`` (the executed copy, without the set-up and probe
    cells), ``report`` (the probe's JSON, None if it did not run), ``error``
    (a cell's error, or None), ``probe_stderr`` and timings in seconds.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = copy.deepcopy(nb)
    chapter_cells = nb.cells
    nb.cells = [new_code_cell(SETUP_CELL), *chapter_cells, new_code_cell(PROBE_CELL)]
    env = {k: v for k, v in os.environ.items() if k != "NBLM_WIDGET_MODE"}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            store_widget_state=False, shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(cwd)}})
    out = {"report": None, "error": None, "probe_stderr": "", "seconds_execute": 0.0, "seconds_probe": 0.0}
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with client.setup_kernel(env=env):
        try:
            for i, cell in enumerate(nb.cells[:-1]):
                if cell.cell_type == "code":
                    client.execute_cell(cell, i)
            t1 = time.perf_counter()
            out["seconds_execute"] = t1 - t0
            client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
            out["seconds_probe"] = time.perf_counter() - t1
        except CellExecutionError as exc:
            out["error"] = str(exc)
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)   # the kernel, reaped at shutdown
    out["cpu_kernel"] = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    for o in nb.cells[-1].outputs:
        if o.output_type == "stream" and o.name == "stdout":
            for line in o.text.splitlines():
                if line.startswith(MARK):
                    out["report"] = json.loads(line[len(MARK):])
        elif o.output_type == "stream" and o.name == "stderr":
            out["probe_stderr"] += o.text
    out["setup_outputs"] = nb.cells[0].outputs
    nb.cells = nb.cells[1:-1]
    out["nb"] = nb
    return out


def displayed_widget_ids(nb):
    """Model ids of the widgets the executed notebook displays, in document order."""
    ids = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            view = o.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                ids.append(view["model_id"])
    return ids


def makes_responsive_figures(nb):
    """Whether a code cell of ``nb`` calls ``ResponsiveFigure(``."""
    return any(c.cell_type == "code" and "ResponsiveFigure(" in c.source for c in nb.cells)


def ordered_widgets(result):
    """The probe's widgets in the order the notebook displays them (undisplayed ones last)."""
    shown = displayed_widget_ids(result["nb"])
    widgets = result["report"]["widgets"]
    pos = {mid: i for i, mid in enumerate(shown)}
    return sorted(widgets, key=lambda w: pos.get(w["model_id"], len(pos)))


def live_problems(result, *, expect_widgets):
    """Everything wrong with a live run, as readable lines (empty: all good)."""
    problems = []
    if result["error"]:
        problems.append(f"a cell failed in the live kernel:\n{result['error']}")
    for i, cell in enumerate(result["nb"].cells):
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and o.name == "stderr":
                problems.append(f"cell {i} wrote to stderr (a warning?):\n{o.text[:2000]}")
            if o.output_type == "error":
                problems.append(f"cell {i} raised {o.ename}: {o.evalue}")
    for o in result["setup_outputs"]:
        if o.output_type in ("error", "stream"):
            problems.append(f"the set-up cell: {o.get('text') or o.get('evalue')}")
    if result["probe_stderr"]:
        problems.append(f"the probe wrote to stderr:\n{result['probe_stderr'][:2000]}")
    report = result["report"]
    if report is None:
        if not result["error"]:
            problems.append("the probe printed no report")
        return problems
    if report["widget_mode"] != "live" or report["env_NBLM_WIDGET_MODE"] is not None:
        problems.append(f"the kernel was not live: widget_mode()={report['widget_mode']!r}, "
                        f"NBLM_WIDGET_MODE={report['env_NBLM_WIDGET_MODE']!r}")
    widgets = report["widgets"]
    shown = set(displayed_widget_ids(result["nb"]))
    if expect_widgets and not widgets:
        problems.append("the notebook calls ResponsiveFigure( but no instance lives in the kernel")
    hidden = [w["model_id"] for w in widgets if w["model_id"] not in shown]
    if hidden:
        problems.append(f"{len(hidden)} of {len(widgets)} ResponsiveFigure instances are not displayed")
    for k, w in enumerate(ordered_widgets(result)):
        names = [c["name"] for c in w["controls"]]
        if w["mode"] != "live":
            problems.append(f"widget {k} {names}: mode {w['mode']!r}")
        # per control >= n moves: to each grid value but the starting one, off the grid or back
        needed = sum(len(c["values"]) for c in w["controls"])
        if w["moves"] < needed:
            problems.append(f"widget {k} {names}: only {w['moves']} moves (expected >= {needed})")
        for f in w["failures"]:
            problems.append(f"widget {k} {names}: moving {f['control']} to {f['target']}: {f['problem']}")
    return problems


# -- the static page ------------------------------------------------------------
_STATE_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
_VIEW_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)


def static_widgets(html):
    """The ResponsiveFigures of a built page, in document order: per widget its slider states.

    Walks each displayed widget view (in document order) through its
    children; every box with the class ``nblm-responsive`` is one widget, and
    its SelectionSlider models with the class ``nblm-control`` are its
    sliders, outermost first.
    """
    states = _STATE_RE.findall(html)
    if not states:
        return []
    models = {}
    for s in states:
        models.update(json.loads(s)["state"])

    def walk(mid):
        m = models.get(mid)
        if m is None:
            return
        yield mid, m
        for child in m["state"].get("children", []):
            yield from walk(child.removeprefix("IPY_MODEL_"))

    found = []
    for view in _VIEW_RE.findall(html):
        for mid, m in walk(json.loads(view)["model_id"]):
            if "nblm-responsive" in m["state"].get("_dom_classes", []):
                found.append([s["state"] for _, s in walk(mid)
                              if s["model_name"] == "SelectionSliderModel"
                              and "nblm-control" in s["state"].get("_dom_classes", [])])
    return found


def _on_lattice(coords, origin, step, tol=1e-6):
    return all(abs((x - origin) / step - round((x - origin) / step)) <= tol for x in coords)


def control_parity_problems(c, st):
    """How live control ``c`` (the probe's description) differs from static slider state ``st``."""
    p = []
    want = SLIDER_OF_KIND.get(c["kind"])
    if c["slider"] != want:
        p.append(f"kind {c['kind']!r} but the live slider is a {c['slider']} (expected {want})")
    if c["description"] != st.get("description"):
        p.append(f"label live {c['description']!r} != static {st.get('description')!r}")
    static_options = list(st.get("_options_labels", []))
    if static_options != c["labels"]:
        p.append(f"static options {static_options} != the control's labels {c['labels']}")
    static_index = st.get("index", 0)   # an embedded state may drop defaults (the model's is 0)
    if static_index != c["initial"]:
        p.append(f"static initial index {static_index} != the control's initial {c['initial']}")
    values, n = c["values"], len(c["values"])
    if c["kind"] == "choice" or c["slider"] == "SelectionSlider":
        if c.get("options") != c["labels"]:
            p.append(f"live options {c.get('options')} != the labels {c['labels']}")
        if c.get("index") != c["initial"]:
            p.append(f"live initial index {c.get('index')} != {c['initial']}")
        return p
    if "min" not in c:
        return p + [f"the live {c['slider']} has no min/max"]
    log = c["kind"] == "log"
    if log and c.get("base") != 10.0:
        p.append(f"log slider base {c.get('base')} (expected 10)")
    if log and min(values) <= 0:
        return p + [f"log control with non-positive values {values}"]
    coords = [math.log10(v) for v in values] if log else values
    scale = "log10 " if log else ""
    if not (math.isclose(c["min"], coords[0], rel_tol=1e-9, abs_tol=1e-12)
            and math.isclose(c["max"], coords[-1], rel_tol=1e-9, abs_tol=1e-12)):
        p.append(f"live {scale}range [{c['min']:.12g}, {c['max']:.12g}] != the grid's "
                 f"[{coords[0]:.12g}, {coords[-1]:.12g}]")
    if not c["step"] > 0:
        p.append(f"live step {c['step']}")
    elif not _on_lattice(coords, c["min"], c["step"]):
        p.append(f"grid values {values} not all on the live slider's {scale}steps of {c['step']:.6g} "
                 f"from {c['min']:.6g}")
    if c["kind"] == "int" and c["step"] != 1:
        p.append(f"int slider step {c['step']} (expected 1)")
    if not math.isclose(c["value"], values[c["initial"]], rel_tol=1e-9):
        p.append(f"live initial value {c['value']} != grid value {values[c['initial']]}")
    # same scale: the static slider puts grid value i at i/(n-1) of its length
    span = coords[-1] - coords[0]
    dev = max(abs((x - coords[0]) / span - i / (n - 1)) for i, x in enumerate(coords))
    if dev > 1e-6:
        p.append(f"scale differs: the static slider spaces {c['labels']} evenly, the live {c['slider']} "
                 f"places them at {[round((x - coords[0]) / span, 3) for x in coords]} of its length "
                 f"(max shift {dev:.2f}); an uneven grid needs kind='choice' or an even grid")
    return p


def parity_problems(live, static):
    """Live widgets (probe reports, document order) vs the static page's sliders per widget."""
    problems = []
    if len(live) != len(static):
        problems.append(f"{len(live)} live widgets but {len(static)} on the static page")
    for k, (w, sliders) in enumerate(zip(live, static)):
        names = [c["name"] for c in w["controls"]]
        if len(w["controls"]) != len(sliders):
            problems.append(f"widget {k} {names}: {len(w['controls'])} controls live, "
                            f"{len(sliders)} sliders static")
        for c, st in zip(w["controls"], sliders):
            problems += [f"widget {k} {names}, control {c['name']!r}: {p}"
                         for p in control_parity_problems(c, st)]
    return problems


def _fmt(problems):
    return "\n".join(f"  - {p}" for p in problems)


# -- the chapters ------------------------------------------------------------------
@pytest.mark.live
@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_live_and_same_as_static(path, request):
    nb = nbformat.read(path, as_version=4)
    result = run_live(nb)
    report = result["report"] or {"widgets": []}
    moves = sum(w["moves"] for w in report["widgets"])
    print(f"{path.stem}: executed live in {result['seconds_execute']:.1f} s, probe "
          f"{result['seconds_probe']:.1f} s ({len(report['widgets'])} widgets, {moves} moves); "
          f"kernel CPU {result['cpu_kernel']:.1f} s")
    print(json.dumps(report, indent=1))
    problems = live_problems(result, expect_widgets=makes_responsive_figures(nb))
    page = HTML / "book" / f"{path.stem}.html"
    if not problems:   # the live run is clean: now the static page (skipped locally when unbuilt)
        request.getfixturevalue("built_site")
        require(page.exists(), f"{page} is missing; run `make book` first")
    if page.exists() and result["report"] is not None:
        problems += parity_problems(ordered_widgets(result), static_widgets(page.read_text()))
    assert not problems, f"{path.stem}:\n{_fmt(problems)}"


# -- the tests can fail ---------------------------------------------------------------
BROKEN_NOTEBOOK = [
    """\
import warnings
import numpy as np
from nblm_helpers.widgets import Control, ResponsiveFigure

def setup(fig):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    return ax

def update_ignores_b(ax, *, a, b):
    ax.set_title(f"a = {a}")   # b is never drawn: moving it leaves the figure unchanged

ignores_b = ResponsiveFigure(setup, update_ignores_b, [Control("a", [1.0, 2.0, 3.0], kind="linear"),
                                                       Control("b", [1, 2], kind="int", initial=0)])
ignores_b""",
    """\
def update_grid_only(ax, *, x):
    if x not in (0.01, 0.1, 1.0):
        raise ValueError(f"x = {x} is off the grid")
    if x == 1.0:
        warnings.warn("x = 1 warns", RuntimeWarning)
    ax.set_title(f"x = {x}")

grid_only = ResponsiveFigure(setup, update_grid_only, [Control("x", [0.01, 0.1, 1.0], kind="log", initial=0)])
grid_only""",
    """\
try:
    warnings.warn("is this an error?", UserWarning)
    print("warnings are not errors")
except UserWarning:
    print("warnings are errors")""",
    """\
hidden = ResponsiveFigure(setup, update_grid_only, [Control("x", [0.01, 0.1, 1.0], kind="log", initial=0)])""",
]


@pytest.mark.live
def test_the_probe_reports_unchanged_figures_errors_warnings_and_hidden_widgets():
    nb = new_notebook(cells=[new_code_cell(src) for src in BROKEN_NOTEBOOK])
    result = run_live(nb)
    assert result["error"] is None, result["error"]
    problems = live_problems(result, expect_widgets=True)
    text = "\n".join(problems)
    widgets = ordered_widgets(result)
    assert len(widgets) == 3
    ignores_b, grid_only = widgets[0], widgets[1]
    assert ignores_b["controls"][0]["name"] == "a" and not any(f["control"] == "a" for f in ignores_b["failures"])
    b_fail = [f for f in ignores_b["failures"] if f["control"] == "b"]
    assert b_fail and all(f["problem"] == "the figure did not change" for f in b_fail)
    assert "moving b to grid[1]=2: the figure did not change" in text
    problems_x = {f["target"]: f["problem"] for f in grid_only["failures"]}
    off = [t for t in problems_x if t.startswith("off-grid")]
    assert len(off) == 1 and problems_x[off[0]].startswith("ValueError: x = ") and "off the grid" in problems_x[off[0]]
    assert problems_x["grid[2]=1"].startswith("RuntimeWarning: x = 1 warns")
    assert "1 of 3 ResponsiveFigure instances are not displayed" in text
    assert result["nb"].cells[2].outputs[0].text == "warnings are errors\n"   # the set-up cell's filter holds


def test_live_problems_reports_cell_errors_stderr_and_missing_widgets():
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: oops\n")]
    result = {"error": None, "nb": nb, "setup_outputs": [], "probe_stderr": "",
              "report": {"widget_mode": "static", "env_NBLM_WIDGET_MODE": "static", "widgets": []}}
    text = "\n".join(live_problems(result, expect_widgets=True))
    assert "cell 0 wrote to stderr" in text and "UserWarning: oops" in text
    assert "the kernel was not live" in text
    assert "no instance lives in the kernel" in text


def _pair(controls):
    """In-process: the live description and the static slider states of the same controls."""
    from nblm_helpers.widgets import ResponsiveFigure

    def setup(fig):
        return fig.add_subplot()

    def update(ax, **values):
        ax.set_title(repr(values))

    live = ResponsiveFigure(setup, update, controls, mode="live")
    static = ResponsiveFigure(setup, update, controls, mode="static")
    return ({"model_id": live.widget.model_id, "controls": [describe_control(c, s) for c, s in
                                                             zip(live.controls, live.sliders)]},
            [s.get_state() for s in static.sliders], static)


def test_parity_passes_for_a_matching_pair_and_reads_an_embedded_page(tmp_path):
    import ipywidgets
    from ipywidgets.embed import embed_minimal_html

    from nblm_helpers.widgets import Control

    controls = [Control("g", [1e-3, 1e-2, 1e-1], kind="log", label=r"\(g\)", fmt="{:g}"),   # 24 frames
                Control("n", [1, 2], kind="int", initial=0),
                Control("s", [0.5, 1.0], kind="linear"),
                Control("c", [0.1, 0.3], kind="choice")]
    live, static_states, static = _pair(controls)
    assert parity_problems([live], [[{**s, "_options_labels": list(s["_options_labels"])}
                                     for s in static_states]]) == []
    page = tmp_path / "page.html"
    embed_minimal_html(page, views=[ipywidgets.HTML("before"), static.widget])
    from_page = static_widgets(page.read_text())
    assert len(from_page) == 1 and [s["description"] for s in from_page[0]] == [r"\(g\)", "n", "s", "c"]
    assert parity_problems([live], from_page) == []


def test_parity_reports_every_kind_of_mismatch():
    from nblm_helpers.widgets import Control

    live, static, _ = _pair([Control("g", [1e-3, 1e-2, 1e-1], kind="log", label="g"),
                             Control("n", [1, 2, 3], kind="int")])
    static = [dict(s, _options_labels=list(s["_options_labels"])) for s in static]
    bad_static = [dict(static[0], description="gamma", _options_labels=["0.001", "0.01", "0.2"], index=0),
                  static[1]]
    text = "\n".join(parity_problems([live], [bad_static]))
    assert "label live 'g' != static 'gamma'" in text
    assert "static options ['0.001', '0.01', '0.2']" in text
    assert "static initial index 0 != the control's initial 1" in text
    uneven = copy.deepcopy(live)     # Control refuses an uneven int grid; tamper with the record
    uneven["controls"][1].update(values=[1.0, 2.0, 4.0], labels=["1", "2", "4"], max=4.0)
    text = "\n".join(parity_problems([uneven], [static]))
    assert "scale differs" in text and "'n'" in text   # 1, 2, 4 on a linear IntSlider: uneven
    bad_live = copy.deepcopy(live)
    bad_live["controls"][0].update(slider="FloatSlider", min=-3.0, max=-0.5, step=0.3)
    text = "\n".join(parity_problems([bad_live], [static]))
    assert "kind 'log' but the live slider is a FloatSlider (expected FloatLogSlider)" in text
    assert "live log10 range [-3, -0.5] != the grid's [-3, -1]" in text
    assert "not all on the live slider's log10 steps of 0.3" in text
    assert "1 live widgets but 2 on the static page" in "\n".join(parity_problems([live], [static, static]))
    assert "2 controls live, 1 sliders static" in "\n".join(parity_problems([live], [static[:1]]))


def test_probe_catches_unrounded_numbers_in_titles():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from live_probe import unrounded_texts

    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("ΞlnK = 0.62125")                 # what a live slider between grid values passes
    ax.text(0, 0, "J = 100000, γ = 0.0114")      # rounded: fine
    assert unrounded_texts(fig) == ["ΞlnK = 0.62125"]
    ax.set_title(f"ΞlnK = {0.62125:.3g}")
    assert unrounded_texts(fig) == []
