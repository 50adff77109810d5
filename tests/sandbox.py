"""Run one helper call at a time in a resource-limited worker process.

Used by ``tests/test_fuzz.py``: a call that hangs, exhausts memory or kills
its process must fail one fuzz example, not the test session.

Design
------
* :class:`Sandbox` owns one persistent worker: ``python tests/sandbox.py
  --worker FD_IN FD_OUT``, started with :mod:`subprocess` and talking over
  two inherited pipes wrapped in :class:`multiprocessing.connection.Connection`
  (length-framed pickles).  The worker's stdout/stdin are not used for the
  protocol, so a helper that prints cannot corrupt it.
* The worker sets ``OMP/OPENBLAS/MKL_NUM_THREADS=1`` (as the Makefile does)
  before importing NumPy, imports NumPy, SciPy and every physics module of
  :mod:`nblm_helpers`, then limits its own address space with
  ``resource.setrlimit(RLIMIT_AS, 2 GiB)`` (the baseline after the imports is
  ~0.25 GiB; it is reported as :attr:`Sandbox.baseline_vm`).
* A call is sent as ``("call", "module:function", args, kwargs)``.  The
  worker runs it under ``warnings.catch_warnings(record=True)`` with
  ``simplefilter("always")`` (NumPy's default ``errstate`` turns
  overflow/invalid/divide into ``RuntimeWarning``\\ s, which are recorded),
  scans the result for NaN and infinities and sends back an :class:`Outcome`
  made of plain strings and numbers (the result itself is never pickled
  back).
* The parent waits ``timeout`` seconds (5 by default).  On a timeout or a
  dead worker it kills the worker, records ``"timeout"``/``"died"``, and starts
  a fresh one at once (it warms up while the caller does other work).  A
  ``MemoryError`` raised inside the worker is its own kind (``"MemoryError"``);
  the worker is replaced after it too, as its heap may be fragmented.

Outcome kinds: ``"ok"`` (returned; see ``nan_paths``/``inf_paths`` and
``warnings``), ``"ValueError"``, ``"MemoryError"``, ``"exception"`` (any other
exception class, ``exc_type`` says which), ``"timeout"``, ``"died"``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space (RLIMIT_AS) for the worker
DEFAULT_TIMEOUT = 5.0  # seconds per call
STARTUP_TIMEOUT = 120.0  # seconds for a fresh worker to import everything (a busy machine)

#: Modules the worker imports before limiting its memory (so imports are not counted against a call).
PRELOAD = (
    "numpy", "scipy", "scipy.optimize", "scipy.special", "scipy.integrate", "scipy.linalg",
    "nblm_helpers.parameters", "nblm_helpers.relaxation", "nblm_helpers.lineshape", "nblm_helpers.echo",
    "nblm_helpers.bath_spectra", "nblm_helpers.single_dot", "nblm_helpers.meanfield",
    "nblm_helpers.saddle_point", "nblm_helpers.validity", "nblm_helpers.scaling",
    "nblm_helpers.temperature",
)

THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclasses.dataclass
class Outcome:
    """What one sandboxed call did (plain data; picklable)."""

    kind: str
    exc_type: str = ""
    exc_message: str = ""
    traceback: str = ""
    warnings: list = dataclasses.field(default_factory=list)  # [(category name, message, "file:line")]
    nan_paths: list = dataclasses.field(default_factory=list)  # where NaNs were found, e.g. "result.F0"
    inf_paths: list = dataclasses.field(default_factory=list)
    result_repr: str = ""
    elapsed: float = 0.0
    returncode: int | None = None  # "died": the worker's exit status (negative: signal)

    def summary(self, limit=600):
        """One readable paragraph (used in assertion messages and the report)."""
        parts = [f"kind={self.kind}", f"elapsed={self.elapsed:.3g}s"]
        if self.exc_type:
            parts.append(f"{self.exc_type}: {self.exc_message[:limit]}")
        if self.returncode is not None:
            parts.append(f"returncode={self.returncode}")
        if self.nan_paths:
            parts.append(f"NaN at {self.nan_paths[:8]}")
        if self.inf_paths:
            parts.append(f"inf at {self.inf_paths[:8]}")
        if self.warnings:
            ws = [f"{c}: {m[:200]} [{where}]" for c, m, where in self.warnings[:6]]
            parts.append("warnings=" + " | ".join(ws))
        if self.result_repr and self.kind == "ok":
            parts.append("result=" + self.result_repr[:limit])
        return "; ".join(parts)


# --------------------------------------------------------------------------
# worker side
# --------------------------------------------------------------------------


def _vm_size():
    """Virtual memory size of this process in bytes (Linux /proc), or -1."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return -1


