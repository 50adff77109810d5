"""Parameter sweeps through any :class:`concurrent.futures.Executor` (serial, a process pool, Dask).

:func:`map_grid` evaluates ``fn(**point)`` at every point of a parameter grid, in chunks of
consecutive points, and returns the results in grid order.  It does no physics: it is
infrastructure, beside the presentation layer (it may show a progress bar) and above the physics
modules, which never import it.  The progress display is the only presentation it touches, behind
one small adapter (:func:`_progress_display`): ``nblm_helpers.widgets.progress`` (an ipywidgets
bar, nothing on the static site) inside a Jupyter kernel, ``tqdm`` on stderr elsewhere, imported
only when a bar is asked for.

Determinism.  Every point is evaluated by ``fn(**point)`` alone, so the results do not depend on
the executor, the chunking, or the order in which chunks finish -- provided ``fn`` takes its
randomness from the point (e.g. a ``seed`` axis of the grid), never from worker state.  The tests
compare a sweep run serially, in chunks of several sizes, on a ``ProcessPoolExecutor`` and on a
Dask ``LocalCluster`` bit for bit.

Running on a cluster.  Any ``concurrent.futures.Executor`` works; for Dask::

    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \\
            Client(cluster) as client:
        res = map_grid(fn, grid, executor=client.get_executor())

(Dask treats tasks as pure by default and may hand back the results of identical earlier tasks;
``client.get_executor(pure=False)`` recomputes, e.g. for timing), and on a batch system (Slurm,
PBS) the same with a ``dask_jobqueue`` cluster in place of
``LocalCluster`` (``fn`` and its arguments must be picklable: a module-level function or a
``functools.partial`` of one).
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["map_grid", "grid_points", "SweepResult", "GridPointError"]

MAX_POINTS = 10_000_000  #: most points of one grid (work limit of the bookkeeping)


class GridPointError(RuntimeError):
    """``fn`` raised at a grid point; ``index`` and ``point`` say where, ``__cause__`` is the original."""

    def __init__(self, message, index=None, point=None):
        super().__init__(message)
        self.index = index
        self.point = point


@dataclass(frozen=True)
class SweepResult:
    """The results of :func:`map_grid`, in grid order.

    Attributes
    ----------
    points : tuple of dict
        The grid points, in order (for a dict grid: the Cartesian product, last axis fastest).
    values : list
        ``fn(**point)`` for each point, in the same order.
    shape : tuple of int
        The grid's shape: one length per axis of a dict grid, ``(n,)`` for a list of points.
    names : tuple of str
        The axis names of a dict grid (``()`` for a list of points).
    """

    points: tuple
    values: list
    shape: tuple
    names: tuple

    def array(self, dtype=float):
        """The values as one NumPy array of shape ``shape + value_shape`` (e.g. floats on the grid)."""
        arr = np.asarray(self.values, dtype=dtype)
        return arr.reshape(tuple(self.shape) + arr.shape[1:])


def grid_points(grid):
    """The points of a grid, in order, with its shape and axis names.

    Parameters
    ----------
    grid : dict or sequence of dict
        A dict ``{name: 1-D values}``: the Cartesian product of the axes, in C order (the last axis
        varies fastest), shape ``(len(v1), len(v2), ...)``; a scalar value is an axis of length 1.
        Or a sequence of dicts ``[{name: value, ...}, ...]``: the points as given, shape ``(n,)``.
        Names must be strings (they become keyword arguments of ``fn``).

    Returns
    -------
    points : list of dict
    shape : tuple of int
    names : tuple of str
    """
    if isinstance(grid, Mapping):
        names = tuple(grid)
        for k in names:
            if not isinstance(k, str) or not k.isidentifier():
                raise ValueError(f"grid keys must be parameter names (identifiers); got {k!r}")
        axes = []
        for k in names:
            v = grid[k]
            if isinstance(v, (str, bytes)) or np.ndim(v) == 0:
                vals = [v]
            else:
                arr = np.asarray(v, dtype=object) if not isinstance(v, np.ndarray) else v
                if arr.ndim != 1:
                    raise ValueError(f"grid[{k!r}] must be a scalar or a 1-D sequence; got shape {np.shape(v)}")
                vals = [x.item() if isinstance(x, np.generic) else x for x in
                        (v.tolist() if isinstance(v, np.ndarray) else list(v))]
            if len(vals) == 0:
                raise ValueError(f"grid[{k!r}] must not be empty")
            axes.append(vals)
        shape = tuple(len(a) for a in axes)
        n = math.prod(shape)
        if n > MAX_POINTS:
            raise ValueError(f"grid must have at most {MAX_POINTS} points; got {n} (shape {shape})")
        points = [dict(zip(names, combo)) for combo in itertools.product(*axes)]
        return points, shape, names
    if isinstance(grid, Sequence) and not isinstance(grid, (str, bytes)):
        if len(grid) > MAX_POINTS:
            raise ValueError(f"grid must have at most {MAX_POINTS} points; got {len(grid)}")
        points = []
        for i, p in enumerate(grid):
            if not isinstance(p, Mapping) or not all(isinstance(k, str) and k.isidentifier() for k in p):
                raise ValueError(f"grid[{i}] must be a dict of parameter names to values; got {p!r:.80}")
            points.append(dict(p))
        return points, (len(points),), ()
    raise ValueError(f"grid must be a dict of 1-D axes or a list of dicts; got {type(grid).__name__}")


def _in_notebook():
    """True inside a Jupyter kernel (where an ipywidgets bar can be displayed)."""
    ip = sys.modules.get("IPython")
    if ip is None:
        return False
    try:
        shell = ip.get_ipython()
    except Exception:  # pragma: no cover - a broken IPython install
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _progress_display(total):
    """The progress adapter: ``tick(done)`` on a widget bar in a notebook, a tqdm bar elsewhere.

    Returns ``(tick, close)``.
    """
    if _in_notebook():
        from . import widgets  # presentation, imported only here

        tick = widgets.progress(total, "sweep")
        return tick, (lambda: None)
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="sweep", file=sys.stderr, leave=False)

    def tick(done, total=None):
        bar.update(done - bar.n)

    return tick, bar.close


def _run_chunk(fn, start, points):
    """Worker side: ``[("ok", value) | ("error", index, exception)]`` for consecutive points.

    The first failing point ends the chunk; its exception is returned (with the worker's traceback
    as a note) rather than raised, so that the caller can name the point and chain it.
    """
    out = []
    for k, p in enumerate(points):
        try:
            out.append(("ok", fn(**p)))
        except Exception as exc:  # noqa: BLE001 - reported with the grid point by map_grid
            try:
                exc.add_note("worker traceback:\n" + "".join(traceback.format_exception(exc)))
            except Exception:  # pragma: no cover - an exception type that refuses notes
                pass
            out.append(("error", start + k, exc))
            break
    return out


def _fail(index, point, exc):
    raise GridPointError(f"fn raised {type(exc).__name__} at grid point {index}: {point!r}: {exc}",
                         index=index, point=point) from exc


def map_grid(fn, grid, *, executor=None, progress=True, chunksize=None):
    """Evaluate ``fn(**point)`` at every point of ``grid``, through an executor, in grid order.

    Parameters
    ----------
    fn : callable
        Called with each point's values as keyword arguments.  For a process pool or Dask it must
        be picklable (a module-level function or a ``functools.partial`` of one).  Its randomness
        must come from the point (e.g. a ``seed`` axis), so that results do not depend on where
        they are computed.
    grid : dict or sequence of dict
        See :func:`grid_points`: ``{name: 1-D values}`` (Cartesian product, last axis fastest) or a
        list of point dicts.
    executor : concurrent.futures.Executor, optional
        ``None`` (default): serially in this process.  Otherwise chunks are submitted with
        ``executor.submit`` -- e.g. ``ProcessPoolExecutor(2)``, or Dask's
        ``distributed.Client(...).get_executor()``.  The executor is not shut down.
    progress : bool or callable
        ``True``: a progress bar (ipywidgets in a notebook, nothing on the static site; tqdm on
        stderr elsewhere), advanced per finished chunk.  ``False``: no output at all.  A callable
        is called as ``progress(done, total)`` (the physics helpers' callback convention).
    chunksize : int, optional
        Points per task (``>= 1``).  Default: all points in one chunk when serial; otherwise about
        32 tasks (``ceil(n / 32)``).  The results do not depend on it.

    Returns
    -------
    SweepResult
        ``values`` in grid order; ``array()`` stacks them on the grid's shape.

    Raises
    ------
    ValueError
        A bad argument (named).
    GridPointError
        ``fn`` raised at a point: the message names the point's index and values; the original
        exception is its ``__cause__`` (with the worker's traceback in its notes).  Outstanding
        chunks are cancelled.
    """
    if not callable(fn):
        raise ValueError(f"fn must be callable; got {fn!r:.80}")
    if executor is not None and not isinstance(executor, cf.Executor):
        raise ValueError(f"executor must be a concurrent.futures.Executor or None; got {type(executor).__name__}")
    if not (isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ValueError(f"progress must be True, False or a callable progress(done, total); got {progress!r:.80}")
    points, shape, names = grid_points(grid)
    n = len(points)
    if chunksize is None:
        chunksize = n if executor is None else max(1, math.ceil(n / 32))
    elif isinstance(chunksize, (bool, np.bool_)) or not isinstance(chunksize, (int, np.integer)) or chunksize < 1:
        raise ValueError(f"chunksize must be an integer >= 1 or None; got {chunksize!r}")
    chunksize = max(1, int(chunksize))
    starts = list(range(0, n, chunksize))

    if progress is True:
        tick, close = _progress_display(n)
    elif callable(progress) and not isinstance(progress, (bool, np.bool_)):
        tick, close = (lambda done: progress(done, n)), (lambda: None)
    else:
        tick, close = (lambda done: None), (lambda: None)

    values = [None] * n
    done = 0

    def take(start, out):
        nonlocal done
        for k, item in enumerate(out):
            if item[0] == "error":
                _, idx, exc = item
                _fail(idx, points[idx], exc)
            values[start + k] = item[1]
        done += len(out)
        tick(done)

    try:
        if executor is None:
            for s0 in starts:
                take(s0, _run_chunk(fn, s0, points[s0:s0 + chunksize]))
        else:
            futures = {executor.submit(_run_chunk, fn, s0, points[s0:s0 + chunksize]): s0 for s0 in starts}
            try:
                for fut in cf.as_completed(futures):
                    take(futures[fut], fut.result())
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        close()
    return SweepResult(points=tuple(points), values=values, shape=shape, names=names)
