"""Tests of nblm_helpers.sweep.map_grid (issue 16, part 2).

The same sweep of a physics helper (the metallic fraction of inhomogeneous arrays, seeds on a grid
axis) serially, in chunks of several sizes, on a ProcessPoolExecutor(2) and on a Dask LocalCluster
started here, compared bit for bit; the error naming a failing grid point; the progress output.
"""

import functools
import io
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from nblm_helpers import arrays, sweep
from nblm_helpers.sweep import GridPointError, grid_points, map_grid

FN = functools.partial(arrays.metallic_fraction_curve, eps=np.linspace(-0.3, 0.05, 4), shape=(8, 8), gamma=0.1,
                       K=3.0, N=10, s=0.5)
GRID = {"eps_spread": [0.1, 0.3], "seeds": [0, 1, 2]}


def _bits(res):
    """The sweep's numbers as bytes (bit-for-bit comparison)."""
    return b"".join(v.fraction.tobytes() + v.eps.tobytes() for v in res.values)


@pytest.fixture(scope="module")
def serial():
    return map_grid(FN, GRID, progress=False)


def _fails_at_two(*, a, b):
    if a == 2:
        raise ZeroDivisionError("boom")
    return a * 10 + b


def _square(*, x):
    return x * x


# ----------------------------------------------------------------------------- the grid


def test_grid_points_cartesian_c_order_and_list():
    pts, shape, names = grid_points({"a": [1, 2], "b": np.array([0.5, 1.5, 2.5]), "c": "x"})
    assert shape == (2, 3, 1) and names == ("a", "b", "c")
    assert pts[0] == {"a": 1, "b": 0.5, "c": "x"} and pts[1] == {"a": 1, "b": 1.5, "c": "x"}
    assert pts[3] == {"a": 2, "b": 0.5, "c": "x"} and type(pts[0]["b"]) is float
    pts, shape, names = grid_points([{"a": 1}, {"a": 2, "b": 3}])
    assert shape == (2,) and names == () and pts[1] == {"a": 2, "b": 3}


def test_result_order_and_array(serial):
    assert serial.shape == (2, 3) and serial.names == ("eps_spread", "seeds")
    for p, v in zip(serial.points, serial.values):
        assert v.options["eps_spread"] == p["eps_spread"] and list(v.seeds) == [p["seeds"]]
    r = map_grid(_square, {"x": [1.0, 2.0, 3.0]}, progress=False)
    assert r.values == [1.0, 4.0, 9.0] and r.array().tolist() == [1.0, 4.0, 9.0]
    r = map_grid(_fails_at_two, {"a": [0, 1], "b": [1, 2, 3]}, progress=False)
    assert r.array(dtype=int).tolist() == [[1, 2, 3], [11, 12, 13]]


# ----------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("chunksize", [1, 2, 4, 6, 100])
def test_chunking_does_not_change_bits(serial, chunksize):
    r = map_grid(FN, GRID, progress=False, chunksize=chunksize)
    assert _bits(r) == _bits(serial)


def test_thread_pool_bit_identical(serial):
    with ThreadPoolExecutor(2) as ex:
        r = map_grid(FN, GRID, executor=ex, progress=False, chunksize=1)
    assert _bits(r) == _bits(serial)


def test_process_pool_bit_identical(serial):
    with ProcessPoolExecutor(2) as ex:
        r = map_grid(FN, GRID, executor=ex, progress=False, chunksize=2)
    assert _bits(r) == _bits(serial)
    assert [pickle.dumps(v.fraction) for v in r.values] == [pickle.dumps(v.fraction) for v in serial.values]


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    # threads in this process (processes=False): small and quick to start; no dashboard (no port)
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_local_cluster_bit_identical(serial, dask_client):
    r = map_grid(FN, GRID, executor=dask_client.get_executor(), progress=False, chunksize=2)
    assert _bits(r) == _bits(serial)
    r1 = map_grid(FN, GRID, executor=dask_client.get_executor(), progress=False)
    assert _bits(r1) == _bits(serial)


def test_dask_failing_point_named(dask_client):
    with pytest.raises(GridPointError, match=r"grid point 3: \{'a': 2, 'b': 0\}") as ei:
        map_grid(_fails_at_two, {"a": [1, 2], "b": [0, 1, 2]}, executor=dask_client.get_executor(),
                 progress=False, chunksize=1)
    assert isinstance(ei.value.__cause__, ZeroDivisionError)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("executor", [None, "process"])