def scan_values(obj, path="result", nan=None, inf=None, depth=0, _seen=None):
    """Collect the paths inside ``obj`` that hold NaN / +-inf.

    Recurses into floats (and NumPy scalars), complex numbers, NumPy arrays
    (numeric and object), tuples, lists, dicts (values), dataclasses and
    NamedTuples.  Bools, ints and strings are fine.  Returns ``(nan, inf)``
    lists of strings such as ``"result.roots[0]"`` or
    ``"result.F0[2 of 5 elements]"``.
    """
    import numpy as np

    nan = [] if nan is None else nan
    inf = [] if inf is None else inf
    _seen = set() if _seen is None else _seen
    if depth > 20 or len(nan) + len(inf) > 50:
        return nan, inf
    if isinstance(obj, (bool, np.bool_, int, np.integer, str, bytes, type(None))):
        return nan, inf
    if isinstance(obj, (float, np.floating)):
        if math.isnan(obj):
            nan.append(path)
        elif math.isinf(obj):
            inf.append(f"{path}={float(obj)!r}")
        return nan, inf
    if isinstance(obj, (complex, np.complexfloating)):
        scan_values(complex(obj).real, path + ".real", nan, inf, depth + 1, _seen)
        scan_values(complex(obj).imag, path + ".imag", nan, inf, depth + 1, _seen)
        return nan, inf
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            a = np.concatenate([obj.real.ravel(), obj.imag.ravel()]) if obj.dtype.kind == "c" else obj
            n_nan = int(np.count_nonzero(np.isnan(a)))
            if n_nan:
                nan.append(f"{path}[{n_nan} of {a.size} elements]")
            n_inf = int(np.count_nonzero(np.isinf(a)))
            if n_inf:
                signs = sorted({"+inf" if v > 0 else "-inf" for v in a[np.isinf(a)].ravel()[:100]})
                inf.append(f"{path}[{n_inf} of {a.size} elements: {'/'.join(signs)}]")
        elif obj.dtype.kind == "O":
            for i, v in enumerate(obj.ravel()[:1000]):
                scan_values(v, f"{path}.flat[{i}]", nan, inf, depth + 1, _seen)
        return nan, inf
    if id(obj) in _seen:
        return nan, inf
    _seen.add(id(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            scan_values(getattr(obj, f.name), f"{path}.{f.name}", nan, inf, depth + 1, _seen)
        return nan, inf
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # NamedTuple
        for name, v in zip(obj._fields, obj):
            scan_values(v, f"{path}.{name}", nan, inf, depth + 1, _seen)
        return nan, inf
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj[:10000]):
            scan_values(v, f"{path}[{i}]", nan, inf, depth + 1, _seen)
        return nan, inf
    if isinstance(obj, dict):
        for k, v in list(obj.items())[:1000]:
            scan_values(v, f"{path}[{k!r}]", nan, inf, depth + 1, _seen)
        return nan, inf
    return nan, inf


def _short_repr(obj, limit=400):
    try:
        import numpy as np

        with np.printoptions(precision=17, threshold=20, edgeitems=3):
            r = repr(obj)
    except Exception as exc:  # noqa: BLE001 - a repr must never break the report
        r = f"<unreprable {type(obj).__name__}: {exc!r}>"
    return r if len(r) <= limit else r[:limit] + "..."


def _run_call(target, args, kwargs):
    """Run ``target(*args, **kwargs)`` here and classify what happened."""
    import importlib
    import traceback
    import warnings

    import numpy as np

    mod_name, func_name = target.split(":")
    func = getattr(importlib.import_module(mod_name), func_name)
    out = Outcome(kind="ok")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        old = np.seterr(all="warn", under="ignore")  # NumPy's default (explicit: a helper may leak a change)
        t0 = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except MemoryError as exc:
            out.kind = "MemoryError"
            out.exc_type, out.exc_message = "MemoryError", str(exc)
            out.traceback = traceback.format_exc(limit=-8)
            result = None
        except ValueError as exc:
            out.kind = "ValueError"
            out.exc_type, out.exc_message = type(exc).__name__, str(exc)
            out.traceback = traceback.format_exc(limit=-8)
            result = None
        except BaseException as exc:  # noqa: BLE001 - every other class is a finding
            out.kind = "exception"
            out.exc_type, out.exc_message = type(exc).__name__, str(exc)
            out.traceback = traceback.format_exc(limit=-8)
            result = None
        finally:
            out.elapsed = time.perf_counter() - t0
            np.seterr(**old)
    for w in rec:
        out.warnings.append((w.category.__name__, str(w.message), f"{Path(w.filename).name}:{w.lineno}"))
    if out.kind == "ok":
        try:
            out.nan_paths, out.inf_paths = scan_values(result)
        except MemoryError:
            out.kind = "MemoryError"
            out.exc_type, out.exc_message = "MemoryError", "while scanning the result for NaN"
        out.result_repr = _short_repr(result)
    return out


def _worker_main(fd_in, fd_out):
    os.environ.update(THREAD_ENV)
    conn_in = Connection(fd_in, writable=False)
    conn_out = Connection(fd_out, readable=False)
    import importlib
    import resource

    sys.path.insert(0, str(ROOT))
    for name in PRELOAD:
        importlib.import_module(name)
    baseline = _vm_size()
    limit = int(os.environ.get("NBLM_SANDBOX_AS", MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn_out.send(("ready", os.getpid(), baseline, limit))
    while True:
        try:
            msg = conn_in.recv()
        except (EOFError, OSError):
            return
        if msg is None or msg[0] == "stop":
            return
        _, target, args, kwargs = msg
        try:
            out = _run_call(target, args, kwargs)
        except MemoryError:
            out = Outcome(kind="MemoryError", exc_type="MemoryError", exc_message="outside the call")
        conn_out.send(("outcome", dataclasses.asdict(out)))  # a dict: the classes differ by module name


# --------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------


class _Worker:
    def __init__(self):
        r_call, w_call = os.pipe()  # parent -> worker
        r_res, w_res = os.pipe()  # worker -> parent
        env = dict(os.environ, **THREAD_ENV, PYTHONPATH=os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(r_call), str(w_res)],
            pass_fds=(r_call, w_res), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=env, cwd=str(ROOT), start_new_session=True,
        )
        os.close(r_call)
        os.close(w_res)
        self.send_conn = Connection(w_call, readable=False)
        self.recv_conn = Connection(r_res, writable=False)
        self.ready = False
        self.pid = self.proc.pid
        self.baseline_vm = None

    def wait_ready(self, timeout):
        if self.ready:
            return
        if not self.recv_conn.poll(timeout):
            raise RuntimeError(f"sandbox worker did not start within {timeout} s")
        tag, _pid, baseline, _limit = self.recv_conn.recv()
        assert tag == "ready"
        self.baseline_vm = baseline
        self.ready = True

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)  # its own session: the worker and anything it started
            except ProcessLookupError:  # pragma: no cover - raced with its exit
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for c in (self.send_conn, self.recv_conn):
            try:
                c.close()
            except OSError:  # pragma: no cover
                pass

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.send_conn.send(("stop",))
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


class Sandbox:
    """A persistent, resource-limited worker process; see the module docstring.

    Use as a context manager (``with Sandbox() as sb: sb.call(...)``) so the
    worker is stopped at the end.
    """

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._worker = None
        self.restarts = 0
        self.calls = 0
        self.call_seconds = 0.0

    # context manager
    def __enter__(self):
        self._ensure()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    @property
    def baseline_vm(self):
        """Virtual size (bytes) of the worker after its imports, before the limit was set."""
        w = self._ensure()
        return w.baseline_vm

    def _ensure(self):
        if self._worker is None:
            self._worker = _Worker()
        self._worker.wait_ready(STARTUP_TIMEOUT)
        return self._worker

    def _replace(self):
        if self._worker is not None:
            self._worker.kill()
        self.restarts += 1
        self._worker = _Worker()  # warms up while the caller goes on; waited for at the next call

    def call(self, target, args=(), kwargs=None, timeout=None):
        """Run ``target`` ("package.module:function") with ``args``/``kwargs`` in the worker.

        Returns an :class:`Outcome`.  ``args`` and ``kwargs`` must pickle.
        """
        timeout = self.timeout if timeout is None else timeout
        kwargs = {} if kwargs is None else kwargs
        w = self._ensure()
        self.calls += 1
        t0 = time.perf_counter()
        try:
            w.send_conn.send(("call", target, tuple(args), dict(kwargs)))
            got = w.recv_conn.poll(timeout)
            out = w.recv_conn.recv() if got else None
            if out is not None:
                out = Outcome(**out[1]) if isinstance(out, tuple) and out[0] == "outcome" else "died"
        except (EOFError, OSError, BrokenPipeError):
            out = "died"
        elapsed = time.perf_counter() - t0
        self.call_seconds += elapsed
        if out is None:
            self._replace()
            return Outcome(kind="timeout", elapsed=elapsed,
                           exc_message=f"no answer within {timeout:g} s (worker killed)")
        if out == "died" or not isinstance(out, Outcome):
            try:
                rc = w.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                rc = None
            self._replace()
            return Outcome(kind="died", elapsed=elapsed, returncode=rc,
                           exc_message="the worker process died during the call")
        if out.kind == "MemoryError":
            self._replace()
        return out


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        _worker_main(int(sys.argv[2]), int(sys.argv[3]))
    else:  # a quick self-check: python tests/sandbox.py
        with Sandbox() as sb:
            print("baseline VmSize after imports: %.0f MiB (limit %.0f MiB)"
                  % (sb.baseline_vm / 2**20, MEMORY_LIMIT / 2**20))
            print(sb.call("nblm_helpers.parameters:eps_from_Xi", (2.0, 3.0)).summary())
            print(sb.call("numpy:ones", ((10**6, 10**6),)).summary())
            print(sb.call("time:sleep", (0.2,), timeout=0.1).summary())
            print(sb.call("numpy:log", (0.0,)).summary())
            print(sb.call("os:_exit", (3,)).summary())
            print(sb.call("math:sqrt", (4.0,)).summary())
