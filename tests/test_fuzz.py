"""Resource-bounded fuzzing of every public helper of :mod:`nblm_helpers` (issue "Hardening", part 3).

Every public callable in the ``__all__`` of the physics modules (``parameters,
relaxation, lineshape, echo, bath_spectra, single_dot, meanfield, saddle_point,
validity, scaling, temperature, population``) has a :class:`Spec` below: one strategy per
parameter, built from the documented range *including its extremes* (``N`` up
to 1e9, couplings down to 1e-300, ``K`` from 1+1e-9 to 1e6, ``eps`` from -1e6
to 1-1e-12, lengths and times from 1e-300 to 1e300, counts up to 1e9, small
arrays mixed with scalars) and, in about one example in five, one parameter
out of its range (negative, zero, NaN, inf, a bool, a string, ...).

Each call runs in a worker process (``tests/sandbox.py``) limited to 2 GiB of
address space (``RLIMIT_AS``) and 5 s of wall time.  Allowed outcomes:

(a) a returned value with no NaN anywhere (floats, arrays, tuples, lists,
    dicts, dataclasses are searched) and no +-inf unless the spec says
    ``inf_ok`` (a documented meaning: ``ln`` of a rate that is exactly 0,
    ``ln_Gamma = -inf`` for "localized", ``F0 = inf`` where the sum diverges,
    ...).  A few helpers document a NaN sentinel (e.g. "``nan`` for
    ``T <= T0``"); their spec says ``nan_ok`` with the documented condition;
(b) the same with one or more :class:`~nblm_helpers.parameters.ValidityWarning`;
(c) a ``ValueError`` whose message names one of the call's parameters.

Anything else fails: another exception class, a ``MemoryError``, any other
warning (NumPy's overflow/invalid/divide ``RuntimeWarning`` included), more
than 5 s, or a dead worker.  The assertion message is the exact call,
``nblm_helpers.module.function(args, kwargs)``, ready to paste into a
regression test, followed by the outcome.

Budget and reproducibility
--------------------------
* One pytest test per helper (id ``module.function``), each a Hypothesis test
  with ``max_examples`` from its spec plus explicit corner examples (every
  parameter at the low end of its documented range, every parameter at the
  high end, and hand-picked cases).  With fast helpers the whole file takes
  ~40 s of CPU; under ``pytest -n 2`` every xdist worker has its own sandbox.
* Examples are derandomized by the ``nblm`` profile of ``tests/conftest.py``
  (the same examples every run).  To search afresh, run e.g.
  ``HYPOTHESIS_PROFILE=explore .venv/bin/python -m pytest tests/test_fuzz.py -n 2``;
  raise ``NBLM_FUZZ_EXAMPLES`` (a multiplier of every ``max_examples``,
  default 1) for a longer search.
* A call that times out costs 5 s, so shrinking a failure gets a budget of
  ``SHRINK_BUDGET`` seconds of sandbox time per helper; after it, new
  candidate calls are not run (they count as passing) and the best failing
  call found so far is reported (Hypothesis' own shrink time limit is set to
  the same budget, so its message "spent more than five minutes ... to
  shrink" only means that budget ran out).  Outcomes are cached per exact
  call, so Hypothesis' replays are free and consistent.
* A failing explicit corner example is recorded and the random search still
  runs; the test then reports both.
* ``NBLM_FUZZ_LOG=/path/file.jsonl`` appends every failing outcome (and every
  out-of-range input that was accepted silently) as one JSON line; used to
  write the hardening report.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import math
import os
import pickle
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sandbox import MEMORY_LIMIT, Sandbox  # noqa: E402

import nblm_helpers.parameters as _params  # noqa: E402

pytestmark = pytest.mark.fuzz

MODULES = ("parameters", "relaxation", "lineshape", "echo", "bath_spectra", "single_dot", "meanfield",
           "saddle_point", "validity", "scaling", "temperature", "population", "agkl", "arrays", "sweep")
TIMEOUT = 5.0  # seconds per call
SHRINK_BUDGET = 5.0  # seconds (wall) per helper for shrinking once a generated example has failed
EXAMPLES_FACTOR = float(os.environ.get("NBLM_FUZZ_EXAMPLES", "1"))
LOG = os.environ.get("NBLM_FUZZ_LOG")

#: Public callables without a fuzz spec, and why.
EXCLUDED = {
    "parameters.ValidityWarning": "a warning class, not a helper",
    "meanfield.LinewidthResult": "result dataclass of solve_linewidth (fuzzed through it)",
    "meanfield.LinewidthCurve": "result dataclass of linewidth_curve (fuzzed through it)",
    "meanfield.SaddlePointCurves": "result dataclass of saddle_point_curves (fuzzed through it)",
    "scaling.PowerLawFit": "result dataclass of fit_critical_power_law (fuzzed through it)",
    "temperature.ConductivityResult": "result dataclass of ln_conductivity (fuzzed through it)",
    "temperature.FitResult": "result dataclass of the fit_* helpers (fuzzed through them)",
    "validity.Validity": "result dataclass of validity.classify (fuzzed through it)",
    "single_dot.RatioStatistics": "result named tuple of single_dot.ratio_statistics (fuzzed through it)",
    "population.LyapunovResult": "result dataclass of anderson_bethe_lyapunov (fuzzed through it)",
    "population.LinewidthDistribution": "result dataclass of stationary_linewidths (fuzzed through it)",
    "population.DistributionTransition": "result dataclass of distribution_transition (fuzzed through it)",
    "agkl.AGKLDot": "result dataclass of agkl.draw_dot (fuzzed through it and through agkl.spectrum_of_dot)",
    "agkl.Spectrum": "result dataclass of agkl.spectrum (fuzzed through it)",
    "agkl.GapRatio": "result named tuple of agkl.mean_gap_ratio (fuzzed through it)",
    "agkl.HammingProfile": "result dataclass of agkl.hamming_profile (fuzzed through it)",
    "agkl.FockStatistics": "result dataclass of agkl.fock_statistics (fuzzed through it)",
    "agkl.GapRatioSweep": "result dataclass of agkl.gap_ratio_sweep (fuzzed through it)",
    "agkl.FockSweep": "result dataclass of agkl.fock_sweep (fuzzed through it)",
    "arrays.DotArrayResult": "result dataclass of solve_dot_array (fuzzed through it)",
    "arrays.Clusters": "result dataclass of metallic_clusters (fuzzed through it)",
    "arrays.FractionCurve": "result dataclass of metallic_fraction_curve (fuzzed through it)",
    "sweep.SweepResult": "result dataclass of map_grid (fuzzed through it)",
    "sweep.GridPointError": "an exception class, not a helper",
}

#: Parameters a spec leaves out on purpose (name -> reason).
SKIPPED_PARAMS = {
    "temperature.ln_conductivity": {"progress": "a callback; not picklable into the sandbox, no numerics"},
    "population.anderson_bethe_lyapunov": {"progress": "a callback; not picklable into the sandbox, no numerics"},
    "population.anderson_bethe_critical_disorder": {"progress": "a callback; not picklable into the sandbox"},
    "population.stationary_linewidths": {"progress": "a callback; not picklable into the sandbox, no numerics"},
    "sweep.map_grid": {"executor": "an executor (process pool, Dask client) is not picklable into the sandbox; "
                                   "executors are tested in tests/test_sweep.py"},
}

# ======================================================================
# value strategies
# ======================================================================

NAN, INF = math.nan, math.inf


def logu(lo, hi):
    """Log-uniform floats in [lo, hi] (0 < lo < hi)."""
    a, b = math.log(lo), math.log(hi)
    return st.floats(a, b).map(lambda x: min(max(math.exp(x), lo), hi))


def _arr(values):
    return np.array(values, dtype=float)


class PT:
    """A parameter type: valid values (typical + extremes), invalid values, and its two corners."""

    def __init__(self, scalar, bad=(), *, corners=(None, None), array=False, bad_strategy=None, numeric_bad=()):
        self.scalar = scalar
        self.bad = list(bad)
        self.corners = corners
        self.array = array
        self.bad_strategy = bad_strategy
        self.numeric_bad = list(numeric_bad)

    @property
    def A(self):
        """The same type, also as small arrays (length 1-5) mixed with scalars."""
        return PT(self.scalar, self.bad, corners=self.corners, array=True, bad_strategy=self.bad_strategy,
                  numeric_bad=self.numeric_bad)

    def valid(self, length=None):
        """Valid values; an array-capable type gives arrays of ``length`` (one length per call) a third of the time."""
        if not self.array:
            return self.scalar
        n = length or 3
        cache = self.__dict__.setdefault("_valid_cache", {})
        if n not in cache:
            cache[n] = st.one_of(self.scalar, self.scalar, st.lists(self.scalar, min_size=n, max_size=n).map(_arr))
        return cache[n]

    def invalid(self, none_bad):
        if not (self.bad or self.bad_strategy is not None or self.numeric_bad):
            return None  # no out-of-range values for this parameter
        cache = self.__dict__.setdefault("_invalid_cache", {})
        if none_bad not in cache:
            cache[none_bad] = self._invalid(none_bad)
        return cache[none_bad]

    def _invalid(self, none_bad):
        vals = list(self.bad) + ([None] if none_bad else [])
        opts = []
        if vals:
            opts.append(st.sampled_from(vals))
        if self.bad_strategy is not None:
            opts.append(self.bad_strategy)
        if self.array and self.numeric_bad:
            opts.append(st.tuples(self.scalar, st.sampled_from(self.numeric_bad)).map(_arr))
        return st.one_of(*opts) if opts else None

    def corner(self, which):
        return self.corners[0 if which == "lo" else 1]


def real(lo=None, hi=None, *, lo_open=True, hi_open=True, typical, extremes, extra_bad=()):
    """A real parameter in the interval (lo, hi) (``None``: unbounded); NaN/inf are invalid."""

    def inside(v):
        if not math.isfinite(v):
            return False
        if lo is not None and (v < lo or (lo_open and v == lo)):
            return False
        return not (hi is not None and (v > hi or (hi_open and v == hi)))

    ext = [v for v in extremes if inside(v)]
    assert ext, (lo, hi, extremes)
    numeric = [NAN, INF, -INF]
    if lo is not None:
        if lo_open:
            numeric.append(lo)
        numeric += [lo - max(1.0, abs(lo)), -1e300 if lo > -1e300 else -INF]
    if hi is not None:
        if hi_open:
            numeric.append(hi)
        numeric += [hi + max(1.0, abs(hi)), 1e300 if hi < 1e300 else INF]
    numeric = [v for v in dict.fromkeys(numeric) if not (isinstance(v, float) and not math.isnan(v) and inside(v))]
    bad = numeric + [True, "0.5", 1j] + list(extra_bad)
    scalar = st.one_of(typical, st.sampled_from(ext))
    return PT(scalar, bad, corners=(min(ext), max(ext)), numeric_bad=numeric)


def integer(minimum=1, *, typical, extremes):
    ext = [v for v in extremes if v >= minimum]
    scalar = st.one_of(typical, st.sampled_from(ext), st.sampled_from(ext[:3]).map(float))
    bad = [minimum - 1, minimum - 7, minimum + 0.5, NAN, INF, True, "3", 10**400]
    return PT(scalar, bad, corners=(min(ext), max(ext)))


def choice(*options):
    return PT(st.sampled_from(options), ["bogus", 1, ""], corners=(options[0], options[-1]))


FLAG = PT(st.booleans(), [], corners=(False, True))


def const(value):
    return PT(st.just(value), [], corners=(value, value))


TINY_HUGE = [1e-300, 1e-100, 1e-30, 1e-12, 1e-3, 1.0, 1e3, 1e12, 1e30, 1e100, 1e300]
UNIT_EXT = [1e-300, 1e-100, 1e-12, 1e-3, 0.5, 0.999, 1 - 1e-12, 1 - 2.0**-53]

POS = real(0.0, typical=logu(1e-3, 1e3), extremes=TINY_HUGE)
UNIT = real(0.0, 1.0, typical=st.floats(1e-3, 0.999), extremes=UNIT_EXT)  # (0, 1)
S = real(0.0, 1.0, hi_open=False, typical=st.floats(0.01, 1.0), extremes=[1e-300, 1e-12, 1e-3, 0.5, 1.0])
K = real(1.0, typical=st.floats(1.05, 20.0), extremes=[1 + 1e-9, 1 + 1e-6, 1.001, 1.5, 2.0, 3.0, 10.0, 1e3, 1e6])
EPS = real(None, 1.0, typical=st.floats(-3.0, 0.999),
           extremes=[-1e6, -1e3, -10.0, -1.0, -1e-12, 0.0, 1e-12, 0.1, 0.5, 0.9, 1 - 1e-9, 1 - 1e-12])
NONNEG = real(0.0, lo_open=False, typical=logu(1e-3, 1e3), extremes=[0.0] + TINY_HUGE)  # t, omega
REAL = real(typical=st.floats(-50.0, 50.0), extremes=[-1e300, -1e6, -1.0, 0.0, 1e-300, 1.0, 1e6, 1e300])
N = integer(1, typical=st.integers(1, 60), extremes=[1, 2, 3, 10, 100, 10**4, 10**6, 10**9])
D = integer(1, typical=st.sampled_from([1, 1, 2, 3]), extremes=[1, 2, 3, 4, 10])
COUNT = integer(1, typical=st.integers(1, 1000), extremes=[1, 2, 3, 100, 10**4, 10**6, 10**9])
# the mean-field coupling gamma/delta_m: documented > 0, physical << 1
GAMMA_MF = real(0.0, typical=logu(1e-4, 0.5),
                extremes=[1e-300, 1e-100, 1e-30, 1e-12, 1e-3, 0.1, 0.5, 0.999, 1.0, 10.0, 1e6, 1e300])
# a ln-rate: any real or -inf (a rate of exactly 0)
LN_RATE = PT(st.one_of(st.floats(-60.0, 5.0), st.sampled_from([-INF, -1e300, -1e6, -700.0, -1e-12, 0.0, 1e3])),
             [NAN, INF, True, "x", 1j], corners=(-INF, 1e3), numeric_bad=[NAN, INF])
LN_RATE_FINITE = PT(st.one_of(st.floats(-60.0, 5.0), st.sampled_from([-1e300, -1e6, -700.0, -1e-12, 0.0, 1e3])),
                    [NAN, INF, -INF, True, "x", 1j], corners=(-1e300, 1e3), numeric_bad=[NAN, INF, -INF])
FRACTION = st.one_of(st.floats(0.01, 0.99), st.sampled_from([1e-300, 1e-12, 1e-3, 0.5, 1 - 1e-12]))


class Group:
    """Several parameters drawn together (e.g. exactly one of ``eps`` and ``xi``)."""

    names: tuple = ()

    def draw(self, draw, bad, length=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def corner(self, which):  # pragma: no cover - abstract
        raise NotImplementedError


class OneOf(Group):
    """Exactly one of two parameters (e.g. ``eps``/``xi``, ``Gamma``/``ln_Gamma``).

    ``both_keys``: always pass both (one as ``None``; for positional helpers
    such as ``resolve_eps(eps, xi, K)``).  ``neither_ok``: passing neither is
    valid (an optional linewidth).
    """

    def __init__(self, a, pa, b, pb, *, both_keys=False, neither_ok=False, corners=None):
        self.names = (a, b)
        self.pa, self.pb = pa, pb
        self.both_keys, self.neither_ok = both_keys, neither_ok
        self._corners = corners

    def _out(self, va=None, vb=None, use=(True, True)):
        out = {}
        if use[0] or self.both_keys:
            out[self.names[0]] = va
        if use[1] or self.both_keys:
            out[self.names[1]] = vb
        return out

    def draw(self, draw, bad, length=None):
        if not bad:
            k = draw(st.integers(0, 3 if self.neither_ok else 1))
            if k == 0:
                return self._out(va=draw(self.pa.valid(length)), use=(True, False))
            if k == 1:
                return self._out(vb=draw(self.pb.valid(length)), use=(False, True))
            return self._out(use=(False, False)) if self.both_keys else {}
        k = draw(st.integers(0, 3))
        if k == 0 and not self.neither_ok:
            return self._out(use=(False, False)) if self.both_keys else {}
        if k <= 1:
            return self._out(va=draw(self.pa.valid(length)), vb=draw(self.pb.valid(length)))
        if k == 2:
            return self._out(va=draw(self.pa.invalid(False)), use=(True, False))
        return self._out(vb=draw(self.pb.invalid(False)), use=(False, True))

    def corner(self, which):
        if self._corners is not None:
            return dict(self._corners[0 if which == "lo" else 1])
        return self._out(va=self.pa.corner(which), use=(True, False))


def eps_Xi(*, both_keys=False, array=True):
    e, x = (EPS.A, POS.A) if array else (EPS, POS)
    return OneOf("eps", e, "Xi", x, both_keys=both_keys,
                 corners=({"eps": -1e6}, {"eps": 1 - 1e-12}) if not both_keys else
                 ({"eps": -1e6, "Xi": None}, {"eps": None, "Xi": 1e300}))


def rate_or_ln(rate, ln_rate, *, zero_ok, neither_ok=False, both_keys=False, array=True):
    ln = LN_RATE if zero_ok else LN_RATE_FINITE
    r, l_ = (POS.A, ln.A) if array else (POS, ln)
    return OneOf(rate, r, ln_rate, l_, neither_ok=neither_ok, both_keys=both_keys,
                 corners=({ln_rate: -1e300} | ({rate: None} if both_keys else {}),
                          {rate: 1e300} | ({ln_rate: None} if both_keys else {})))


class Data(Group):
    """A data set ``(x, y)`` for the fit helpers: model data or arbitrary positive data, with extremes."""

    def __init__(self, xname, yname, *, y_positive=True, n_min=4, increasing=False, model="power"):
        self.names = (xname, yname)
        self.y_positive, self.n_min, self.increasing, self.model = y_positive, n_min, increasing, model

    def _model(self, draw):
        n = draw(st.integers(self.n_min, 12))
        x0 = draw(st.one_of(st.floats(0.05, 10.0), st.sampled_from([1e-300, 1e-12, 1e6, 1e100])))
        dx = sorted(set(draw(st.lists(st.one_of(logu(1e-6, 10.0), st.sampled_from([1e-300, 1e-12, 1e12, 1e100])),
                                      min_size=n, max_size=n))))
        x = np.array([x0 + v for v in dx])
        if np.any(np.diff(x) <= 0) or x.size < self.n_min:
            x = x0 + np.geomspace(1e-3, 1.0, self.n_min) * max(1.0, x0)
        A = draw(st.one_of(logu(1e-3, 1e3), st.sampled_from([1e-300, 1e300])))
        p = draw(st.one_of(st.floats(0.05, 3.0), st.sampled_from([1e-6, 50.0])))
        noise = np.array(draw(st.lists(st.floats(-0.05, 0.05), min_size=x.size, max_size=x.size)))
        with np.errstate(all="ignore"):
            dxs = x - x0
            if self.model == "power":
                y = A * dxs**p * np.exp(noise)
            elif self.model == "vf":
                y = math.log(A) - p * x0 / dxs + noise
            elif self.model == "nc":
                y = math.log(A) - p / dxs ** (1.0 / 3.0) + noise
            else:  # log power law
                y = math.log(A) + p * np.log(dxs) + noise
        return x, y

    def _arbitrary(self, draw):
        n = draw(st.integers(self.n_min, 10))
        xs = draw(st.lists(st.one_of(st.floats(1e-3, 100.0), st.sampled_from([1e-300, 1e-12, 1e12, 1e300])),
                           min_size=n, max_size=n, unique=True))
        if self.increasing:
            xs = sorted(xs)
        if self.y_positive:
            ys = draw(st.lists(st.one_of(logu(1e-6, 1e6), st.sampled_from([1e-300, 1e300])), min_size=n, max_size=n))
        else:
            ys = draw(st.lists(st.one_of(st.floats(-100.0, 100.0), st.sampled_from([-1e300, 0.0, 1e300])),
                               min_size=n, max_size=n))
        return np.array(xs, dtype=float), np.array(ys, dtype=float)

    def draw(self, draw, bad, length=None):
        x, y = self._model(draw) if draw(st.booleans()) else self._arbitrary(draw)
        if bad:
            k = draw(st.integers(0, 5))
            if k == 0:
                y = y[:-1]
            elif k == 1:
                x = x[: self.n_min - 2]
                y = y[: self.n_min - 2]
            elif k == 2:
                x = x.copy()
                x[0] = draw(st.sampled_from([NAN, INF]))
            elif k == 3:
                y = y.copy()
                y[-1] = draw(st.sampled_from([NAN, -INF] + ([0.0, -1.0] if self.y_positive else [])))
            elif k == 4:
                x = np.vstack([x, x])
            else:
                x = "abc"
        return {self.names[0]: x, self.names[1]: y}

    def corner(self, which):
        n = max(self.n_min, 5)
        if which == "lo":
            x = np.geomspace(1e-300, 1e-290, n)
            y = np.full(n, 1e-300) * np.arange(1, n + 1) if self.y_positive else np.linspace(-1e300, 1e300, n)
        else:
            x = np.geomspace(1e290, 1e300, n)
            y = np.geomspace(1e290, 1e300, n) if self.y_positive else np.linspace(-1e300, 1e300, n)
        return {self.names[0]: x, self.names[1]: y}


# ======================================================================
# specs
# ======================================================================


def _resolve(target):
    mod, name = target.split(".")
    return getattr(importlib.import_module(f"nblm_helpers.{mod}"), name)


@dataclasses.dataclass
class Spec:
    """How to fuzz one helper.

    ``params``: name -> :class:`PT` (or a :class:`Group` under any key).
    ``post(kw, u)``: make dependent parameters consistent in valid calls
    (``u`` is a drawn fraction in (0, 1)); it must not touch an invalid value.
    ``inf_ok``/``nan_ok``: ``True`` or a predicate ``(call, paths) -> bool``
    for a documented meaning.  ``err_names(call)``: extra names a
    ``ValueError`` may name (e.g. the ``name`` argument of ``check_real``).
    """

    target: str
    params: dict
    max_examples: int = 30
    inf_ok: object = False
    nan_ok: object = False
    post: object = None
    err_names: object = None
    why_inf: str = ""

    def __post_init__(self):
        self.func = _resolve(self.target)
        self.sig = inspect.signature(self.func)
        self.id = self.target

    def build(self, values, bad=False):
        """A :class:`Call` from a dict of parameter values (positional ones by name)."""
        args, kwargs = [], {}
        values = dict(values)
        for p in self.sig.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.name not in values:
                continue
            v = values.pop(p.name)
            if p.kind == p.POSITIONAL_ONLY or (p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty):
                args.append(v)
            else:
                kwargs[p.name] = v
        kwargs.update(values)  # **kwargs helpers (dominant_channel, F_zero, fit_windows)
        return Call(self.target, tuple(args), kwargs, bad)

    def optional(self, name):
        p = self.sig.parameters.get(name)
        return p is not None and p.default is not p.empty

    def none_bad(self, name):
        p = self.sig.parameters.get(name)
        return p is not None and (p.default is p.empty or p.default is not None)

    def corner_call(self, which, u):
        values = {}
        for key, pt in self.params.items():
            values.update(pt.corner(which) if isinstance(pt, Group) else {key: pt.corner(which)})
        if self.post is not None:
            self.post(values, u)
        return self.build(values)


class Call:
    """One call of a helper; its repr is the exact, pasteable call."""

    def __init__(self, target, args, kwargs, bad=False):
        self.target, self.args, self.kwargs, self.bad = target, args, kwargs, bad
        self.explicit = False  # an @example corner (see test_fuzz)

    def __repr__(self):
        parts = [_fmt(a) for a in self.args] + [f"{k}={_fmt(v)}" for k, v in self.kwargs.items()]
        return f"nblm_helpers.{self.target}({', '.join(parts)})"

    def value(self, name, default=None):
        spec = SPEC_BY_ID[self.target]
        try:
            bound = spec.sig.bind_partial(*self.args, **self.kwargs)
        except TypeError:
            return self.kwargs.get(name, default)
        return bound.arguments.get(name, self.kwargs.get(name, default))


def _fmt(v):
    """Exact, pasteable source of a value (floats by repr, arrays element by element)."""
    if isinstance(v, np.ndarray):
        inner = ", ".join(_fmt(x) for x in v.tolist()) if v.ndim == 1 else repr(v.tolist())
        return f"np.array([{inner}])"
    if isinstance(v, float):
        if math.isnan(v):
            return "math.nan"
        if math.isinf(v):
            return "math.inf" if v > 0 else "-math.inf"
        return repr(v)
    if isinstance(v, (list, tuple)):
        inner = ", ".join(_fmt(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner}{',' if len(v) == 1 else ''})"
    return repr(v)


# ---------------------------------------------------------------- helpers for post()


def _set(kw, name, value):
    if name in kw and isinstance(kw[name], (float, int, np.ndarray)) and not isinstance(kw[name], bool):
        kw[name] = value


def _num(v):
    """A finite positive float (first element of an array), or None."""
    try:
        x = float(np.asarray(v, dtype=float).ravel()[0])
    except (TypeError, ValueError, IndexError):
        return None
    return x if math.isfinite(x) and x > 0 else None


def post_J(kw, u):
    """J = Gamma_b / u > Gamma_b (lineshape, Eq. 11 needs J > Gamma_b)."""
    gb = _num(kw.get("Gamma_b"))
    if gb is not None and "J" in kw:
        kw["J"] = min(gb / u, 1e300) if gb / u > gb else gb * 2.0


def post_W_below_delta_m(kw, u):
    dm = _num(kw.get("delta_m", 1.0))
    if dm is not None and "W" in kw and isinstance(kw["W"], (float, int, np.ndarray)):
        kw["W"] = dm * np.asarray(kw["W"]) if isinstance(kw["W"], np.ndarray) else dm * kw["W"]


def post_Gamma_below_gamma(kw, u):
    g = _num(kw.get("gamma"))
    if g is not None:
        _set(kw, "Gamma", g * u)
        if kw.get("ln_Gamma") is not None and not isinstance(kw.get("ln_Gamma"), bool):
            with np.errstate(all="ignore"):
                kw["ln_Gamma"] = math.log(g) - np.abs(np.asarray(kw["ln_Gamma"], dtype=float)) - 1e-9
            if np.ndim(kw["ln_Gamma"]) == 0:
                kw["ln_Gamma"] = float(kw["ln_Gamma"])


def post_ln_gamma_19(kw, u):
    """self_consistency_ratio: ln_Gamma < ln(gamma) for Eq. 19."""
    g = _num(kw.get("gamma"))
    x = kw.get("ln_Gamma")
    if g is not None and x is not None and not isinstance(x, (bool, str)) and kw.get("equation", "19") == "19":
        with np.errstate(all="ignore"):
            v = math.log(g) - np.abs(np.asarray(x, dtype=float)) - 1e-12 * max(1.0, abs(math.log(g)))
        kw["ln_Gamma"] = float(v) if np.ndim(v) == 0 else v


def post_ln_Gamma_monotone(kw, u):
    """eps_at_linewidth: ln_Gamma <= ln(gamma) - d/2 (at the smallest gamma)."""
    g = kw.get("gamma")
    d = kw.get("d", 1)
    try:
        gmin = float(np.min(np.asarray(g, dtype=float)))
        dd = float(d)
    except (TypeError, ValueError):
        return
    if gmin > 0 and math.isfinite(gmin) and math.isfinite(dd) and isinstance(kw.get("ln_Gamma"), float):
        kw["ln_Gamma"] = math.log(gmin) - dd / 2.0 - abs(kw["ln_Gamma"])


def post_T_domain(kw, u):
    """T in (0, sqrt(g/lam)): T = sqrt(g/lam) * fraction."""
    g, lam = _num(kw.get("g")), _num(kw.get("lam"))
    if g is None or lam is None or "T" not in kw or isinstance(kw["T"], (bool, str)) or kw["T"] is None:
        return
    with np.errstate(all="ignore"):
        tmax = math.sqrt(g) / math.sqrt(lam)
        T = np.asarray(kw["T"], dtype=float)
        frac = np.where((T > 0) & (T < 1), T, u)
        val = tmax * frac
    kw["T"] = float(val) if np.ndim(val) == 0 else val


def post_omega_range(kw, u):
    lo = _num(kw.get("omega_min"))
    if lo is not None and _num(kw.get("omega_max")) is not None:
        kw["omega_max"] = min(lo / u, 1e300) if lo / u > lo else lo


def post_exp_piece(kw, u):
    a = kw.get("a", 0.0)
    if isinstance(kw.get("b"), float) and isinstance(a, float) and math.isfinite(a) and a >= 0:
        kw["b"] = math.inf if u > 0.7 else a + kw["b"]


def post_bounds(name, lo_name="T"):
    def post(kw, u):
        b = kw.get(name)
        x = kw.get(lo_name)
        if isinstance(b, tuple) and isinstance(x, np.ndarray) and x.size and np.all(np.isfinite(x)):
            tmin = float(np.min(x))
            span = float(np.ptp(x)) or 1.0
            kw[name] = (tmin - b[0] * span, tmin - b[1] * span * u)
    return post


def post_fixed_below_min(name, xname):
    """A fixed critical point below min(x): x_c = min(x) - fraction * span."""
    def post(kw, u):
        x = kw.get(xname)
        if kw.get(name) is not None and isinstance(kw.get(name), float) and isinstance(x, np.ndarray) \
                and x.size and np.all(np.isfinite(x)):
            span = float(np.ptp(x)) or 1.0
            kw[name] = float(np.min(x)) - span * (abs(kw[name]) / (1.0 + abs(kw[name])))
    return post


def post_population_work(runs):
    """population * (burn_in + iterations) * (branching + 2) * runs <= 4e7 (~1.5 s; the documented
    limit, MAX_WORK = 3e9 units, ~100 s, is far beyond the sandbox's 5 s)."""
    def post(kw, u):
        try:
            its = int(kw.get("iterations", 300)) + int(kw.get("burn_in", 50))
            per = its * (int(kw.get("branching", 2)) + 2) * runs
        except (TypeError, ValueError, OverflowError):
            return
        if "population" in kw and isinstance(kw["population"], (int, float)) and not isinstance(kw["population"], bool):
            kw["population"] = type(kw["population"])(max(10, min(int(kw["population"]), int(4e7 // per))))
        elif "population" not in kw:
            kw["population"] = max(10, min(100_000, int(4e7 // per)))
    return post


def post_band_energy(kw, u):
    """energy inside the clean band, |E| < 2 sqrt(K): the drawn value (in (-1, 1)) times 2 sqrt(K)."""
    try:
        edge = 2.0 * math.sqrt(float(kw.get("branching", 2)))
    except (TypeError, ValueError, OverflowError):
        return
    if isinstance(kw.get("energy"), float) and abs(kw["energy"]) < 1:
        kw["energy"] = kw["energy"] * edge


def chain(*posts):
    def post(kw, u):
        for p in posts:
            p(kw, u)
    return post


# ---------------------------------------------------------------- nan / inf predicates


def only_paths(*prefixes):
    """Allowed only at result paths starting with one of ``prefixes``."""
    return lambda call, paths: all(any(p.startswith(pre) for pre in prefixes) for p in paths)


def neg_inf_only(call, paths):
    return all("+inf" not in p and "=inf" not in p for p in paths)


def pos_inf_only(call, paths):
    return all("-inf" not in p for p in paths)


# ---------------------------------------------------------------- the specs

NC_RATE = rate_or_ln("Gamma", "ln_Gamma", zero_ok=False)
CUTOFF = PT(st.one_of(st.none(), UNIT.scalar), UNIT.bad, corners=(1e-300, None))  # optional, in (0, 1)
OPT_POS = PT(st.one_of(st.none(), POS.scalar), POS.bad, corners=(1e-300, 1e300))  # optional, > 0
OPT_N = PT(st.one_of(st.none(), N.scalar), N.bad, corners=(1, 10**9))  # optional integer >= 1
METHOD_C = choice("lambert", "brentq", "approx")
NFAST = choice("literal", "continuous")
L11 = dict(Gamma_b=POS, s_xi_d=POS, J=POS, d=D, nfast=NFAST)
MF = dict(gamma=GAMMA_MF, K=K, N=N, s=S, d=D)
MF_OPTS = dict(equation=choice("19", "E3", "E2", "E1"), sum_range=choice("infinite", "square"),
               nfast=NFAST, drop_negative=FLAG)
BOUNDARY = dict(K=K, N=N, s=S, d=D, sum_range=choice("infinite", "square"), nfast=NFAST)
# issue 13: Eq. (19)'s sum or its integral form (with E2/E3 "integral" is a ValueError naming it)
SUMMATION = dict(summation=choice("sum", "integral"), integral_limits=choice("cell", "naive"))
TEMP = dict(g=POS, lam=POS, K=K)
CHECK_NAME = PT(st.sampled_from(["x", "gamma", "ln_Gamma"]), [], corners=("x", "x"))
RELAX = dict(gamma=UNIT.A, W=UNIT.A)
SHAPED = PT(st.one_of(st.floats(0.0, 1.0), st.sampled_from([(3,), (1, 3), (2, 1), (5,), (0,), (2, 3, 1), (1,)])
                      .map(lambda shape: np.zeros(shape))), [], corners=(0.0, np.zeros((1, 10**5))))


def _name_arg(call):
    return [call.value("name"), call.value("ln_name"), "Gamma", "ln_Gamma"]


SPECS = [
    # ---------------------------------------------------------------- parameters
    Spec("parameters.Parameters", dict(
        gamma=POS, W=POS, Delta=POS, xi=POS, Xi=POS, eps=EPS, K=K, N=N, s=S, d=D, delta_m=POS), max_examples=40),
    Spec("parameters.check_real", dict(
        name=CHECK_NAME, value=PT(st.one_of(REAL.A.valid(), st.sampled_from([NAN, INF, True, "x", 1j])), [],
                                  corners=(-1e300, 1e300)),
        lo=PT(st.one_of(st.none(), REAL.scalar), [], corners=(None, -1e300)),
        hi=PT(st.one_of(st.none(), REAL.scalar), [], corners=(None, 1e300)),
        lo_open=FLAG, hi_open=FLAG), err_names=_name_arg),
    Spec("parameters.check_positive", dict(name=CHECK_NAME, value=POS.A), err_names=_name_arg),
    Spec("parameters.check_scalar", dict(
        check=PT(st.sampled_from([_params.check_real, _params.check_positive, _params.check_unit_interval]), [],
                 corners=(_params.check_real, _params.check_positive)),
        name=CHECK_NAME, value=POS.A), err_names=_name_arg),
    Spec("parameters.check_unit_interval", dict(name=CHECK_NAME, value=S.A), err_names=_name_arg),
    Spec("parameters.check_open_unit", dict(name=CHECK_NAME, value=UNIT.A), err_names=_name_arg),
    Spec("parameters.check_branching", dict(name=CHECK_NAME, value=K.A), err_names=_name_arg),
    Spec("parameters.check_positive_int", dict(
        name=CHECK_NAME, value=COUNT, minimum=PT(st.sampled_from([0, 1, 2, 4]), [], corners=(0, 4)),
        maximum=PT(st.one_of(st.none(), st.sampled_from([10, 10**6, 10**9])), [], corners=(None, 10**9))),
        err_names=_name_arg),
    Spec("parameters.check_dimension", dict(value=D), err_names=lambda c: ["d"]),
    Spec("parameters.check_seed", dict(
        name=CHECK_NAME, value=integer(0, typical=st.integers(0, 2**32), extremes=[0, 1, 2**53, 2**63 - 1])),
        err_names=_name_arg),
    Spec("parameters.check_eps", dict(value=EPS.A), err_names=lambda c: ["eps"]),
    Spec("parameters.check_choice", dict(
        name=CHECK_NAME, value=choice("a", "b"),
        allowed=PT(st.sampled_from([("a", "b"), ["a", "b"], ("a",)]), [], corners=(("a",), ("a", "b")))),
        err_names=_name_arg),
    Spec("parameters.check_ln_rate", dict(name=CHECK_NAME, value=LN_RATE.A, allow_zero_rate=FLAG),
         err_names=_name_arg, inf_ok=neg_inf_only, why_inf="-inf: a rate of exactly 0"),
    Spec("parameters.resolve_ln_rate", dict(
        pair=rate_or_ln("rate", "ln_rate", zero_ok=True, both_keys=True),
        name=const("Gamma"), ln_name=const("ln_Gamma"), allow_zero_rate=FLAG),
        err_names=_name_arg, inf_ok=neg_inf_only, why_inf="-inf: a rate of exactly 0"),
    Spec("parameters.check_broadcast", dict(gamma=SHAPED, eps=SHAPED), err_names=lambda c: list(c.kwargs)),
    Spec("parameters.eps_from_Xi", dict(Xi=POS.A, K=K)),
    Spec("parameters.Xi_from_eps", dict(eps=EPS.A, K=K)),
    Spec("parameters.resolve_eps", dict(ex=eps_Xi(both_keys=True), K=K)),
    # ---------------------------------------------------------------- relaxation
    Spec("relaxation.p_single_flip_on_shell", dict(W=UNIT.A, z=COUNT)),
    Spec("relaxation.hop_range", dict(W=UNIT.A, d=D)),
    Spec("relaxation.ln_Gamma_a", dict(RELAX, xi=POS, d=D)),
    Spec("relaxation.rearrangement_size", dict(W=UNIT.A, s=S, d=D)),
    Spec("relaxation.Xi_eff_1d", dict(xi=POS.A, Xi=POS.A, s=S, reading=choice("derived", "printed"))),
    Spec("relaxation.Gamma_b_exponent", dict(Xi=POS, xi=POS, s=S, d=D, form=choice("derived", "printed"))),
    Spec("relaxation.ln_Gamma_b", dict(RELAX, Xi=POS, xi=POS, s=S, d=D, form=choice("full", "derived", "printed"))),
    Spec("relaxation.rearrangement_volume_c", dict(W=UNIT.A, s=S, method=METHOD_C)),
    Spec("relaxation.rearrangement_size_c", dict(W=UNIT.A, s=S, d=D, method=METHOD_C)),
    Spec("relaxation.ln_Gamma_c", dict(RELAX, s=S, method=METHOD_C,
                                       form=choice("eq8a", "eq8b"))),
    Spec("relaxation.ln_rates", dict(RELAX, xi=POS, Xi=POS, s=S, d=D, Gamma_b_form=choice("full", "derived", "printed"),
                                     method_c=METHOD_C, Gamma_c_form=choice("eq8a", "eq8b"))),
    Spec("relaxation.dominant_channel", dict(RELAX, xi=POS, Xi=POS, s=S, d=D)),
    Spec("relaxation.premise_holds", dict(gamma=POS.A, W=POS.A)),
    Spec("relaxation.window_a_beats_b", dict(xi=POS, Xi=POS, s=S, d=D, form=choice("full", "derived", "printed")),
         max_examples=20, nan_ok=True),  # documented: (nan, nan) if channel b wins at every W
    Spec("relaxation.gamma_star_c", dict(Xi=POS, xi=POS, s=S, d=D, form=choice("derived", "printed"))),
    Spec("relaxation.electron_dipolar_coupling_hz", dict(r_nm=POS.A)),
    Spec("relaxation.resonator_linewidth_hz", dict(f_hz=POS.A, Q=POS.A)),
    Spec("relaxation.power_law_bandwidth", dict(R0=POS.A, alpha=POS)),
    # ---------------------------------------------------------------- lineshape
    Spec("lineshape.nfast_external", dict(L11, t=NONNEG.A), post=post_J),
    Spec("lineshape.echo_decay", dict(L11, t=NONNEG.A), post=post_J),
    Spec("lineshape.nfast_late", dict(L11), post=post_J),
    Spec("lineshape.echo_pieces", dict(L11), post=post_J),
    Spec("lineshape.exponential_piece_ft", dict(omega=NONNEG.A, rate=POS, a=NONNEG, b=NONNEG), post=post_exp_piece),
    Spec("lineshape.lineshape", dict(L11, omega=NONNEG.A, epsrel=real(0.0, 1e-3, typical=logu(1e-12, 1e-4),
                                                                     extremes=[1e-300, 1e-15, 1e-12, 1e-6, 9.99e-4])),
         post=post_J, max_examples=15),
    Spec("lineshape.lineshape_gauss", dict(
        L11, omega=NONNEG.A, order=integer(4, typical=st.integers(4, 40), extremes=[4, 5, 24, 100, 10**6]),
        tail_decades=POS), post=post_J, max_examples=12),
    Spec("lineshape.lineshape_eq12", dict(L11, omega=NONNEG.A), post=post_J),
    Spec("lineshape.lorentzian", dict(omega=NONNEG.A, width=POS)),
    Spec("lineshape.central_width", dict(L11), post=post_J),
    Spec("lineshape.central_width_closed_form", dict(L11), post=post_J),
    Spec("lineshape.central_width_leading", dict(Gamma_b=POS, s_xi_d=POS, J=POS, d=D), post=post_J),
    Spec("lineshape.lorentzian_crossings", dict(
        L11, omega_min=POS, omega_max=POS, n_grid=integer(3, typical=st.integers(3, 50),
                                                          extremes=[3, 4, 200, 10**4, 10**9])),
         post=chain(post_J, post_omega_range), max_examples=10),
    Spec("lineshape.lineshape_zeros", dict(
        L11, omega_min=POS, omega_max=POS, n_grid=integer(3, typical=st.integers(3, 50),
                                                          extremes=[3, 4, 100, 10**4, 10**9])),
         post=chain(post_J, post_omega_range), max_examples=10),
    Spec("lineshape.tunnelling_dos", dict(delta_omega=POS.A, gamma=POS, W=POS)),
    # ---------------------------------------------------------------- echo
    Spec("echo.telegraph_echo", dict(t=NONNEG.A, v=NONNEG, Gamma=POS)),
    Spec("echo.telegraph_echo_expm", dict(t=NONNEG.A, v=NONNEG, Gamma=POS)),
    Spec("echo.telegraph_echo_mc", dict(
        t=NONNEG.A, v=NONNEG, Gamma=POS, n_samples=integer(2, typical=st.integers(2, 500),
                                                           extremes=[2, 3, 20000, 10**6, 10**9]),
        seed=integer(0, typical=st.integers(0, 10**6), extremes=[0, 1, 2**32, 2**63 - 1]),
        max_flips=PT(st.one_of(st.none(), st.integers(1, 100), st.sampled_from([1, 10**6, 10**9])),
                     [0, -1, 1.5, NAN, True, "3"], corners=(None, 10**9))), max_examples=12),
    Spec("echo.telegraph_late_rate", dict(v=NONNEG.A, Gamma=POS)),
    Spec("echo.lattice_couplings", dict(J=POS, xi=POS, Gamma_b=POS, sides=PT(st.sampled_from([1, 2]), [0, 3, 1.5, "1"],
                                                                             corners=(1, 2)),
                                        cutoff=UNIT)),
    Spec("echo.lattice_echo", dict(t=NONNEG.A, J=POS, xi=POS, Gamma_b=POS, sides=PT(st.sampled_from([1, 2]), [0, 3],
                                                                                    corners=(1, 2)),
                                   cutoff=UNIT)),
    Spec("echo.lattice_nfast", dict(t=POS.A, J=POS, xi=POS, Gamma_b=POS, sides=PT(st.sampled_from([1, 2]), [0, 3],
                                                                                  corners=(1, 2)),
                                    cutoff=UNIT)),
    Spec("echo.lattice_nfast_late", dict(J=POS, xi=POS, Gamma_b=POS, sides=PT(st.sampled_from([1, 2]), [0, 3],
                                                                              corners=(1, 2)),
                                         cutoff=UNIT)),
    # ---------------------------------------------------------------- bath_spectra
    Spec("bath_spectra.ln_bath_dos", dict(E=REAL.A, W=UNIT.A, spectrum=choice("box", "gaussian", "lorentzian"),
                                          cutoff=CUTOFF),
         inf_ok=lambda c, p: neg_inf_only(c, p) and (c.value("spectrum") == "box" or c.value("cutoff") is not None),
         why_inf="-inf where the bath has no weight (box edge, hard cutoff)"),
    Spec("bath_spectra.ln_rate_order", dict(
        m=NONNEG.A, gamma=UNIT.A, W=UNIT.A, Xi=POS, kappa=POS, spectrum=choice("box", "gaussian", "lorentzian"),
        cutoff=CUTOFF),
         inf_ok=lambda c, p: neg_inf_only(c, p) and (c.value("spectrum") == "box" or c.value("cutoff") is not None),
         why_inf="-inf where the bath has no weight (box edge, hard cutoff)"),
    Spec("bath_spectra.d_ln_rate_order", dict(m=NONNEG.A, W=UNIT.A, Xi=POS, kappa=POS,
                                              spectrum=choice("gaussian", "lorentzian"))),
    Spec("bath_spectra.ln_rate_gaussian", dict(n=NONNEG.A, gamma=UNIT.A, W=UNIT.A, Xi=POS, s=S, d=D,
                                               convention=choice("A1", "eq7"))),
    Spec("bath_spectra.gaussian_optimal_volume", dict(W=UNIT.A, Xi=POS, s=S, form=choice("derived", "printed"),
                                                      convention=choice("A1", "eq7"))),
    Spec("bath_spectra.gaussian_optimal_size", dict(W=UNIT.A, Xi=POS, s=S, d=D, form=choice("derived", "printed"),
                                                    convention=choice("A1", "eq7"))),
    Spec("bath_spectra.ln_rate_gaussian_optimum", dict(gamma=UNIT.A, W=UNIT.A, Xi=POS, s=S,
                                                       convention=choice("A1", "eq7"))),
    Spec("bath_spectra.ln_rate_lorentzian", dict(
        n=NONNEG.A, gamma=UNIT.A, W=UNIT.A, Xi=POS, K=K,
        cutoff=CUTOFF),
         inf_ok=lambda c, p: neg_inf_only(c, p) and c.value("cutoff") is not None,
         why_inf="-inf for orders below the hard cutoff"),
    Spec("bath_spectra.lorentzian_condition", dict(W=UNIT.A, Xi=POS, K=K)),
    Spec("bath_spectra.lorentzian_optimal_order", dict(W=UNIT.A, Xi=POS, K=K)),
    Spec("bath_spectra.ln_rate_lorentzian_optimum", dict(gamma=UNIT.A, W=UNIT.A, Xi=POS, K=K)),
    Spec("bath_spectra.lowest_order", dict(K=K, cutoff=UNIT.A)),
    Spec("bath_spectra.optimal_order", dict(W=UNIT.A, Xi=POS, K=K, cutoff=CUTOFF, n_min=NONNEG)),
    Spec("bath_spectra.numerical_optimal_order", dict(
        W=UNIT, Xi=POS, kappa=POS, spectrum=choice("gaussian", "lorentzian"), method=choice("minimize", "brentq"),
        m_max=OPT_POS), max_examples=20),
    Spec("bath_spectra.optimal_integer_order", dict(
        W=UNIT.A, Xi=POS, K=K, cutoff=CUTOFF,
        n_min=integer(0, typical=st.integers(0, 5), extremes=[0, 1, 10**6]),
        n_max=integer(1, typical=st.integers(5, 300), extremes=[1, 200, 10**6, 10**9])), max_examples=20),
    # ---------------------------------------------------------------- single_dot
    Spec("single_dot.fock_distance_threshold", dict(W=UNIT.A, K=K, delta_m=POS), post=post_W_below_delta_m),
    Spec("single_dot.first_shell", dict(W=UNIT.A, K=K, delta_m=POS), post=post_W_below_delta_m),
    Spec("single_dot.states_in_window", dict(n=NONNEG.A, W=UNIT, K=K, delta_m=POS), post=post_W_below_delta_m),
    Spec("single_dot.geometric_ratio", dict(K=K, Xi=POS, reading=choice("states", "typical"))),
    Spec("single_dot.ln_relaxation_rate_eq16", dict(W=UNIT.A, gamma=POS, K=K, Xi=POS, delta_m=POS),
         post=post_W_below_delta_m),
    Spec("single_dot.relaxation_rate_eq16", dict(W=UNIT.A, gamma=POS, K=K, Xi=POS, delta_m=POS),
         post=post_W_below_delta_m),
    Spec("single_dot.ln_relaxation_rate_sum", dict(
        W=UNIT.A, gamma=POS, K=K, Xi=POS, delta_m=POS, reading=choice("states", "typical"),
        n_max=OPT_N), post=post_W_below_delta_m,
         inf_ok=neg_inf_only, why_inf="-inf: empty sum (no final state inside the dot)"),
    Spec("single_dot.relaxation_rate_sum", dict(
        W=UNIT.A, gamma=POS, K=K, Xi=POS, delta_m=POS, reading=choice("states", "typical"),
        n_max=OPT_N), post=post_W_below_delta_m),
    Spec("single_dot.ratio_to_eq16", dict(
        W=UNIT.A, K=K, Xi=POS, delta_m=POS, reading=choice("states", "typical"),
        n_max=OPT_N), post=post_W_below_delta_m),
    Spec("single_dot.relaxation_time_eq16", dict(W=UNIT.A, gamma=POS, K=K, Xi=POS, delta_m=POS),
         post=post_W_below_delta_m),
    Spec("single_dot.ratio_statistics", dict(
        K=K, Xi=POS, reading=choice("states", "typical"),
        periods=integer(1, typical=st.integers(1, 10), extremes=[1, 2, 100, 10**6, 10**9]),
        points_per_period=integer(1, typical=st.integers(1, 3000), extremes=[1, 2, 3000, 10**6, 10**9]),
        n_start=real(1.0, lo_open=False, typical=st.floats(1.0, 50.0),
                     extremes=[1.0, 1 + 1e-12, 3.0, 100.0, 1e6, 1e300])), max_examples=40),
    Spec("single_dot.bandwidth_grid", dict(
        W_min=UNIT, K=K, W_max=real(0.0, 1.0, hi_open=False, typical=st.floats(0.01, 1.0),
                                    extremes=[1e-300, 1e-12, 0.5, 0.999, 1.0]),
        points=integer(2, typical=st.integers(2, 2000), extremes=[2, 3, 1200, 10**6, 10**9])), max_examples=40),
    Spec("single_dot.ln_many_body_spacing", dict(K=K, N=N, delta_m=POS)),
    Spec("single_dot.many_body_spacing", dict(K=K, N=N, delta_m=POS)),
    Spec("single_dot.eq16_stop_bandwidth", dict(gamma=POS, K=K, Xi=POS, N=N, delta_m=POS)),
    # ---------------------------------------------------------------- meanfield
    Spec("meanfield.MeanFieldModel", dict(**MF, **MF_OPTS, **SUMMATION), max_examples=25),
    Spec("meanfield.solve_linewidth", dict(
        ex=eps_Xi(), gamma=GAMMA_MF.A, K=K, N=N, s=S.A, d=D, **MF_OPTS, warn=FLAG, **SUMMATION), max_examples=20,
         inf_ok=only_paths("result.ln_Gamma", "result.F0", "result.ln_F0", "result.Gamma"),
         why_inf="ln_Gamma=-inf localized; F0=inf, ln_F0=inf where the infinite sum diverges; "
                 "Gamma=inf where e^ln_Gamma overflows (gamma >> 1, outside Eq. 23, which warns)"),
    Spec("meanfield.self_consistency_ratio", dict(ln_Gamma=LN_RATE.A, ex=eps_Xi(), **MF, **MF_OPTS, **SUMMATION),
         post=post_ln_gamma_19, max_examples=25, inf_ok=True,
         why_inf="+inf: divergent F(0+); -inf: F = 0"),
    Spec("meanfield.n_fast", dict(t=POS.A, gamma=POS, Gamma=POS.A, s=S, N=N, d=D, nfast=NFAST),
         post=post_Gamma_below_gamma),
    Spec("meanfield.ln_n_fast", dict(ln_t=REAL.A, gamma=POS, ln_Gamma=REAL.A, s=S, N=N, d=D,
                                     nfast=NFAST),
         post=post_Gamma_below_gamma, inf_ok=neg_inf_only, why_inf="-inf where n_fast = 0"),
    Spec("meanfield.ln_F_zero", dict(ex=eps_Xi(), **MF, **MF_OPTS, **SUMMATION), max_examples=25, inf_ok=True,
         why_inf="+inf where the infinite sum diverges (eps >= 0); -inf: F0 = 0"),
    Spec("meanfield.F_zero", dict(ex=eps_Xi(), **MF, **MF_OPTS, **SUMMATION), max_examples=25, inf_ok=True,
         why_inf="inf where the infinite sum diverges (eps >= 0)"),
    Spec("meanfield.e1_N0", dict(gamma=GAMMA_MF.A, K=K, N=N, s=S.A, d=D), inf_ok=pos_inf_only,
         why_inf="inf where (s N)^(-1/d) exceeds the float range"),
    Spec("meanfield.bath_lineshape", dict(omega=POS.A, Gamma=POS, gamma=POS, s=S, N=N, d=D,
                                          nfast=NFAST), post=post_Gamma_below_gamma),
    Spec("meanfield.ln_F_zero_table", dict(gamma=GAMMA_MF.A, ex=eps_Xi(), **BOUNDARY), max_examples=25,
         inf_ok=True, why_inf="+inf where the infinite sum diverges (eps >= 0)"),
    Spec("meanfield.critical_coupling", dict(ex=eps_Xi(), **BOUNDARY, **SUMMATION), max_examples=20, inf_ok=True,
         why_inf="inf: no metal with gamma < delta_m"),
    Spec("meanfield.literal_reentrance", dict(ex=eps_Xi(), K=K, N=N, s=S, d=D, sum_range=choice("infinite", "square")),
         max_examples=15),
    Spec("meanfield.critical_eps", dict(gamma=GAMMA_MF.A, **BOUNDARY, equation=choice("19", "E3", "E2", "E1"),
                                        **SUMMATION),
         max_examples=15),
    Spec("meanfield.critical_Xi", dict(gamma=GAMMA_MF.A, **BOUNDARY, equation=choice("19", "E3", "E2", "E1"),
                                       **SUMMATION),
         max_examples=15, inf_ok=True, why_inf="inf where no Xi gives a metal"),
    Spec("meanfield.critical_coupling_eq23_edge", dict(
        **BOUNDARY, z=OPT_POS), max_examples=10),
    Spec("meanfield.critical_coupling_asymptote", dict(ex=eps_Xi(), K=K, N=N, s=S, d=D), inf_ok=pos_inf_only,
         why_inf="inf where the formula exceeds the float range"),
    Spec("meanfield.eq21_ln_linewidth", dict(ex=eps_Xi(), gamma=GAMMA_MF, K=K, warn=FLAG), inf_ok=neg_inf_only,
         why_inf="-inf for eps <= 0"),
    Spec("meanfield.eps_at_linewidth", dict(ln_Gamma=REAL, gamma=GAMMA_MF.A, **BOUNDARY),
         post=post_ln_Gamma_monotone, max_examples=12),
    Spec("meanfield.linewidth_curve", dict(
        eps=EPS.A, gamma=GAMMA_MF, **BOUNDARY,
        margin=real(0.0, 1.0, lo_open=False, typical=st.floats(0.0, 0.5), extremes=[0.0, 1e-300, 0.02, 1 - 1e-12]),
        relative_margin=FLAG), max_examples=15,
         inf_ok=only_paths("result.ln_Gamma"), why_inf="ln_Gamma=-inf where localized"),
    Spec("meanfield.saddle_point_curves", dict(eps=EPS.A, eps_line=EPS.A, **MF, **SUMMATION), max_examples=12,
         inf_ok=True,
         why_inf="the LinewidthResults' -inf/inf (localized, divergent F0); ln_Gamma_C5=-inf for eps <= 0, "
                 "+-inf where 1/eps overflows"),
    Spec("meanfield.eps_no_root_below_gamma", dict(
        gamma=GAMMA_MF, **BOUNDARY, eps_lo=EPS, eps_hi=EPS,
        xtol=real(1e-14, 0.1, lo_open=False, hi_open=False, typical=logu(1e-10, 1e-2), extremes=[1e-14, 0.1]),
        **SUMMATION), max_examples=10),
    Spec("meanfield.ln_F_integral", dict(
        ln_Gamma=LN_RATE_FINITE, eps=EPS, **MF, nfast=NFAST,
        m_lo=real(1.0, 100.0, lo_open=False, typical=st.floats(1.0, 5.0), extremes=[1.0, 1.5, 99.0]),
        n_m=integer(3, typical=st.integers(3, 5000), extremes=[3, 4001, 10**6, 10**9])), max_examples=20),
    # ---------------------------------------------------------------- saddle_point
    Spec("saddle_point.n_c", dict(s=S, N=N, d=D), inf_ok=True, why_inf="inf where s N d^d exceeds the float range"),
    Spec("saddle_point.lambertw_exp", dict(L=REAL.A)),
    Spec("saddle_point.Nc_lambert", dict(g=NC_RATE, gamma=POS, K=K, N=N, s=S, d=D, warn=FLAG),
         inf_ok=pos_inf_only, why_inf="+inf where N_c exceeds the float range"),
    Spec("saddle_point.Nc_numeric", dict(g=NC_RATE, gamma=POS, K=K, N=N, s=S, d=D, warn=FLAG),
         inf_ok=pos_inf_only, why_inf="+inf on overflow"),
    Spec("saddle_point.Nc_asymptotic", dict(g=NC_RATE, K=K, N=N, s=S, d=D, gamma=OPT_POS, warn=FLAG),
         inf_ok=pos_inf_only, why_inf="+inf where N_c exceeds the float range"),
    Spec("saddle_point.saddle_point_ln_linewidth", dict(ex=eps_Xi(), gamma=GAMMA_MF, K=K, N=N, s=S, d=D, warn=FLAG),
         inf_ok=True, why_inf="-inf for eps <= 0 (no saddle point: localized); +-inf where 1/eps overflows"),
    Spec("saddle_point.saddle_point_linewidth", dict(ex=eps_Xi(), gamma=GAMMA_MF, K=K, N=N, s=S, d=D, warn=FLAG),
         inf_ok=pos_inf_only, why_inf="inf where Gamma overflows"),
    Spec("saddle_point.saddle_point_ln_linewidth_C4", dict(ex=eps_Xi(), gamma=UNIT, K=K, N=N, s=S, d=D, warn=FLAG),
         inf_ok=neg_inf_only, why_inf="-inf for eps <= 0", max_examples=25),
    Spec("saddle_point.saddle_point_eps_at_linewidth", dict(ln_Gamma=LN_RATE_FINITE.A, gamma=GAMMA_MF.A, N=N, s=S.A,
                                                            d=D),
         nan_ok=True, why_inf="NaN where (C5) reaches Gamma for no 0 < eps < 1 (documented)"),
    Spec("saddle_point.fig8_ordinate", dict(ln_Gamma=LN_RATE.A, s=S, N=N, d=D),
         nan_ok=True, why_inf="NaN where n_c Gamma >= 1 (documented)"),
    # ---------------------------------------------------------------- validity
    Spec("validity.eps_edge", dict(condition=choice("23", "C6", "C7"), K=K, gamma=GAMMA_MF.A, N=N, s=S.A, d=D,
                                   z=OPT_POS)),
    Spec("validity.condition_23", dict(gamma=GAMMA_MF.A, K=K, ex=eps_Xi(),
                                       z=OPT_POS)),
    Spec("validity.condition_24", dict(gamma=GAMMA_MF.A, K=K, N=N, z=POS)),
    Spec("validity.ln_gamma_ceiling_23", dict(K=K, ex=eps_Xi(), z=OPT_POS), inf_ok=True,
         why_inf="-inf where (1 - eps) ln K overflows: no coupling satisfies Eq. (23)"),
    Spec("validity.ln_gamma_floor_24", dict(K=K, N=N, z=POS), inf_ok=True,
         why_inf="-inf where N ln K overflows: every coupling satisfies Eq. (24)"),
    Spec("validity.condition_25", dict(gamma=GAMMA_MF.A, K=K, N=N, ex=eps_Xi(),
                                       z=OPT_POS)),
    Spec("validity.condition_26", dict(gamma=GAMMA_MF.A, d=D, g=rate_or_ln("Gamma", "ln_Gamma", zero_ok=True))),
    Spec("validity.condition_27", dict(gamma=GAMMA_MF.A, K=K, N=N, g=rate_or_ln("Gamma", "ln_Gamma", zero_ok=True))),
    Spec("validity.condition_C6", dict(gamma=GAMMA_MF.A, K=K, N=N, s=S, d=D, ex=eps_Xi())),
    Spec("validity.condition_C6_coupling", dict(gamma=GAMMA_MF.A, N=N, s=S, d=D)),
    Spec("validity.condition_C7", dict(K=K, ex=eps_Xi())),
    Spec("validity.condition_golden_rule", dict(gamma=POS.A, W=POS.A)),
    Spec("validity.golden_rule_message", dict(gamma=POS.A, W=NONNEG.A, rates=PT(
        st.sampled_from(["Eqs. (6)-(8)", "(A1)/(A3)"]), [1, None, b"Eq. 16"], corners=("Eq. (16)", "(A1)")))),
    Spec("validity.ln_Gamma_floor_27", dict(K=K, N=N), inf_ok=neg_inf_only, why_inf="-inf if N ln K overflows"),
    Spec("validity.classify", dict(
        gamma=GAMMA_MF.A, K=K, N=N, s=PT(st.one_of(st.none(), S.scalar), S.bad, corners=(1e-300, 1.0)), d=D,
        ex=eps_Xi(), g=rate_or_ln("Gamma", "ln_Gamma", zero_ok=True, neither_ok=True),
        z=OPT_POS, saddle_point=FLAG,
        conditions=PT(st.one_of(st.none(), st.sampled_from([("23",), ("24", "C7"), ("23", "24")])),
                      [("25",), "x"], corners=(None, ("23", "24"))))),
    Spec("validity.mean_field_violations", dict(
        gamma=GAMMA_MF.A, K=K, N=N, s=PT(st.one_of(st.none(), S.scalar), S.bad, corners=(1e-300, 1.0)), d=D,
        ex=eps_Xi(), g=rate_or_ln("Gamma", "ln_Gamma", zero_ok=True, neither_ok=True),
        z=OPT_POS, saddle_point=FLAG, counts=FLAG)),
    # ---------------------------------------------------------------- scaling
    Spec("scaling.fit_critical_power_law", inf_ok=only_paths("result.stderr", "result.cov"),
         why_inf="standard errors / covariances the data do not determine", params=dict(
        data=Data("x", "y"),
        x_c=PT(st.one_of(st.none(), st.floats(0.0, 100.0)), [NAN, INF, "x"], corners=(None, 1e300)),
        x_c_guess=PT(st.one_of(st.none(), REAL.scalar), [NAN, "x"], corners=(None, -1e300)),
        beta_guess=POS, sigma=PT(st.one_of(st.none(), POS.scalar), [0.0, -1.0, NAN], corners=(1e-300, 1e300)),
        absolute_sigma=FLAG, space=choice("log", "linear")),
         post=post_fixed_below_min("x_c", "x"), max_examples=25),
    Spec("scaling.fit_windows", dict(
        data=Data("x", "y"),
        windows=PT(st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(1.0, 100.0)), min_size=1, max_size=3)
                   .map(lambda v: [tuple(w) for w in v]), [None, 3, "x", [(1.0,)]],
                   corners=([(0.0, 1e300)], [(0.0, 1e300)])),
        x_ref=REAL, x_c=PT(st.one_of(st.none(), REAL.scalar), [NAN, "x"], corners=(None, -1e300))), max_examples=20,
         inf_ok=lambda c, paths: all(".stderr[" in p or ".cov[" in p for p in paths),
         why_inf="standard errors / covariances of a window's fit that the data do not determine"),
    Spec("scaling.local_exponent", dict(data=Data("x", "y", n_min=2, increasing=True), x_c=REAL),
         post=post_fixed_below_min("x_c", "x")),
    Spec("scaling.critical_model", dict(x=REAL.A, A=REAL, beta=REAL, x_c=REAL), inf_ok=True,
         why_inf="+-inf where the power overflows"),
    # ---------------------------------------------------------------- temperature
    Spec("temperature.s_of_T", dict(T=POS.A, T_s=POS, model=choice("linear", "tanh"))),
    Spec("temperature.delta_m_of_T", dict(T=POS.A), inf_ok=pos_inf_only, why_inf="inf where 1/T^2 overflows"),
    Spec("temperature.Xi_of_T", dict(T=UNIT.A, g=POS, lam=POS), post=post_T_domain),
    Spec("temperature.T0", dict(TEMP)),
    Spec("temperature.lam_for_T0", dict(T0_value=POS, g=POS, K=K)),
    Spec("temperature.eps_of_T", dict(T=UNIT.A, **TEMP), post=post_T_domain),
    Spec("temperature.T_of_eps", dict(eps=EPS.A, **TEMP)),
    Spec("temperature.footnote51_ratio", dict(gamma=POS.A, g=POS, lam=POS), inf_ok=pos_inf_only,
         why_inf="inf where the ratio overflows"),
    Spec("temperature.ln_saddle_base_of_T", dict(T=POS.A, gamma=POS, N=N, T_s=POS, d=D,
                                                 s_model=choice("linear", "tanh"))),
    Spec("temperature.ln_linewidth_C5_of_T", dict(T=UNIT.A, gamma=POS, **TEMP, N=N, T_s=POS, d=D,
                                                  s_model=choice("linear", "tanh"), warn=FLAG), post=post_T_domain,
         inf_ok=True, why_inf="-inf for T <= T0; +-inf where 1/eps overflows"),
    Spec("temperature.ln_linewidth_eq28", dict(
        T=UNIT.A, gamma=POS, **TEMP, N=OPT_N,
        T_s=OPT_POS, d=D,
        form=choice("printed", "linearised"), warn=FLAG), post=post_T_domain,
         inf_ok=neg_inf_only, why_inf="-inf for T <= T0"),
    Spec("temperature.exponent_C5", dict(T=UNIT.A, **TEMP), post=post_T_domain, inf_ok=True,
         why_inf="inf at T = T0; +-inf where 1/eps overflows"),
    Spec("temperature.exponent_eq28", dict(T=UNIT.A, **TEMP), post=post_T_domain, inf_ok=True,
         why_inf="inf at T = T0"),
    Spec("temperature.condition_29", dict(T=POS.A, **TEMP, form=choice("printed", "exact"))),
    Spec("temperature.T0_prime", dict(gamma=POS, **TEMP, N=N, T_s=POS, d=D, s_model=choice("linear", "tanh"),
                                      sum_range=choice("infinite", "square"), nfast=NFAST,
                                      warn=FLAG), max_examples=12),
    Spec("temperature.ln_conductivity", dict(
        T=UNIT.A, gamma=POS, **TEMP, N=N, T_s=POS, d=D, s_model=choice("linear", "tanh"),
        equation=choice("19", "E3", "E2", "E1"), sum_range=choice("infinite", "square"),
        nfast=NFAST, warn=FLAG), post=post_T_domain, max_examples=12,
         inf_ok=only_paths("result.ln_sigma", "result.ln_Gamma_dm"), why_inf="-inf where localized"),
    Spec("temperature.vogel_fulcher", dict(T=POS.A, ln_sigma0=REAL, a=REAL, T0=REAL), inf_ok=True,
         why_inf="-inf (sigma = 0) for T <= T0; +-inf where the value overflows"),
    Spec("temperature.near_critical", dict(T=POS.A, ln_sigma0=REAL, a=REAL, T0p=REAL, nu=POS), inf_ok=True,
         why_inf="as vogel_fulcher"),
    Spec("temperature.power_law", dict(T=POS.A, ln_sigma0=REAL, a=REAL, T0p=REAL), inf_ok=True,
         why_inf="as vogel_fulcher"),
    Spec("temperature.fit_vogel_fulcher", dict(
        data=Data("T", "ln_sigma", y_positive=False, model="vf", n_min=3),
        T0=PT(st.one_of(st.none(), st.floats(0.0, 10.0)), [NAN, INF, "x"], corners=(None, 1e300)),
        T0_bounds=PT(st.one_of(st.none(), st.tuples(st.floats(1.0, 20.0), st.floats(0.0, 1.0))),
                     [(NAN, 1.0), (2.0, 1.0), "x"], corners=(None, None))),
         post=chain(post_fixed_below_min("T0", "T"), post_bounds("T0_bounds")), max_examples=20,
         inf_ok=only_paths("result.stderr"), why_inf="standard errors that cannot be estimated"),
    Spec("temperature.fit_near_critical", dict(
        data=Data("T", "ln_sigma", y_positive=False, model="nc", n_min=3),
        T0p=PT(st.one_of(st.none(), st.floats(0.0, 10.0)), [NAN, INF, "x"], corners=(None, 1e300)),
        T0p_bounds=PT(st.one_of(st.none(), st.tuples(st.floats(1.0, 20.0), st.floats(0.0, 1.0))),
                      [(NAN, 1.0), (2.0, 1.0), "x"], corners=(None, None)), nu=POS),
         post=chain(post_fixed_below_min("T0p", "T"), post_bounds("T0p_bounds")), max_examples=20,
         inf_ok=only_paths("result.stderr"), why_inf="standard errors that cannot be estimated"),
    Spec("temperature.fit_power_law", dict(
        data=Data("T", "ln_sigma", y_positive=False, model="pl", n_min=3),
        T0p=PT(st.one_of(st.none(), st.floats(0.0, 10.0)), [NAN, INF, "x"], corners=(None, 1e300)),
        T0p_bounds=PT(st.one_of(st.none(), st.tuples(st.floats(1.0, 20.0), st.floats(0.0, 1.0))),
                      [(NAN, 1.0), (2.0, 1.0), "x"], corners=(None, None))),
         post=chain(post_fixed_below_min("T0p", "T"), post_bounds("T0p_bounds")), max_examples=20,
         inf_ok=only_paths("result.stderr"), why_inf="standard errors that cannot be estimated"),
]

# ---------------------------------------------------------------- population (issue 15)
# documented ranges: W in (0, 1e300], |energy| <= 1e300, branching in [2, 10^4], beta in [0.05, 0.95],
# population in [10, 2e6], iterations in [2, 1e5], burn_in in [0, 1e5], seed in [0, 2**63), and the work
# limit; here population/iterations/burn_in are drawn within the sandbox's 5 s (post_population_work).
POP_BRANCHING = integer(2, typical=st.integers(2, 12), extremes=[2, 3, 16, 300, 10_000])
POP_SIZE = integer(10, typical=st.integers(10, 1500), extremes=[10, 11, 64, 2000])
POP_ITERATIONS = integer(2, typical=st.integers(2, 40), extremes=[2, 3, 40])
POP_BURN_IN = integer(0, typical=st.integers(0, 20), extremes=[0, 1, 20])
POP_SEED = integer(0, typical=st.integers(0, 2**32), extremes=[0, 1, 2**63 - 1])
SPECS += [
    Spec("population.anderson_bethe_lyapunov", dict(
        W=real(0.0, 1e300, hi_open=False, typical=logu(0.1, 300.0), extremes=[1e-300, 1e-12, 1.0, 18.17, 1e6, 1e300]),
        branching=POP_BRANCHING,
        energy=real(-1e300, 1e300, lo_open=False, hi_open=False, typical=st.floats(-10.0, 10.0),
                    extremes=[-1e300, -3.0, 0.0, 1e-300, 2.9, 1e300]),
        beta=real(0.05, 0.95, lo_open=False, hi_open=False, typical=st.floats(0.05, 0.95),
                  extremes=[0.05, 0.3, 0.5, 0.95]),
        population=POP_SIZE, iterations=POP_ITERATIONS, burn_in=POP_BURN_IN, seed=POP_SEED),
         post=post_population_work(1), max_examples=25),
    Spec("population.anderson_bethe_critical_disorder", dict(
        branching=integer(2, typical=st.integers(2, 8), extremes=[2, 3, 16, 100]),
        energy=real(-1e300, 1e300, typical=st.floats(-0.99, 0.99), extremes=[-0.999, 0.0, 1e-300, 0.5, 0.999]),
        population=POP_SIZE, iterations=POP_ITERATIONS, burn_in=POP_BURN_IN, seed=POP_SEED),
         post=chain(post_population_work(35), post_band_energy), max_examples=15),
]

# ---------------------------------------------------------------- agkl (exact diagonalization of Eq. 14)
# Valid calls are kept to Fock spaces of at most AGKL_DIM states (post_agkl lowers n_particles), so
# that every call returns within the 5 s sandbox; the work limits (ValueError) are reached through
# n_samples up to 10**6 and n_levels up to 20.

AGKL_DIM = 120
LEVELS = integer(2, typical=st.integers(2, 9), extremes=[2, 3, 8, 12, 20])
PARTICLES = integer(1, typical=st.integers(1, 8), extremes=[1, 2, 6, 19])
COUPLING = real(0.0, 1e6, lo_open=False, hi_open=False, typical=logu(1e-3, 10.0),
                extremes=[0.0, 1e-300, 1e-3, 0.3, 1.0, 1e6])
SEED = integer(0, typical=st.integers(0, 1000), extremes=[0, 1, 2**53])
SAMPLES = integer(1, typical=st.integers(1, 3), extremes=[1, 2, 10**6])
WINDOW = PT(st.one_of(st.floats(0.01, 1.0), st.sampled_from([1e-300, 1.0]),
                      st.tuples(st.floats(0.0, 0.5), st.floats(0.5, 1.0))),
            [0.0, -0.5, 1.5, NAN, INF, True, "0.5", (0.5, 0.2), (0.1,), (0.0, NAN)], corners=(1e-300, 1.0))
N_EIGS = PT(st.one_of(st.none(), st.integers(1, 40)), [0, -1, 1.5, NAN, "3", 10**9], corners=(1, None))
TARGET = PT(st.one_of(st.none(), st.floats(-30.0, 30.0)), [NAN, INF, "x", 1j], corners=(-1e300, 1e300))
METHOD_AGKL = choice("auto", "dense", "shift-invert")


def _fit_filling(kw, n_key="n_levels", m_key="n_particles", dim=AGKL_DIM):
    n, m = kw.get(n_key), kw.get(m_key)
    if isinstance(n, bool) or isinstance(m, bool) or not isinstance(n, (int, float)) or not isinstance(m, (int, float)):
        return
    if not (math.isfinite(n) and math.isfinite(m) and n == int(n) and m == int(m) and 2 <= n <= 20 and m >= 1):
        return
    n, m = int(n), min(int(m), int(n) - 1)
    while m > 1 and math.comb(n, m) > dim:
        m -= 1
    kw[m_key] = m


def post_agkl(kw, u):
    _fit_filling(kw)
    n, m = kw.get("n_levels"), kw.get("n_particles")
    if isinstance(kw.get("n_eigs"), int) and isinstance(n, int) and isinstance(m, int) and m < n:
        kw["n_eigs"] = max(1, min(kw["n_eigs"], math.comb(n, m)))


def post_agkl_dot(kw, u):
    dot = kw.get("dot")
    if hasattr(dot, "n_levels") and isinstance(kw.get("n_particles"), int):
        kw["n_particles"] = max(1, min(kw["n_particles"], dot.n_levels - 1))
        post_agkl(dict(kw, n_levels=dot.n_levels), u)
        n_eigs = kw.get("n_eigs")
        if isinstance(n_eigs, int):
            kw["n_eigs"] = max(1, min(n_eigs, math.comb(dot.n_levels, kw["n_particles"])))


def _agkl():
    return importlib.import_module("nblm_helpers.agkl")


DOT = PT(st.tuples(st.integers(2, 7), st.integers(0, 50)).map(lambda t: _agkl().draw_dot(t[0], coupling=0.3, seed=t[1])),
         ["dot", None, 3, np.zeros(3)], corners=(None, None))
DOT.corners = (_agkl().draw_dot(2, coupling=0.0, seed=0), _agkl().draw_dot(7, coupling=1e6, seed=2**53))


class AgklStates(Group):
    """A Fock basis and eigenvector-like columns on it (``vectors``, ``basis``), or broken ones."""

    names = ("vectors", "basis")

    def draw(self, draw, bad, length=None):
        n = draw(st.integers(2, 7))
        m = draw(st.integers(1, n - 1))
        basis = _agkl().fock_basis(n, m)
        s = draw(st.integers(1, 4))
        kind = draw(st.sampled_from(["random", "unit", "eig"]))
        rng = np.random.default_rng(draw(st.integers(0, 100)))
        if kind == "random":
            V = rng.standard_normal((basis.size, s)) * draw(st.sampled_from([1e-150, 1.0, 1e150]))
        elif kind == "unit":
            V = np.eye(basis.size)[:, :s]
        else:
            V = _agkl().spectrum(n, m, coupling=0.5, seed=1, eigenvectors=True).vectors[:, :s]
        if bad:
            k = draw(st.integers(0, 5))
            if k == 0:
                basis = basis[:-1]
            elif k == 1:
                V = V.copy()
                V[0, 0] = NAN
            elif k == 2:
                V = np.zeros_like(V)
            elif k == 3:
                basis = basis[::-1].copy()
            elif k == 4:
                V = V.astype(complex)
            else:
                basis = "abc"
        return {"vectors": V, "basis": basis}

    def corner(self, which):
        basis = _agkl().fock_basis(2, 1) if which == "lo" else _agkl().fock_basis(10, 3)
        return {"vectors": np.ones((basis.size, 1)) * (1e-300 if which == "lo" else 1e300), "basis": basis}


class AgklHamiltonian(Group):
    """``(H, basis, configurations)`` of a small dot for ``coupled_count``, or broken ones."""

    names = ("H", "basis", "configurations")

    def draw(self, draw, bad, length=None):
        n = draw(st.integers(2, 7))
        m = draw(st.integers(1, n - 1))
        H, basis = _agkl().hamiltonian(n, m, coupling=draw(st.sampled_from([0.0, 0.3, 10.0])), seed=draw(st.integers(0, 9)))
        conf = basis[: draw(st.integers(1, basis.size))]
        if bad:
            k = draw(st.integers(0, 3))
            if k == 0:
                conf = np.array([basis.max() * 4 + 1])
            elif k == 1:
                H = H.toarray()
            elif k == 2:
                basis = basis[1:]
            else:
                conf = "x"
        return {"H": H, "basis": basis, "configurations": conf}

    def corner(self, which):
        H, basis = _agkl().hamiltonian(2 if which == "lo" else 9, 1 if which == "lo" else 2, coupling=0.3, seed=0)
        return {"H": H, "basis": basis, "configurations": basis}


class AgklProfile(Group):
    """``(k, ln_typical)`` for ``fit_Xi``."""

    names = ("k", "ln_typical")

    def draw(self, draw, bad, length=None):
        nk = draw(st.integers(2, 9))
        k = 2.0 * np.arange(nk)
        rows = draw(st.integers(0, 3))
        shape = (nk,) if rows == 0 else (rows, nk)
        y = np.array(draw(st.lists(st.one_of(st.floats(-80.0, 0.0), st.sampled_from([-1e300, 0.0, 1e300])),
                                   min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))).reshape(shape)
        if bad:
            k2 = draw(st.integers(0, 3))
            if k2 == 0:
                y = y[..., :-1]
            elif k2 == 1:
                k = k[::-1].copy()
            elif k2 == 2:
                y = y.astype(float)
                y.flat[0] = NAN
            else:
                k = np.array([0.0])
        return {"k": k, "ln_typical": y}

    def corner(self, which):
        k = 2.0 * np.arange(2 if which == "lo" else 9)
        return {"k": k, "ln_typical": -1e300 * k if which == "lo" else np.zeros_like(k)}


def post_k_max(kw, u):
    k = kw.get("k")
    if isinstance(k, np.ndarray) and k.size >= 2 and isinstance(kw.get("k_max"), float):
        kw["k_max"] = float(k[1] + u * (k[-1] - k[1]))


SPECS += [
    Spec("agkl.draw_dot", dict(n_levels=LEVELS, coupling=COUPLING, seed=SEED)),
    Spec("agkl.pairs", dict(n_levels=LEVELS)),
    Spec("agkl.fock_basis", dict(n_levels=LEVELS, n_particles=PARTICLES), post=post_agkl),
    Spec("agkl.occupations", dict(basis=PT(st.lists(st.integers(0, 255), max_size=10).map(lambda v: np.array(v, dtype=np.int64)),
                                           ["x", np.array([-1]), np.array([1.5]), np.array([2**40])],
                                           corners=(np.array([0]), np.array([255]))),
                                  n_levels=LEVELS)),
    Spec("agkl.hamming_distance", dict(
        a=PT(st.integers(0, 2**40), [-1, 1.5, "x", NAN, 2**70], corners=(0, 2**61)),
        b=PT(st.one_of(st.integers(0, 2**40), st.lists(st.integers(0, 2**40), min_size=1, max_size=5).map(np.array)),
             [-1, 1.5, "x", np.array([[1, 2], [3, 4], [5, 6]])], corners=(0, 2**61)))),
    Spec("agkl.hamiltonian", dict(n_levels=LEVELS, n_particles=PARTICLES, coupling=COUPLING, seed=SEED),
         post=post_agkl),
    Spec("agkl.spectrum", dict(n_levels=LEVELS, n_particles=PARTICLES, coupling=COUPLING, seed=SEED,
                               eigenvectors=FLAG, n_eigs=N_EIGS, target=TARGET, method=METHOD_AGKL),
         post=post_agkl, max_examples=25),
    Spec("agkl.spectrum_of_dot", dict(dot=DOT, n_particles=PARTICLES, eigenvectors=FLAG, n_eigs=N_EIGS,
                                      target=TARGET, method=METHOD_AGKL), post=post_agkl_dot, max_examples=25),
    Spec("agkl.gap_ratios", dict(energies=PT(
        st.lists(st.one_of(st.floats(-100.0, 100.0), st.sampled_from([0.0, 1e-300, 1e300, -1e300])),
                 min_size=3, max_size=40).map(_arr),
        [np.array([1.0, 2.0]), np.array([1.0, NAN, 2.0]), "x", np.zeros((2, 3)), np.array([1j, 2, 3])],
        corners=(np.zeros(3), np.array([-1e300, 0.0, 1e300]))))),
    Spec("agkl.mean_gap_ratio", dict(n_levels=LEVELS, n_particles=PARTICLES, coupling=COUPLING, n_samples=SAMPLES,
                                     seed=SEED, window=WINDOW), post=post_agkl, max_examples=20),
    Spec("agkl.ipr", dict(vectors=PT(st.integers(1, 30).map(lambda n: np.random.default_rng(n).standard_normal((n, 3))),
                                     [np.zeros((3, 2)), "x", np.array([NAN, 1.0]), np.zeros((2, 2, 2))],
                                     corners=(np.array([1e-300]), np.array([1e300, 1e300]))))),
    Spec("agkl.hamming_profile", dict(states=AgklStates())),
    Spec("agkl.fit_Xi", dict(profile=AgklProfile(), k_max=PT(st.one_of(st.none(), st.floats(0.0, 16.0)),
                                                             [-1.0, NAN, "x"], corners=(None, 1e300))),
         post=post_k_max, inf_ok=pos_inf_only, why_inf="Xi = inf: a profile that does not decay"),
    Spec("agkl.coupled_count", dict(hb=AgklHamiltonian(), energy_window=PT(
        st.one_of(POS.scalar, st.just(INF)), [0.0, -1.0, NAN, "x"], corners=(1e-300, INF)))),
    Spec("agkl.fock_statistics", dict(n_levels=LEVELS, n_particles=PARTICLES, coupling=COUPLING, n_samples=SAMPLES,
                                      seed=SEED, window=WINDOW, energy_window=POS), post=post_agkl, max_examples=20,
         inf_ok=only_paths("result.Xi"), why_inf="Xi = inf: a profile that does not decay"),
    Spec("agkl.K_of_coupling", dict(coupling=POS.A)),
    Spec("agkl.meanfield_parameters", dict(Xi=POS, K=K, n_levels=LEVELS, n_particles=PARTICLES, gamma=OPT_POS,
                                           s=PT(st.one_of(st.none(), S.scalar), S.bad, corners=(1e-300, 1.0)),
                                           d=PT(st.one_of(st.none(), D.scalar), D.bad, corners=(1, 10))),
         post=post_agkl),
]

def post_crossing(kw, u):
    c, v = kw.get("couplings"), kw.get("values")
    if isinstance(c, np.ndarray) and isinstance(v, np.ndarray) and c.ndim == 1 and v.ndim == 1 and c.size >= 2:
        kw["values"] = np.resize(v, c.size)


# agkl.sweeps: the same statistics over a grid of couplings (1-64) and energy bins (1-20)
AGKL_BINS = integer(1, typical=st.integers(1, 4), extremes=[1, 2, 20])
SPECS += [
    Spec("agkl.gap_ratio_sweep", dict(n_levels=LEVELS, n_particles=PARTICLES, couplings=COUPLING.A,
                                      n_samples=SAMPLES, seed=SEED, n_bins=AGKL_BINS,
                                      histogram_bins=integer(1, typical=st.integers(1, 30), extremes=[1, 20, 200])),
         post=post_agkl, max_examples=20),
    Spec("agkl.fock_sweep", dict(n_levels=LEVELS, n_particles=PARTICLES, couplings=COUPLING.A, n_samples=SAMPLES,
                                 seed=SEED, n_bins=AGKL_BINS, energy_window=POS), post=post_agkl, max_examples=20,
         inf_ok=only_paths("result.Xi"), why_inf="Xi = inf: a profile that does not decay"),
    Spec("agkl.crossing_coupling", dict(
        couplings=PT(st.lists(st.floats(1e-3, 10.0), min_size=2, max_size=8, unique=True).map(lambda v: _arr(sorted(v))),
                     [np.array([0.1]), np.array([0.2, 0.1]), np.array([0.0, 0.1]), "x", np.array([0.1, NAN])],
                     corners=(np.array([1e-300, 1e-299]), np.array([1.0, 1e300]))),
        values=PT(st.lists(st.floats(-1.0, 1.0), min_size=2, max_size=8).map(_arr),
                  [np.array([NAN, 0.1]), "x", np.zeros((2, 2, 2)), np.array([1j, 1.0])],
                  corners=(np.array([-1e300, 1e300]), np.array([1e300, -1e300]))),
        level=real(typical=st.floats(-1.0, 1.0), extremes=[-1e300, 0.0, 0.45, 1e300])),
        post=post_crossing, inf_ok=pos_inf_only, why_inf="inf: the values stay below level on the whole grid"),
]

# ---------------------------------------------------------------- population.dots (issue 15, part 2)
# documented ranges: eps < 1 (or Xi > 0) scalar with eps + sqrt(3) eps_spread < 1, the Eq. (19) parameters,
# detuning typical|random, lines_per_order in [1, 1024], population in [10, 2e5], iterations in [2, 1e4],
# burn_in in [0, 1e4], ln_Gamma_floor in [-1e4, -1], ln_Gamma_start in [floor, ln gamma], and the work
# limit MAX_WORK = 1e9 line evaluations (~50 s); post_dots_work keeps the worst case of a valid call
# (a population sinking to the floor) within DOTS_LINES line evaluations (~1 s), far below it.
DOTS_LINES = 2e7
DETUNING = choice("typical", "random")
SPREAD = real(0.0, 1e6, lo_open=False, hi_open=False, typical=st.floats(0.0, 0.1), extremes=[0.0, 1e-12, 0.05, 1e6])


def post_dots_spread(kw, u):
    """eps_spread inside the box eps + sqrt(3) eps_spread < 1 (most of the time; the rest names it)."""
    from nblm_helpers.population import dots

    e, sp = kw.get("eps"), kw.get("eps_spread")
    if isinstance(e, float) and isinstance(sp, float) and math.isfinite(e) and e < 1 and math.isfinite(sp) \
            and sp >= 0 and u < 0.8:
        kw["eps_spread"] = min(sp, 0.9 * (1.0 - e) / dots._SQRT3)


def post_dots_work(kw, u):
    """iterations + burn_in <= 1500, then population, then iterations and burn_in, then ln_Gamma_floor:
    the worst case <= DOTS_LINES line evaluations."""
    from nblm_helpers.population import dots

    try:
        p = dots._check_model(kw.get("eps"), kw.get("Xi"), kw["gamma"], kw["K"], kw["N"], kw["s"], kw.get("d", 1),
                              kw.get("sum_range", "infinite"), kw.get("nfast", "literal"), kw.get("eps_spread", 0.0),
                              kw.get("detuning", "typical"))
        L = int(kw.get("lines_per_order", 8))
        n = int(kw.get("population", 10_000))
        its, burn = int(kw.get("iterations", 30)), int(kw.get("burn_in", 20))
        floor = float(kw.get("ln_Gamma_floor", -300.0))
        if not (-1e4 <= floor <= -1.0 and 1 <= L <= 1024 and n >= 10 and its >= 2 and burn >= 0):
            return
    except (ValueError, TypeError, KeyError, OverflowError):
        return
    eps_max = p["eps"] + dots._SQRT3 * p["eps_spread"]

    def lines(fl):
        return dots._n_lines(p, dots._orders(p, np.array([fl]), fl, eps_max), L)

    per = lines(floor)
    if not math.isfinite(per):
        return  # refused (work limit) before any iteration
    if its + burn > 1500:  # ~0.3 ms of overhead per iteration, whatever the population
        kw["iterations"], kw["burn_in"] = min(its, 1000), min(burn, 500)
        its, burn = min(its, 1000), min(burn, 500)
    kind = type(kw.get("population", 1))
    kw["population"] = kind(max(10, min(n, int(DOTS_LINES // max(per * (its + burn), 1)))))
    if 10 * per * (its + burn) > DOTS_LINES:
        kw["iterations"], kw["burn_in"] = 2, 0
        if 10 * per * 2 > DOTS_LINES:
            kw["ln_Gamma_floor"] = -1.0


SPECS += [
    Spec("population.stationary_linewidths", dict(
        ex=eps_Xi(array=False), gamma=GAMMA_MF, K=K, N=N, s=S, d=D, sum_range=choice("infinite", "square"),
        nfast=NFAST, eps_spread=SPREAD, detuning=DETUNING,
        lines_per_order=integer(1, typical=st.integers(1, 16), extremes=[1, 2, 8, 1024]),
        population=integer(10, typical=st.integers(10, 300), extremes=[10, 11, 1000, 200_000]),
        iterations=integer(2, typical=st.integers(2, 10), extremes=[2, 3, 10_000]),
        burn_in=integer(0, typical=st.integers(0, 10), extremes=[0, 1, 10_000]),
        ln_Gamma_floor=real(-1e4, -1.0, lo_open=False, hi_open=False, typical=st.floats(-400.0, -5.0),
                            extremes=[-1e4, -300.0, -1.0]),
        ln_Gamma_start=PT(st.one_of(st.none(), st.floats(-60.0, 0.0)), [NAN, INF, "x"], corners=(None, None)),
        seed=POP_SEED),
         post=chain(post_dots_spread, post_dots_work), max_examples=25,
         inf_ok=neg_inf_only, why_inf="ln Gamma = -inf: localized members (a collapsed population)"),
    Spec("population.linearized_growth", dict(
        beta=real(0.0, 1.0, hi_open=False, typical=st.floats(0.01, 1.0), extremes=[1e-300, 0.05, 0.3, 0.5, 1.0]),
        ex=eps_Xi(array=False), gamma=GAMMA_MF, K=K, N=N, s=S, d=D, sum_range=choice("infinite", "square"),
        nfast=NFAST, eps_spread=SPREAD, detuning=DETUNING,
        lines_per_order=PT(st.one_of(st.none(), st.integers(1, 16)), [0, -1, 1.5, NAN, "3", 2000],
                           corners=(None, 1024))),
         post=post_dots_spread, max_examples=30, inf_ok=True,
         why_inf="+inf where the sum diverges (infinite sum, eps + sqrt(3) eps_spread >= 0; random detunings, "
                 "beta >= 1/2); -inf where every term underflows (eps -> -inf)"),
    Spec("population.distribution_transition", dict(
        gamma=GAMMA_MF, K=K, N=N, s=S, d=D, sum_range=choice("infinite", "square"), nfast=NFAST,
        eps_spread=SPREAD, detuning=DETUNING,
        lines_per_order=PT(st.one_of(st.none(), st.integers(1, 16)), [0, -1, 1.5, NAN, "3", 2000],
                           corners=(None, 1024))),
         max_examples=20, inf_ok=only_paths("result.Xi_c_typical", "result.eps_c_typical"),
         why_inf="the typical theory's boundary at infinity (no transition with gamma < delta_m)"),
    Spec("population.tail_exponent", dict(
        ln_x=PT(st.one_of(st.lists(st.floats(-50.0, 50.0), min_size=0, max_size=400).map(_arr),
                          st.integers(20, 2000).map(lambda k: -np.log(np.random.default_rng(k).random(k)))),
                [np.array([NAN] * 30), np.array([INF] * 30), "x", np.array([1j] * 30)],
                corners=(np.full(21, -1e300), np.concatenate([np.zeros(40), [1e300, -INF]]))),
        fraction=real(0.0, 0.5, hi_open=False, typical=st.floats(0.01, 0.5), extremes=[1e-300, 0.05, 0.5])),
         inf_ok=pos_inf_only, why_inf="alpha = inf (and its error) when the top k + 1 values are equal"),
]

# ---------------------------------------------------------------- arrays, sweep (issue 16)
# documented: shape (L,) or (L, L) with at most 512 x 512 dots, eps < 1, eps_spread >= 0 with
# eps + eps_spread < 1, seed in [0, 2**63), tol in [1e-14, 1e-2], max_iter in [1, 500], work limits
# of 3000 orders per bond and 3e7 bonds x orders (~1-2 s per Newton iteration).  Within the sandbox's
# 5 s the arrays are drawn small (post_array_work); the parameters keep their full ranges.
ARR_SHAPE = PT(st.one_of(st.integers(1, 40).map(lambda L: (L,)), st.integers(1, 12).map(lambda L: (L, L)),
                         st.integers(1, 40), st.sampled_from([(1,), (2,), (1, 1), (2, 2), (3.0,)])),
               [(4, 5), (0,), (2, 2, 2), (1024, 1024), (-3,), (2.5,), "x", True, (True,), ()],
               corners=((1,), (12, 12)))
ARR_SPREAD = real(0.0, lo_open=False, typical=st.floats(0.0, 0.8), extremes=[0.0, 1e-300, 1e-12, 0.3, 1e6])
ARR_SEED = integer(0, typical=st.integers(0, 2**32), extremes=[0, 1, 2**63 - 1])
ARR_D = PT(st.one_of(st.none(), D.scalar), D.bad, corners=(None, 10))
ARR_FLOOR = PT(st.one_of(st.none(), st.floats(-200.0, 5.0), st.sampled_from([-1e4, -50.0, 0.0, 1e3])),
               [NAN, INF, -INF, -1e300, True, "x"], corners=(None, 1e3))
ARR_TOL = real(1e-14, 1e-2, lo_open=False, hi_open=False, typical=logu(1e-14, 1e-2), extremes=[1e-14, 1e-10, 1e-2])
ARR_ITER = integer(1, typical=st.integers(1, 30), extremes=[1, 2, 30, 500])
ARR_START = PT(st.none(), ["x", [[1.0, 2.0], [3.0]], np.full((2, 2, 2), 0.0)], corners=(None, None))
ARR_MF = dict(MF, d=ARR_D)
ARR_OPTS = dict(sum_range=choice("infinite", "square"), nfast=NFAST, ln_Gamma_floor=ARR_FLOOR, tol=ARR_TOL,
                max_iter=ARR_ITER)
BOOL_MAP = PT(st.one_of(st.lists(st.booleans(), min_size=1, max_size=30).map(np.array),
                        st.integers(1, 8).flatmap(lambda L: st.lists(st.booleans(), min_size=L * L, max_size=L * L)
                                                  .map(lambda v: np.array(v).reshape(L, L)))),
              [np.zeros((2, 2)), np.zeros((2, 2, 2), bool), np.zeros(0, bool), "x", [[True], [False, True]], 3],
              corners=(np.array([True]), np.ones((8, 8), bool)))
SWEEP_FN = PT(st.just(_params.Xi_from_eps), [3, "f", None], corners=(_params.Xi_from_eps, _params.Xi_from_eps))
_SWEEP_EPS = st.lists(st.one_of(st.floats(-3.0, 0.999), st.sampled_from([-1e6, 0.0, 1 - 1e-12])), min_size=1, max_size=4)
_SWEEP_K = st.lists(st.one_of(st.floats(1.05, 20.0), st.sampled_from([1 + 1e-9, 1e6])), min_size=1, max_size=3)
SWEEP_GRID = PT(st.one_of(st.builds(lambda e, k: {"eps": e, "K": k}, _SWEEP_EPS, _SWEEP_K),
                          st.builds(lambda e, k: {"eps": np.array(e), "K": k[0]}, _SWEEP_EPS, _SWEEP_K),
                          st.lists(st.builds(lambda e, k: {"eps": e[0], "K": k[0]}, _SWEEP_EPS, _SWEEP_K),
                                   min_size=0, max_size=5)),
                [5, "ab", {"eps": []}, {1: [1.0]}, {"eps": [[0.1, 0.2]]}, [{"eps": 0.1}, 3], {"not a name": [1]}],
                corners=({"eps": [-1e6], "K": [1 + 1e-9]}, {"eps": [1 - 1e-12] * 4, "K": [1e6] * 3}))
SWEEP_CHUNK = PT(st.one_of(st.none(), st.integers(1, 10)), [0, -1, 1.5, "x", True], corners=(None, 1))


def post_array_work(max_dots, max_solves=1):
    """Arrays of at most ``max_dots`` dots, at most 30 iterations, <= max_solves (eps x seeds) solves,
    and eps_spread < 1 - eps where both are valid (the sandbox's 5 s; documented limits are larger)."""
    def post(kw, u):
        sh = kw.get("shape")
        if isinstance(sh, tuple) and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sh):
            if len(sh) == 1 and sh[0] > max_dots:
                kw["shape"] = (max_dots,)
            elif len(sh) == 2 and sh[0] == sh[1] and sh[0] ** 2 > max_dots:
                kw["shape"] = (int(math.isqrt(max_dots)),) * 2
        elif isinstance(sh, int) and not isinstance(sh, bool) and sh > max_dots:
            kw["shape"] = max_dots
        mi = kw.get("max_iter")
        if isinstance(mi, (int, float)) and not isinstance(mi, bool) and math.isfinite(mi) and mi > 30:
            kw["max_iter"] = 30
        e, sp = kw.get("eps"), kw.get("eps_spread")
        if isinstance(e, float) and isinstance(sp, float) and e < 1 and sp >= 0 and e + sp >= 1:
            kw["eps_spread"] = (1.0 - e) * u * 0.99
        if isinstance(e, np.ndarray) and e.ndim == 1 and e.size > max_solves:
            kw["eps"] = e[:max_solves]
        sd = kw.get("seeds")
        if isinstance(sd, list) and len(sd) > 1:
            kw["seeds"] = sd[:1]
    return post


SPECS += [
    Spec("arrays.solve_dot_array", dict(
        shape=ARR_SHAPE, eps=EPS, **ARR_MF, eps_spread=ARR_SPREAD, seed=ARR_SEED, **ARR_OPTS, start=ARR_START,
        warn=FLAG), post=post_array_work(144), max_examples=30,
         inf_ok=only_paths("result.ln_Gamma"), why_inf="ln_Gamma=-inf for a localized dot"),
    Spec("arrays.draw_eps", dict(shape=ARR_SHAPE, eps=EPS, eps_spread=ARR_SPREAD, seed=ARR_SEED),
         post=post_array_work(144)),
    Spec("arrays.neighbours", dict(shape=ARR_SHAPE)),
    Spec("arrays.metallic_fraction", dict(metallic=BOOL_MAP)),
    Spec("arrays.metallic_clusters", dict(metallic=BOOL_MAP)),
    Spec("arrays.metallic_fraction_curve", dict(
        eps=EPS.A, seeds=PT(st.one_of(ARR_SEED.scalar, st.lists(st.integers(0, 100), min_size=1, max_size=3)),
                            [-1, [], [1.5], "x", [[1]]], corners=(0, [0, 2**63 - 1])),
        shape=ARR_SHAPE, **ARR_MF, eps_spread=ARR_SPREAD, **ARR_OPTS),
         post=post_array_work(64, max_solves=2), max_examples=15),
    Spec("sweep.grid_points", dict(grid=SWEEP_GRID)),
    Spec("sweep.map_grid", dict(fn=SWEEP_FN, grid=SWEEP_GRID, progress=FLAG, chunksize=SWEEP_CHUNK)),
]

# ---------------------------------------------------------------- arrays.fraction_crossing (issue 16, chapter arrays)
# documented: eps 2-10000 strictly increasing finite values; fraction in [0, 1] of shape (len(eps),) or
# (B, len(eps)); level in (0, 1).  post_fraction_crossing sorts eps and fits fraction to its length.


def post_fraction_crossing(kw, u):
    e, f = kw.get("eps"), kw.get("fraction")
    if isinstance(e, np.ndarray) and e.ndim == 1 and e.size >= 2 and np.all(np.isfinite(e)):
        e = np.unique(e)
        if e.size >= 2:
            kw["eps"] = e
            if isinstance(f, np.ndarray) and f.ndim in (1, 2) and f.size:
                kw["fraction"] = np.resize(f, f.shape[:-1] + (e.size,))


SPECS += [
    Spec("arrays.fraction_crossing", dict(
        eps=PT(st.lists(st.floats(-3.0, 0.999), min_size=2, max_size=12, unique=True).map(lambda v: _arr(sorted(v))),
               [np.array([0.1]), np.array([0.2, 0.1]), np.array([0.1, 0.1]), "x", np.array([0.1, NAN]),
                np.zeros((2, 2))],
               corners=(np.array([-1e300, -1e299]), np.array([1e299, 1e300]))),
        fraction=PT(st.one_of(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12).map(_arr),
                              st.integers(1, 4).flatmap(lambda B: st.lists(st.floats(0.0, 1.0), min_size=2 * B,
                                                                           max_size=2 * B)
                                                        .map(lambda v: _arr(v).reshape(B, -1)))),
                    [np.array([NAN, 0.1]), np.array([-0.1, 0.5]), np.array([0.5, 1.5]), "x", np.zeros((2, 2, 2)),
                     np.array([1j, 1.0])],
                    corners=(np.array([0.0, 0.0]), np.array([1.0, 1.0]))),
        level=real(0.0, 1.0, typical=st.floats(0.01, 0.99), extremes=[1e-300, 0.2, 0.5, 0.8, 1 - 1e-12])),
        post=post_fraction_crossing, inf_ok=pos_inf_only,
        why_inf="inf: the fraction stays below level on the whole grid (with a ValidityWarning)"),
]

SPEC_BY_ID = {s.id: s for s in SPECS}

# Explicit extreme cases per helper, beyond the two automatic corners (all parameters at
# the low / high end of their documented ranges).  Values as keyword dicts.
EXTRA = {
    "arrays.solve_dot_array": [
        dict(shape=(12, 12), eps=-0.1, gamma=0.1, K=3.0, N=10, s=0.5, eps_spread=0.3, seed=2**63 - 1),
        dict(shape=(40,), eps=0.0, gamma=0.1, K=3.0, N=10, s=0.5, eps_spread=0.9, seed=1),  # above_gamma dots
        dict(shape=(12, 12), eps=-0.1, gamma=0.1, K=3.0, N=10, s=0.5, eps_spread=0.3, sum_range="square",
             nfast="continuous", ln_Gamma_floor=-60.0, max_iter=30),
        dict(shape=(12, 12), eps=0.3, gamma=0.1, K=1.05, N=2000, s=1.0, ln_Gamma_floor=-150.0, eps_spread=0.2),
        dict(shape=(12, 12), eps=0.1, gamma=1e-300, K=1e6, N=100, s=1e-300, eps_spread=0.5),
    ],
    "arrays.metallic_fraction_curve": [
        dict(eps=np.array([-0.2, -0.05]), seeds=[0], shape=(8, 8), gamma=0.1, K=3.0, N=10, s=0.5, eps_spread=0.3),
    ],
    "meanfield.solve_linewidth": [
        dict(eps=0.5, gamma=0.1, K=3.0, N=10, s=0.5),  # Fig. 8
        dict(eps=-0.2, gamma=0.1, K=3.0, N=10**9, s=1.0, equation="E3"),
        dict(eps=0.5, gamma=1e-300, K=3.0, N=10, s=0.5),
        dict(eps=0.5, gamma=0.1, K=1 + 1e-9, N=10**6, s=0.5, sum_range="square"),
        dict(Xi=1e100, gamma=0.1, K=3.0, N=10, s=0.5),  # Xi ln K huge: eps rounded to 1.0 (hung)
        dict(Xi=1e100, gamma=1e-300, K=16.0, N=43, s=0.5),  # RuntimeError "NaN in ln F"
        dict(eps=0.5, gamma=1e6, K=3.0, N=10, s=1.0),  # ValueError "cannot convert float NaN to integer"
        dict(Xi=1.0, gamma=1e-4, K=1.05, N=1, s=1e-300, nfast="continuous"),  # OverflowError in _M0
    ],
    "meanfield.ln_F_zero": [dict(eps=-1.0, gamma=0.1, K=3.0, N=1, s=1e-30, nfast="continuous")],
    "meanfield.n_fast": [dict(t=np.array([1.0, 2.0, 3.0]), gamma=1.0, Gamma=np.array([0.1, 0.2]), s=0.5, N=10)],
    "meanfield.ln_n_fast": [dict(ln_t=np.array([-1.0, -2.0, -3.0]), gamma=1.0, ln_Gamma=np.array([-5.0, -6.0]),
                                 s=0.5, N=10)],
    "meanfield.critical_eps": [
        dict(gamma=1e-300, K=3.0, N=10, s=0.5),
        dict(gamma=1e-300, K=1.001, N=3, s=0.001),
        dict(gamma=np.array([0.999, 1e300]), K=1 + 1e-9, N=1, s=0.01, d=3),
    ],
    "meanfield.critical_Xi": [dict(gamma=1e-300, K=1.001, N=3, s=0.001)],
    "meanfield.critical_coupling": [dict(eps=-1e-12, K=3.0, N=10, s=0.5), dict(eps=-1e6, K=1e6, N=10**9, s=1.0)],
    "meanfield.critical_coupling_eq23_edge": [dict(K=1 + 1e-9, N=10, s=0.9, sum_range="square")],
    "echo.lattice_echo": [dict(t=1.0, J=1.0, xi=1e300, Gamma_b=1.0)],
    "echo.telegraph_echo_mc": [dict(t=1.0, v=1.0, Gamma=1.0, n_samples=10**9)],
    "lineshape.lineshape": [dict(omega=1.0, Gamma_b=1.0, s_xi_d=1.0, J=10.0),
                            dict(omega=1e300, Gamma_b=1e-300, s_xi_d=1e300, J=1e300),
                            dict(omega=1e100, Gamma_b=1e-300, s_xi_d=1.0, J=1e-298)],
    "lineshape.lineshape_gauss": [dict(omega=1e300, Gamma_b=1.0, s_xi_d=1.0, J=10.0),
                                  dict(omega=1e-300, Gamma_b=1e100, s_xi_d=1e-300, J=1e112, order=6, tail_decades=1e12)],
    "relaxation.ln_Gamma_a": [dict(gamma=1e-300, W=1e-300, xi=1e-300, d=1)],
    "relaxation.rearrangement_volume_c": [dict(W=0.5, s=1e-300, method="brentq")],
    "single_dot.ln_relaxation_rate_sum": [dict(W=1e-300, gamma=1e-300, K=1 + 1e-9, Xi=1e-300, n_max=10**9)],
    "scaling.fit_critical_power_law": [dict(x=np.array([0.001, 0.01, 0.1, 1.0]),
                                            y=np.array([0.959377869559282, 0.9622744569273698, 0.9567120182152828, 1.0]))],
    "temperature.T0_prime": [dict(gamma=1e-3, g=10.0, lam=1.0, K=3.0, N=10, T_s=10.0),
                             dict(gamma=1000.0, g=1000.0, lam=0.001, K=3.0, N=3, T_s=1e300, d=3, s_model="tanh",
                                  nfast="continuous")],
    "temperature.ln_conductivity": [dict(T=np.array([0.5, 1.0, 1.5]), gamma=1e-3, g=10.0, lam=1.0, K=3.0, N=10,
                                         T_s=10.0),
                                    dict(T=1e-100, gamma=1.0, g=1.0, lam=1.0, K=10.0, N=1, T_s=1.0, nfast="continuous")],
    "parameters.eps_from_Xi": [dict(Xi=1e-300, K=1 + 1e-9), dict(Xi=1e100, K=1.5)],
    "parameters.check_broadcast": [dict(gamma=np.zeros((10**5, 1)), eps=np.zeros(10**5))],
}


# ======================================================================
# the call strategy and the verdict
# ======================================================================

@st.composite
def calls(draw, spec):
    keys = list(spec.params)
    can_bad = [k for k in keys if isinstance(spec.params[k], Group)
               or spec.params[k].invalid(spec.none_bad(k)) is not None]
    arrays = [k for k in keys if isinstance(spec.params[k], PT) and spec.params[k].array]
    if len(arrays) >= 2:
        can_bad.append("<shapes>")  # two array arguments whose shapes do not broadcast
    length = draw(st.integers(1, 5))  # one array length per call: valid arrays broadcast together
    bad_key = None
    if can_bad and draw(st.integers(0, 9)) < 2:  # ~20 % of examples have one value out of range
        bad_key = draw(st.sampled_from(can_bad))
    mismatched = draw(st.sampled_from([(a, b) for a in arrays for b in arrays if a < b])) \
        if bad_key == "<shapes>" else ()
    values = {}
    for k in keys:
        pt = spec.params[k]
        if isinstance(pt, Group):
            values.update(pt.draw(draw, k == bad_key, length))
            continue
        if k == bad_key:
            values[k] = draw(pt.invalid(spec.none_bad(k)))
            continue
        if k in mismatched:
            n = 2 if k == mismatched[0] else 3
            values[k] = _arr(draw(st.lists(pt.scalar, min_size=n, max_size=n)))
            continue
        if spec.optional(k) and draw(st.integers(0, 3)) == 0:  # leave a defaulted parameter out
            continue
        values[k] = draw(pt.valid(length))
    if spec.post is not None and bad_key is None:
        spec.post(values, draw(FRACTION))
    return spec.build(values, bad=bad_key is not None)


def _param_names(spec, call):
    names = {p.name for p in spec.sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    names |= set(call.kwargs)
    for key, pt in spec.params.items():  # documented names, also those passed through **kwargs
        names |= set(pt.names) if isinstance(pt, Group) else {key}
    if spec.err_names is not None:
        names |= {n for n in spec.err_names(call) if isinstance(n, str) and n}
    return names


def names_a_parameter(message, names):
    """Whether ``message`` names one of ``names`` (one-letter names only as ``x must``, ``x=``, ``x (``, ...)."""
    for n in names:
        esc = re.escape(n)
        if len(n) == 1:
            pat = rf"(?<![\w.]){esc}(?=\s*(must|=|\(|\*|,|<|>|\band\b|\bor\b|\bis\b))"
        else:
            pat = rf"(?<![\w]){esc}(?![\w])"
        if re.search(pat, message):
            return True
    return False


def _allowed(flag, call, paths):
    if callable(flag):
        try:
            return bool(flag(call, paths))
        except Exception:  # noqa: BLE001 - a predicate that cannot decide does not allow
            return False
    return bool(flag)


def verdict(spec, call, out):
    """``(category, explanation)`` of a failing outcome, or ``None`` if it is allowed."""
    if out.kind in ("timeout", "died", "MemoryError"):
        return out.kind, out.summary()
    if out.kind == "exception":
        return "exception", out.summary()
    stray = [w for w in out.warnings if w[0] != "ValidityWarning"]
    if out.kind == "ValueError":
        if not names_a_parameter(out.exc_message, _param_names(spec, call)):
            return "ValueError-unnamed", out.summary()
    elif out.kind == "ok":
        if out.nan_paths and not _allowed(spec.nan_ok, call, out.nan_paths):
            return "nan", out.summary()
        if out.inf_paths and not _allowed(spec.inf_ok, call, out.inf_paths):
            return "inf", out.summary()
    if stray:
        return "warning", out.summary()
    return None


class _State:
    def __init__(self):
        self.cache = {}
        self.first_fail = None  # time.monotonic() of the first failing generated example

    def budget_spent(self):
        return self.first_fail is not None and time.monotonic() - self.first_fail > SHRINK_BUDGET


def _log(spec, call, category, out):
    if not LOG:
        return
    rec = dict(spec=spec.id, call=repr(call), bad=call.bad, category=category, kind=out.kind,
               exc_type=out.exc_type, exc_message=out.exc_message[:1000], nan=out.nan_paths[:10],
               inf=out.inf_paths[:10], warnings=[list(w) for w in out.warnings[:10]], elapsed=out.elapsed,
               traceback=out.traceback[-3000:])
    with open(LOG, "a") as fh:
        fh.write(json.dumps(rec) + "\n")


def run_one(spec, call, sandbox, state, explicit=False):
    key = pickle.dumps((call.args, sorted(call.kwargs.items())))
    out = state.cache.get(key)
    if out is None:
        if state.budget_spent() and not explicit:
            return  # shrink budget spent: new candidates are not run (the best failure so far is kept)
        out = sandbox.call("nblm_helpers." + spec.target.replace(".", ":"), call.args, call.kwargs,
                           timeout=TIMEOUT)
        state.cache[key] = out
        v = verdict(spec, call, out)
        if v is not None:
            _log(spec, call, v[0], out)
        elif call.bad and out.kind == "ok":
            _log(spec, call, "accepted-out-of-range", out)
    v = verdict(spec, call, out)
    if v is None:
        return
    if state.first_fail is None and not explicit:
        state.first_fail = time.monotonic()
    category, text = v
    msg = f"{category}\n  call:    {call!r}\n  outcome: {text}"
    if out.traceback:
        msg += "\n  traceback (last frames):\n" + out.traceback[-2500:]
    # one raise site per category, so that Hypothesis reports (and shrinks) each kind separately
    if category == "timeout":
        raise AssertionError(msg)
    if category == "died":
        raise AssertionError(msg)
    if category == "MemoryError":
        raise AssertionError(msg)
    if category == "exception":
        raise AssertionError(msg)
    if category == "ValueError-unnamed":
        raise AssertionError(msg)
    if category == "nan":
        raise AssertionError(msg)
    if category == "inf":
        raise AssertionError(msg)
    raise AssertionError(msg)  # stray warning


# ======================================================================
# the tests
# ======================================================================


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox(timeout=TIMEOUT) as sb:
        yield sb


def _public_callables():
    out = {}
    for m in MODULES:
        mod = importlib.import_module(f"nblm_helpers.{m}")
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj):
                out[f"{m}.{name}"] = obj
    return out


def test_every_public_callable_has_a_spec():
    """A new public helper (or a new parameter of one) without a fuzz spec fails here."""
    missing, stale, params = [], [], []
    for key, obj in _public_callables().items():
        if key in SPEC_BY_ID or key in EXCLUDED:
            continue
        home = f"{getattr(obj, '__module__', '').rsplit('.', 1)[-1]}.{getattr(obj, '__name__', '')}"
        if home != key and home in SPEC_BY_ID and SPEC_BY_ID[home].func is obj:
            continue  # a re-export (meanfield.saddle_point_ln_linewidth): fuzzed where it is defined
        missing.append(key)
    public = _public_callables()
    stale = [k for k in list(SPEC_BY_ID) + list(EXCLUDED) if k not in public]
    for spec in SPECS:
        covered = set()
        for key, pt in spec.params.items():
            covered |= set(pt.names) if isinstance(pt, Group) else {key}
        sig_names = {p.name for p in spec.sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        skipped = set(SKIPPED_PARAMS.get(spec.id, {}))
        if sig_names - covered - skipped:
            params.append(f"{spec.id}: {sorted(sig_names - covered - skipped)} have no strategy")
        has_var_kw = any(p.kind == p.VAR_KEYWORD for p in spec.sig.parameters.values())
        if not has_var_kw and covered - sig_names:
            params.append(f"{spec.id}: {sorted(covered - sig_names)} are not parameters")
    assert not missing, f"public helpers without a fuzz spec (add one to SPECS or EXCLUDED): {missing}"
    assert not stale, f"specs / exclusions of names that are no longer public: {stale}"
    assert not params, "\n".join(params)


def test_sandbox_limits(sandbox):
    """The worker's baseline is far below its memory limit, and the limits work."""
    assert 0 < sandbox.baseline_vm < MEMORY_LIMIT / 4, sandbox.baseline_vm
    out = sandbox.call("numpy:ones", ((3 * 2**30 // 8,),))  # 3 GiB > RLIMIT_AS
    assert out.kind == "MemoryError", out.summary()
    out = sandbox.call("time:sleep", (1.0,), timeout=0.2)
    assert out.kind == "timeout", out.summary()
    out = sandbox.call("os:_exit", (7,))
    assert out.kind == "died" and out.returncode == 7, out.summary()
    out = sandbox.call("numpy:log", (np.array([0.0, -1.0]),))
    assert out.kind == "ok" and out.inf_paths and out.nan_paths
    assert {w[0] for w in out.warnings} == {"RuntimeWarning"}, out.summary()
    assert sandbox.call("math:sqrt", (4.0,)).kind == "ok"


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_fuzz(spec, sandbox, monkeypatch):
    state = _State()
    # bound Hypothesis' shrinking in wall time (its default is 300 s; a timing-out call costs 5 s)
    from hypothesis.internal.conjecture import engine

    if hasattr(engine, "MAX_SHRINKING_SECONDS"):
        monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", SHRINK_BUDGET)
    examples = [spec.corner_call("lo", 1e-300), spec.corner_call("hi", 1 - 1e-12)]
    examples += [spec.build(v) for v in EXTRA.get(spec.id, [])]
    for ex in examples:
        ex.explicit = True
    explicit_failures = []

    def check(call):
        if call.explicit:
            # a failing corner is recorded, not raised, so that the search below still runs
            try:
                run_one(spec, call, sandbox, state, explicit=True)
            except AssertionError as exc:
                explicit_failures.append(str(exc))
            return
        run_one(spec, call, sandbox, state)

    test = given(calls(spec))(check)
    test = settings(
        max_examples=max(1, int(round(spec.max_examples * EXAMPLES_FACTOR))),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no "explain"
    )(test)
    for ex in reversed(examples):
        test = example(ex)(test)
    # a distinct Hypothesis database key per helper (as for parametrized tests)
    test.hypothesis.inner_test._hypothesis_internal_add_digest = spec.id.encode()
    corners = "\n\n".join(f"explicit example {i + 1}: {f}" for i, f in enumerate(explicit_failures))
    try:
        test()
    except BaseException as exc:
        if corners:
            exc.add_note("\nalso failing:\n" + corners)
        raise
    assert not explicit_failures, corners