def test_failing_point_is_named_and_chained(executor):
    grid = {"a": [0, 1, 2, 3], "b": [5]}
    if executor == "process":
        with ProcessPoolExecutor(2) as ex:
            with pytest.raises(GridPointError) as ei:
                map_grid(_fails_at_two, grid, executor=ex, progress=False, chunksize=2)
    else:
        with pytest.raises(GridPointError) as ei:
            map_grid(_fails_at_two, grid, progress=False)
    err = ei.value
    assert err.index == 2 and err.point == {"a": 2, "b": 5}
    assert "grid point 2: {'a': 2, 'b': 5}" in str(err) and "ZeroDivisionError" in str(err)
    assert isinstance(err.__cause__, ZeroDivisionError) and str(err.__cause__) == "boom"
    assert any("worker traceback" in n for n in getattr(err.__cause__, "__notes__", []))


@pytest.mark.parametrize("kw, name", [
    (dict(fn=3), "fn"),
    (dict(grid=5), "grid"),
    (dict(grid={"a": []}), "grid"),
    (dict(grid={"a": [[1, 2]]}), "grid"),
    (dict(grid={1: [1]}), "grid"),
    (dict(grid=[{"a": 1}, 3]), "grid"),
    (dict(executor="pool"), "executor"),
    (dict(progress="yes"), "progress"),
    (dict(chunksize=0), "chunksize"),
    (dict(chunksize=1.5), "chunksize"),
])
def test_validation(kw, name):
    args = dict(fn=_square, grid={"x": [1.0]})
    args.update(kw)
    fn, grid = args.pop("fn"), args.pop("grid")
    with pytest.raises(ValueError, match=name):
        map_grid(fn, grid, **args)


# ----------------------------------------------------------------------------- progress


def test_progress_off_prints_nothing(capsys):
    map_grid(_square, {"x": [1.0, 2.0, 3.0]}, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_on_in_a_terminal_is_tqdm(capsys):
    map_grid(_square, {"x": [1.0, 2.0, 3.0]}, progress=True, chunksize=1)
    out = capsys.readouterr()
    assert out.out == "" and "sweep" in out.err and "0/3" in out.err  # tqdm on stderr, cleared at the end


def test_progress_callback():
    seen = []
    map_grid(_square, {"x": [1.0, 2.0, 3.0, 4.0]}, progress=lambda done, total: seen.append((done, total)),
             chunksize=2)
    assert seen == [(2, 4), (4, 4)]


def test_progress_in_a_notebook_uses_the_widget_adapter(monkeypatch):
    """In a Jupyter kernel the bar is nblm_helpers.widgets.progress (nothing on the static site)."""
    calls = []

    def fake_progress(total, description="solving", *, mode=None):
        def tick(done, total=None):
            calls.append(done)
        tick.bar = None
        return tick

    from nblm_helpers import widgets

    monkeypatch.setattr(sweep, "_in_notebook", lambda: True)
    monkeypatch.setattr(widgets, "progress", fake_progress)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    map_grid(_square, {"x": [1.0, 2.0]}, progress=True, chunksize=1)
    assert calls == [1, 2] and err.getvalue() == ""


def _chapter_recipe():
    """The Slurm recipe of book/arrays.ipynb (a fenced python block in a markdown cell)."""
    import json
    import re
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[1] / "book" / "arrays.ipynb").read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "SLURMCluster(" in src:
            return re.search(r"```python\n(.*?)```", src, re.S).group(1)
    raise AssertionError("the arrays chapter has no SLURMCluster recipe")


def test_chapter_slurm_recipe_builds_the_cluster_it_describes():
    """The arrays chapter's dask-jobqueue recipe: the SLURMCluster it constructs (with the chapter's
    arguments, read from the chapter) asks Slurm for 8 cores, 16 GB and one hour per job and starts
    Dask workers; the same ``map_grid(..., executor=client.get_executor())`` call is run on a
    LocalCluster above.  Nothing is submitted (no ``scale``): there is no batch system here."""
    import ast
    import re

    from dask_jobqueue import SLURMCluster

    recipe = _chapter_recipe()
    assert "executor=client.get_executor()" in recipe and "sweep.map_grid(" in recipe
    call = re.search(r"SLURMCluster\((.*?)\)\n", recipe).group(1)
    kwargs = {k.arg: ast.literal_eval(k.value) for k in ast.parse(f"f({call})").body[0].value.keywords}
    assert kwargs == {"cores": 8, "memory": "16GB", "walltime": "01:00:00"}
    # (dashboard on a free port: the default 8787 may be taken on a shared machine)
    with SLURMCluster(**kwargs, scheduler_options={"dashboard_address": ":0"}) as cluster:
        script = cluster.job_script()
    assert "#SBATCH --cpus-per-task=8" in script
    assert "#SBATCH -t 01:00:00" in script
    assert re.search(r"#SBATCH --mem=1[56]G", script)
    assert "distributed.cli.dask_worker" in script and "--nthreads" in script
