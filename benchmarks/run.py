"""Benchmarks of nblm: solvers, lineshape, widgets, and (optionally) the book.

Run from the repository root after the README's set-up (``make book``)::

    make bench            # solvers, lineshape, every widget of the book, W_c by population dynamics,
                          # a 256 x 256 inhomogeneous array and a sweep on a Dask LocalCluster
    make bench-all        # ... plus the strict book build and the test suite

Each row is timed >= 5 times (the population row once: it takes tens of
seconds) and reports the median and the min-max, the
baseline it is compared with (measured in the same run), their ratio, and the
target of the performance issue.  Nothing here asserts: a missed target is
printed as ``MISS``.  Results are also written to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ROWS = []


def timeit(fn, repeat=5, warmup=1):
    """Median, min and max wall time of ``fn()`` in seconds over ``repeat`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def row(what, size, stats, *, baseline=None, baseline_name="", target=None, note=""):
    med, lo, hi = stats
    r = dict(what=what, size=size, median_s=med, min_s=lo, max_s=hi, baseline=baseline_name,
             baseline_s=baseline, ratio=(baseline / med if baseline else None), target_s=target,
             ok=(None if target is None else med <= target), note=note)
    ROWS.append(r)
    return r


def fmt_t(t):
    if t is None:
        return "-"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def print_table():
    head = ["what", "size", "median", "min-max", "baseline (same run)", "speed-up", "target", ""]
    lines = [head]
    for r in ROWS:
        lines.append([
            r["what"], str(r["size"]), fmt_t(r["median_s"]), f"{fmt_t(r['min_s'])}-{fmt_t(r['max_s'])}",
            f"{r['baseline']} {fmt_t(r['baseline_s'])}" if r["baseline_s"] else "-",
            f"{r['ratio']:.1f}x" if r["ratio"] else "-",
            fmt_t(r["target_s"]), {None: "", True: "ok", False: "MISS"}[r["ok"]] + (f" {r['note']}" if r["note"] else ""),
        ])
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    for i, ln in enumerate(lines):
        print("  ".join(c.ljust(w) for c, w in zip(ln, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


# ---------------------------------------------------------------------------
# 1. the mean-field solver
# ---------------------------------------------------------------------------

def bench_solver(n=10_000, n_loop=200):
    from scipy.optimize import brentq

    from nblm_helpers import meanfield

    fig8 = dict(gamma=0.1, K=3.0, N=10, s=0.5, d=1)
    eps = np.linspace(0.05, 0.6, n)  # every point has a root in each reading
    cases = [("E3", dict(equation="E3")),
             ("19 infinite", dict(equation="19", sum_range="infinite")),
             ("19 square", dict(equation="19", sum_range="square"))]
    for name, opts in cases:
        def vec():
            return meanfield.solve_linewidth(eps=eps, warn=False, **fig8, **opts)

        res = vec()
        sub = eps[:: n // n_loop]
        sub_ln = np.asarray(res.ln_Gamma)[:: n // n_loop]

        def loop():
            out = []
            for e, guess in zip(sub, sub_ln):
                f = lambda x: meanfield.self_consistency_ratio(x, eps=e, **fig8, **opts)[0]  # noqa: E731
                # the straightforward scalar solve: brentq on ln F in a bracket around the root
                # (given a bracket of width 2 around the root: the loop is not charged for finding it)
                hi = min(guess + 1.0, np.log(fig8["gamma"]) - 1e-9)
                out.append(brentq(f, guess - 1.0, hi, xtol=1e-14, rtol=1e-15))
            return np.array(out)

        ok = np.asarray(res.status) == "root"
        loop_roots = loop()
        diff = float(np.max(np.abs(loop_roots - sub_ln)[ok[:: n // n_loop]]))
        t_loop = timeit(loop, repeat=5)
        t_vec = timeit(vec, repeat=5)
        per_point_loop = t_loop[0] / len(sub)
        row(f"solve_linewidth Eq. {name}", f"{n} eps", t_vec, baseline=per_point_loop * n,
            baseline_name="brentq loop", target=None,
            note=f"speed-up target >= 20x; max |d ln G| vs loop {diff:.1e}")
        ROWS[-1]["ok"] = ROWS[-1]["ratio"] >= 20 and diff <= 1e-10


def bench_integral(n=None, repeat=5):
    """Eq. (19) with summation="integral" (issue 13) against the exact sum, same eps, same run.

    Target: the integral within 2x of the sum.  ``n`` (default 10^4) can be lowered with the
    environment variable NBLM_BENCH_INTEGRAL_N for a quick look (the integral solve takes ~5 s per repeat).
    """
    from nblm_helpers import meanfield

    n = int(os.environ.get("NBLM_BENCH_INTEGRAL_N", 10_000)) if n is None else n
    fig8 = dict(gamma=0.1, K=3.0, N=10, s=0.5, d=1)
    eps = np.linspace(0.05, 0.6, n)
    t_sum = timeit(lambda: meanfield.solve_linewidth(eps=eps, warn=False, **fig8), repeat=repeat)
    t_int = timeit(lambda: meanfield.solve_linewidth(eps=eps, warn=False, summation="integral", **fig8),
                   repeat=repeat)
    row("solve_linewidth Eq. 19 summation='integral'", f"{n} eps", t_int, baseline=t_sum[0],
        baseline_name="exact sum", target=2.0 * t_sum[0], note="target: <= 2x the exact sum")


def bench_phase_diagram(n=200):
    from nblm_helpers import meanfield

    if not hasattr(meanfield, "critical_coupling"):
        print("(skipping Fig. 5 benchmark: meanfield.critical_coupling not available)")
        return
    K = 3.0
    x = np.linspace(0.05, 1.0, n)  # 1/Xi - ln K > 0: single dots localized
    eps = -x / np.log(K)           # eps = 1 - 1/(Xi ln K)
    t = timeit(lambda: meanfield.critical_coupling(eps=eps, K=K, N=10, s=0.5, d=1), repeat=5)
    row("critical_coupling (Fig. 5 curve)", f"{n} points", t, target=2.0)


# ---------------------------------------------------------------------------
# 2b. exact diagonalization of the AGKL dot (issue 14)
# ---------------------------------------------------------------------------

def bench_agkl():
    from nblm_helpers import agkl

    t = timeit(lambda: agkl.spectrum(12, 6, coupling=0.3, seed=1), repeat=5)
    row("agkl.spectrum n_levels=12 half filled (build + dense eigh)", "924 states", t, target=0.5)
    t = timeit(lambda: agkl.mean_gap_ratio(n_levels=12, n_particles=6, coupling=0.3, n_samples=100, seed=0),
               repeat=5, warmup=0)
    row("agkl.mean_gap_ratio, 100 realizations n_levels=12", "100 x 924 states", t, target=30.0)
    s = agkl.spectrum(16, 8, coupling=0.3, seed=1, n_eigs=100)
    t = timeit(lambda: agkl.spectrum(16, 8, coupling=0.3, seed=1, n_eigs=100), repeat=3, warmup=0)
    row("agkl.spectrum n_levels=16 mid-spectrum (shift-invert)", "100 of 12870 states", t, target=30.0,
        note=f"3 runs; method {s.method}")


# ---------------------------------------------------------------------------
# 2. the lineshape
# ---------------------------------------------------------------------------

def bench_lineshape(n=200):
    from nblm_helpers import lineshape

    if not hasattr(lineshape, "lineshape"):
        print("(skipping lineshape benchmark: lineshape.lineshape not available)")
        return
    fig2 = dict(Gamma_b=1.0, s_xi_d=4.0, J=1000.0, d=1)
    omega = np.logspace(-2, np.log10(500.0), n)
    t = timeit(lambda: lineshape.lineshape(omega, **fig2), repeat=5)
    base = None
    if hasattr(lineshape, "lineshape_gauss"):
        base = timeit(lambda: lineshape.lineshape_gauss(omega, **fig2), repeat=5)[0]
        err = float(np.max(np.abs(lineshape.lineshape(omega, **fig2) / lineshape.lineshape_gauss(omega, **fig2) - 1)))
    else:
        err = float("nan")
    row("lineshape S(omega), Fig. 2", f"{n} omega", t, baseline=base, baseline_name="Gauss-Legendre method",
        target=1.0, note=f"rel. diff between methods {err:.1e}")


# ---------------------------------------------------------------------------
# 3. every widget of the book, in a live kernel
# ---------------------------------------------------------------------------

WIDGET_PROBE = r"""
import json, time, statistics, itertools
import numpy as np
from nblm_helpers.widgets import ResponsiveFigure
from nblm_helpers.plotting import figure_bytes
_out = []
for _w in ResponsiveFigure.instances():
    _grids = [c._array for c in _w.controls]
    # values between the precomputed frames: what only a live kernel can show
    _vals = []
    for _k in range(10):
        _v = {}
        for c, g in zip(_w.controls, _grids):
            i = (_k * 3 + 1) % (len(g) - 1)
            x = g[i] + (g[i + 1] - g[i]) * 0.37 if c.kind not in ("int", "choice") else g[i + 1]
            _v[c.name] = int(x) if c.kind == "int" else float(x)
        _vals.append(_v)
    _w.update(**_vals[0])  # warm-up
    _tot, _comp, _frozen = [], [], True
    for _v in _vals[1:]:
        t0 = time.perf_counter(); _w.update(**_v); _tot.append(time.perf_counter() - t0)
        # the compute part: update(artists, **values) without drawing (physics + changing artists)
        t0 = time.perf_counter(); _w.update_artists(**_v); _comp.append(time.perf_counter() - t0)
        _frozen &= all(getattr(a, "_nblm_laid_out", False) for a in _w._fig.axes)
    _out.append(dict(controls=[c.name for c in _w.controls], total=_tot, compute=_comp, frozen=_frozen))
print("NBLM_WIDGETS_JSON" + json.dumps(_out))
"""


def bench_widgets():
    import nbformat
    from nbclient import NotebookClient

    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if "ResponsiveFigure" not in "".join(c.source for c in nb.cells if c.cell_type == "code"):
            continue
        nb.cells.append(nbformat.v4.new_code_cell(WIDGET_PROBE))
        os.environ["NBLM_WIDGET_MODE"] = "live"
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client.execute()
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
        data = json.loads(text.split("NBLM_WIDGETS_JSON", 1)[1])
        for k, w in enumerate(data):
            stats = (statistics.median(w["total"]), min(w["total"]), max(w["total"]))
            comp = statistics.median(w["compute"])
            layout = "layout kept" if w["frozen"] else "NEW AXES EACH MOVE"
            r = row(f"widget {path.stem}[{k}] ({', '.join(w['controls'])})", "1 slider move", stats,
                    target=0.100, note=f"compute {fmt_t(comp)} (target 10 ms); draw+encode "
                                       f"{fmt_t(stats[0] - comp)}; {layout}")
            r["compute_s"] = comp
            r["ok"] = stats[0] <= 0.100 and comp <= 0.010


# ---------------------------------------------------------------------------
# 4. population dynamics (issue 15): W_c of the Anderson model on the Bethe lattice
# ---------------------------------------------------------------------------

def bench_population():
    """W_c for branching 2, E = 0 with the defaults of anderson_bethe_critical_disorder, timed once.

    Target (issue 15): within 0.3 of the reference 18.17 (Tikhonov & Mirlin 2019; Parisi et al.
    2019) in <= 120 s.  One run (it takes tens of seconds), so median = min = max.  Set
    NBLM_BENCH_POPULATION_SEED to time another seed.
    """
    from nblm_helpers.population import anderson_bethe_critical_disorder

    seed = int(os.environ.get("NBLM_BENCH_POPULATION_SEED", 0))
    t0 = time.perf_counter()
    W_c, err = anderson_bethe_critical_disorder(seed=seed)
    t = time.perf_counter() - t0
    r = row("anderson_bethe_critical_disorder (branching 2, E = 0, defaults)", "population 1e5", (t, t, t),
            target=120.0, note=f"W_c = {W_c:.3f} +- {err:.3f} (seed {seed}; reference 18.17, tolerance 0.3)")
    r["W_c"], r["W_c_stderr"] = W_c, err
    r["ok"] = t <= 120.0 and abs(W_c - 18.17) <= 0.3


# ---------------------------------------------------------------------------
# 4b. inhomogeneous arrays and sweeps (issue 16)
# ---------------------------------------------------------------------------

ARRAY_PARAMS = dict(gamma=0.1, K=3.0, N=10, s=0.5)


def bench_arrays(repeat=3):
    """solve_dot_array on a 256 x 256 square lattice to residual 1e-10 (target <= 10 s on two cores).

    Book parameters (gamma = 0.1, K = 3, N = 10, s = 0.5, default floor -N ln K): mean eps = -0.05
    (mostly metallic) with two spreads, and eps = -0.25 (mostly localized, the slowest case measured:
    many rounds of localization); ``repeat`` runs each (a run takes seconds), no warm-up.
    """
    from nblm_helpers import arrays

    for eps, spread in ((-0.05, 0.1), (-0.05, 0.3), (-0.25, 0.3)):
        res = {}

        def run():
            res["r"] = arrays.solve_dot_array(shape=(256, 256), eps=eps, eps_spread=spread, seed=0, tol=1e-10,
                                              **ARRAY_PARAMS)

        t = timeit(run, repeat=repeat, warmup=0)
        r = res["r"]
        row(f"solve_dot_array 256 x 256, eps = {eps}, eps_spread = {spread}", "65536 dots", t, target=10.0,
            note=f"residual {r.residual:.1e}, {r.iterations} Newton iterations, converged={r.converged}, "
                 f"metallic fraction {arrays.metallic_fraction(r):.4f}")


def bench_sweep(repeat=3):
    """map_grid of metallic_fraction_curve (8 tasks), serially and on a Dask LocalCluster of 2 worker
    processes (started before the timing); informational, no target.  Bit-identical results checked."""
    import functools

    from distributed import Client, LocalCluster

    from nblm_helpers import arrays
    from nblm_helpers.sweep import map_grid

    fn = functools.partial(arrays.metallic_fraction_curve, eps=np.linspace(-0.3, 0.05, 8), shape=(32, 32),
                           **ARRAY_PARAMS)
    grid = {"eps_spread": [0.1, 0.3], "seeds": [0, 1, 2, 3]}
    out = {}

    def serial():
        out["serial"] = map_grid(fn, grid, progress=False)

    t_serial = timeit(serial, repeat=repeat, warmup=0)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ex = client.get_executor(pure=False)  # pure=False: no reuse of results of identical earlier tasks

        def dask():
            out["dask"] = map_grid(fn, grid, executor=ex, progress=False, chunksize=1)

        t_dask = timeit(dask, repeat=repeat, warmup=1)
    same = all(np.array_equal(a.fraction, b.fraction) for a, b in zip(out["serial"].values, out["dask"].values))
    row("map_grid: 8 fraction curves (8 eps x 32 x 32 dots), Dask LocalCluster 2 processes", "64 solves", t_dask,
        baseline=t_serial[0], baseline_name="serial", note=f"bit-identical to serial: {same}")


# ---------------------------------------------------------------------------
# 5. the book and the test suite
# ---------------------------------------------------------------------------

def bench_book():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    py = str(ROOT / ".venv" / "bin" / "python")
    t0 = time.perf_counter()
    out = subprocess.run([py, "scripts/jupyter_book_parallel.py", "build", "--all", "-W", "--keep-going",
                          "--path-output", ".", "."], cwd=ROOT, env=env, capture_output=True, text=True)
    t_build = time.perf_counter() - t0
    row("strict book build (all notebooks executed)", "whole book", (t_build,) * 3, target=120.0,
        note="" if out.returncode == 0 else "BUILD FAILED")
    per_nb = [(float(line.split("Executed notebook in")[1].split()[0]), line.split(":")[0])
              for line in out.stdout.splitlines() if "Executed notebook in" in line]
    t0 = time.perf_counter()
    tst = subprocess.run([py, "-m", "pytest", "-q", "-n", "2"], cwd=ROOT, env=env, capture_output=True, text=True)
    t_test = time.perf_counter() - t0
    row("test suite (pytest, after the build)", "all tests", (t_test,) * 3, target=180.0,
        note="" if tst.returncode == 0 else "TESTS FAILED")
    return sorted(per_nb, reverse=True)[:5]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--book", action="store_true", help="also time the strict book build and the test suite")
    ap.add_argument("--only", choices=["solver", "lineshape", "agkl", "widgets", "population", "arrays", "book"],
                    help="run one group")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    groups = [args.only] if args.only else ["solver", "lineshape", "agkl", "widgets", "population", "arrays"] + (
        ["book"] if args.book else [])
    slow = []
    if "solver" in groups:
        bench_solver()
        bench_integral()
        bench_phase_diagram()
    if "lineshape" in groups:
        bench_lineshape()
    if "agkl" in groups:
        bench_agkl()
    if "widgets" in groups:
        bench_widgets()
    if "population" in groups:
        bench_population()
    if "arrays" in groups:
        bench_arrays()
        bench_sweep()
    if "book" in groups:
        slow = bench_book()
    print(f"\nnblm benchmarks -- {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}\n")
    print_table()
    if slow:
        print("\nslowest notebooks (s):", ", ".join(f"{t:.1f}" for t, _ in slow))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(ROWS, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
