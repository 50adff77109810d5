"""Widget compute time of this tree against a baseline tree, interleaved in one run.

    .venv/bin/python benchmarks/compare_widgets.py --baseline /path/to/other/clone [--runs 7] [NAME ...]

The "compute" part of a slider move is what ``benchmarks/run.py --only widgets``
reports: ``ResponsiveFigure.update_artists(**values)`` (physics + artist
updates, no drawing) at the same 9 values between the static frames.  Here
each chapter's code cells are executed in a fresh Python process (Agg
backend, live widget mode) up to the cell that makes its widget, for the
baseline and for this tree alternately (``PYTHONPATH``), ``--runs`` times
each; a run reports the median over the 9 values.  Printed per widget:
median and min-max over the runs, for both trees.  On a shared machine only
such interleaved numbers are comparable.  Nothing is cached between moves
(every value is a new solve), and nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["phase_diagram", "saddle_point", "self_consistent_bath", "temperature", "validity_window"]

CHILD = r"""
import contextlib, io, json, os, statistics, sys, time, warnings
os.environ["NBLM_WIDGET_MODE"] = "live"
import matplotlib
matplotlib.use("Agg")
import nbformat
from nblm_helpers.widgets import ResponsiveFigure

out = {}
for name in sys.argv[1:]:
    nb = nbformat.read(os.path.join("book", name + ".ipynb"), as_version=4)
    ns = {"__name__": "__nb__"}
    cwd = os.getcwd()
    os.chdir("book")
    try:
        for c in nb.cells:
            if c.cell_type != "code":
                continue
            src = "\n".join(ln for ln in c.source.splitlines() if not ln.lstrip().startswith(("%", "!")))
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                exec(compile(src, name, "exec"), ns)
            if "ResponsiveFigure(" in c.source:
                break
    finally:
        os.chdir(cwd)
    (w,) = [v for v in ns.values() if isinstance(v, ResponsiveFigure)]
    # the values of benchmarks/run.py's WIDGET_PROBE: between the precomputed frames
    vals = []
    for k in range(10):
        v = {}
        for c in w.controls:
            g = c._array
            i = (k * 3 + 1) % (len(g) - 1)
            x = g[i] + (g[i + 1] - g[i]) * 0.37 if c.kind not in ("int", "choice") else g[i + 1]
            v[c.name] = int(x) if c.kind == "int" else float(x)
        vals.append(v)
    w.update_artists(**vals[0])  # warm-up
    ts = []
    for v in vals[1:]:
        t0 = time.perf_counter()
        w.update_artists(**v)
        ts.append(time.perf_counter() - t0)
    out[name] = statistics.median(ts)
print("NBLM_COMPARE_JSON" + json.dumps(out))
"""


def one_run(tree, names):
    env = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    p = subprocess.run([sys.executable, "-c", CHILD, *names], cwd=tree, env=env, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"run in {tree} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.split("NBLM_COMPARE_JSON", 1)[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", required=True, help="root of the baseline clone (its book/ and nblm_helpers/)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("names", nargs="*", default=NAMES)
    args = ap.parse_args(argv)
    trees = {"baseline": Path(args.baseline).resolve(), "this tree": ROOT}
    res = {t: {n: [] for n in args.names} for t in trees}
    for r in range(args.runs):
        for t, path in trees.items():
            for n, v in one_run(path, args.names).items():
                res[t][n].append(v)
        print(f"run {r + 1}/{args.runs} done", file=sys.stderr)
    print(f"widget compute per slider move (update_artists), median [min-max] of {args.runs} interleaved runs, "
          "each the median of 9 moves")
    for n in args.names:
        cells = []
        for t in trees:
            v = res[t][n]
            cells.append(f"{t}: {1e3 * statistics.median(v):5.1f} ms [{1e3 * min(v):.1f}-{1e3 * max(v):.1f}]")
        print(f"  {n:22s} " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
