"""Model parameters of Gopalakrishnan & Nandkishore (2014) and their validation.

This is the bottom layer of :mod:`nblm_helpers`: every physics module validates
its inputs with the functions here, so that a bad value raises one kind of
error with one kind of message everywhere.

Conventions
-----------
* Energies are in units of the accessible level spacing :math:`\\delta_m`
  (Sec. IV) unless a docstring says otherwise, so ``gamma`` means
  :math:`\\gamma/\\delta_m`.
* ``Xi`` is the Fock-space localization length :math:`\\Xi` (Sec. IV B);
  ``xi`` is the real-space localization length :math:`\\xi` (Sec. II), in
  every module (before version 0.2 the mean-field solver took ``xi`` for
  :math:`\\Xi`; see ``CHANGELOG.md``).
* :math:`\\varepsilon = 1 - 1/(\\Xi \\ln K) = (\\Xi\\ln K - 1)/(\\Xi\\ln K)`
  (Appendix E, where the printed definition is garbled; see the errata page).
  :math:`\\varepsilon > 0` is a single dot that would delocalize on the Cayley
  tree, :math:`\\varepsilon < 0` a single dot that is localized.
* Every numeric input is cast to ``float`` (``K=3`` as a Python ``int``
  becomes ``3.0``), so powers such as ``K**40`` never overflow int64.

Errors and warnings
-------------------
A value outside its allowed range raises :class:`ValueError` whose message
names the parameter, the allowed range and the value received.  A result
that is computed but lies outside the paper's mean-field validity window
(Sec. V B, Eqs. 23-27; App. C, Eqs. C6-C7) is accompanied by a
:class:`ValidityWarning`.

Every validator here raises only :class:`ValueError`, whatever it is given:
strings, complex numbers, ``None``, ragged or object arrays, integers too
large for a float (``10**400``), long-double values that overflow float64.
Arrays larger than :data:`MAX_ARRAY_SIZE` elements are refused (a
:class:`ValueError` naming the parameter and the limit) so that no helper
runs out of memory on them.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace

import numpy as np

from ._deprecate import module_getattr

__all__ = [
    "MAX_ARRAY_SIZE",
    "ValidityWarning",
    "Parameters",
    "check_real",
    "check_scalar",
    "check_positive",
    "check_unit_interval",
    "check_open_unit",
    "check_branching",
    "check_positive_int",
    "check_dimension",
    "check_seed",
    "check_eps",
    "check_choice",
    "check_ln_rate",
    "resolve_ln_rate",
    "check_broadcast",
    "eps_from_Xi",
    "Xi_from_eps",
    "resolve_eps",
]


class ValidityWarning(UserWarning):
    """A result lies outside the regime where the paper's approximations hold.

    Raised (as a warning, not an error) when, e.g., a mean-field linewidth
    violates Eq. (27) of the paper, or a saddle-point result is used outside
    Eq. (C7).  The number is still returned; the warning says which
    condition fails and by how much.
    """


#: Largest number of elements an array argument may have (2**24 = 16 777 216;
#: 128 MiB as float64).  Larger arrays raise :class:`ValueError`: the helpers
#: make a few temporaries of the input's size and must stay within ~2 GiB.
MAX_ARRAY_SIZE = 2**24

_FLOAT_MAX = float(np.finfo(float).max)


def _show(value, limit=80):
    """A short repr of ``value`` for an error message (never raises)."""
    try:
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
            return f"an integer of about 10^{value.bit_length() * math.log10(2):.0f}"
        text = repr(value)
    except Exception:  # e.g. a repr that raises
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_size(name, size):
    if size > MAX_ARRAY_SIZE:
        raise ValueError(
            f"{name} must have at most MAX_ARRAY_SIZE = {MAX_ARRAY_SIZE} elements (the helpers' memory "
            f"budget); got {size}"
        )


def check_broadcast(**arrays):
    """Broadcast shape of the named arguments, or :class:`ValueError`.

    ``check_broadcast(gamma=g, eps=e)`` returns ``np.broadcast_shapes`` of the
    arguments' shapes.  Raises :class:`ValueError` naming the arguments and
    their shapes if they do not broadcast, or if the broadcast result would
    have more than :data:`MAX_ARRAY_SIZE` elements (e.g. a column and a row of
    10^5 points each, 10^10 points).
    """
    shapes = {k: np.shape(v) for k, v in arrays.items()}
    try:
        shape = np.broadcast_shapes(*shapes.values())
    except ValueError:
        desc = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(f"the shapes of {desc} do not broadcast together") from None
    size = math.prod(shape)
    if size > MAX_ARRAY_SIZE:
        desc = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(
            f"{desc} broadcast to {shape} = {size} points; at most MAX_ARRAY_SIZE = {MAX_ARRAY_SIZE} "
            "are accepted (the helpers' memory budget)"
        )
    return shape


def _fmt_range(lo, hi, lo_open, hi_open):
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    lo_s = "-inf" if lo is None else f"{lo:g}"
    hi_s = "inf" if hi is None else f"{hi:g}"
    return f"{left}{lo_s}, {hi_s}{right}"


def check_real(name, value, *, lo=None, hi=None, lo_open=True, hi_open=True):
    """Validate a real parameter (scalar or array) and return it as float.

    Parameters
    ----------
    name : str
        The parameter's name, used in the error message.
    value : float, int or array_like
        The value(s). Booleans, complex numbers, strings, NaN and infinities
        are rejected.
    lo, hi : float or None
        Bounds of the allowed interval (``None``: unbounded).
    lo_open, hi_open : bool
        Whether the bounds themselves are excluded.

    Returns
    -------
    float or numpy.ndarray
        A Python ``float`` for scalar input, a float64 array otherwise.

    Raises
    ------
    ValueError
        If any value is not a finite real number inside the interval. The
        message names ``name``, the allowed range and the offending value.
        Also for non-numbers of any kind, integers beyond the float range
        (``10**400``), values that overflow float64, and arrays of more than
        :data:`MAX_ARRAY_SIZE` elements.  Never any other exception.
    """
    rng = _fmt_range(lo, hi, lo_open, hi_open)
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number in {rng}; got the boolean {value!r}")
    if isinstance(value, numbers.Real) and not isinstance(value, np.generic):
        # Python int / float / Fraction: float() is exact where it can be and
        # raises OverflowError for integers beyond the float range
        try:
            value_f = float(value)
        except (OverflowError, ValueError, TypeError):
            raise ValueError(
                f"{name} must be a finite real number in {rng}; got {_show(value)}, beyond the float range"
            ) from None
        arr = np.asarray(value_f)
    else:
        try:
            arr = np.asarray(value)
        except Exception as exc:  # ragged nested lists, objects numpy cannot convert
            raise ValueError(f"{name} must be a real number in {rng}; got {_show(value)}") from exc
        if arr.dtype == object or arr.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be a real number in {rng}; got {_show(value)}")
        _check_size(name, arr.size)
        with np.errstate(over="ignore"):  # long double beyond float64 -> inf, rejected below
            arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{name} must be a real number in {rng}; got an empty array")
    bad = ~np.isfinite(arr)
    if lo is not None:
        bad |= (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= (arr >= hi) if hi_open else (arr > hi)
    if np.any(bad):
        first = float(arr[bad].flat[0])
        raise ValueError(f"{name} must be a finite real number in {rng}; got {first!r}")
    if arr.ndim == 0:
        return float(arr)
    return arr


def check_scalar(check, name, value, **kw):
    """Validate a scalar parameter with ``check`` (e.g. :func:`check_positive`); a Python float.

    Arrays are refused with :class:`ValueError` naming ``name``.
    """
    out = check(name, value, **kw)
    if np.ndim(out) != 0:
        raise ValueError(f"{name} must be a single real number (a scalar); got an array of shape {np.shape(out)}")
    return float(out)


def check_positive(name, value):
    """Validate a strictly positive, finite parameter (e.g. gamma, W, Delta)."""
    return check_real(name, value, lo=0.0)


def check_unit_interval(name, value):
    """Validate a parameter in (0, 1], e.g. the entropy per l-bit ``s``."""
    return check_real(name, value, lo=0.0, hi=1.0, hi_open=False)


def check_open_unit(name, value):
    """Validate a parameter in (0, 1), e.g. ``gamma`` or ``W`` in units of the l-bit scale (Sec. II)."""
    return check_real(name, value, lo=0.0, hi=1.0)


def check_branching(name, value):
    """Validate a Cayley-tree branching number ``K > 1`` (returned as float)."""
    return check_real(name, value, lo=1.0)


def check_positive_int(name, value, *, minimum=1, maximum=None):
    """Validate an integer count (e.g. ``N``, ``d``) and return a Python int.

    Integral floats such as ``10.0`` are accepted; ``1.5``, booleans, NaN,
    non-numbers (strings, arrays, complex) and values below ``minimum`` raise
    :class:`ValueError`, and so do integers beyond the float range
    (``10**400``, whose ``N ln K`` could not be formed) and, if given, values
    above ``maximum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {_show(value)}")
    try:
        fval = float(value)
    except (OverflowError, ValueError, TypeError):
        raise ValueError(
            f"{name} must be an integer >= {minimum} and <= {_FLOAT_MAX:.4g} (the float range); "
            f"got {_show(value)}"
        ) from None
    if not math.isfinite(fval) or fval != math.floor(fval) or fval < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {_show(value)}")
    if maximum is not None and fval > maximum:
        raise ValueError(f"{name} must be an integer >= {minimum} and <= {maximum}; got {_show(value)}")
    return int(fval)


def check_seed(name, value):
    """A seed for ``numpy.random.default_rng``: a Python int ``0 <= seed < 2**63``.

    Checked exactly, not through a float: integers of any type, and integral floats only up to
    ``2**53`` (above it a float no longer names one integer); booleans, ``1.5``, NaN and
    non-numbers raise :class:`ValueError` naming ``name``.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        v = int(value)
    elif isinstance(value, (float, np.floating)) and math.isfinite(value) and value == math.floor(value) \
            and abs(value) <= 2.0**53:
        v = int(value)
    else:
        raise ValueError(f"{name} must be an integer in [0, 2**63); got {_show(value)}")
    if not 0 <= v < 2**63:
        raise ValueError(f"{name} must be an integer in [0, 2**63); got {v!r}")
    return v


def check_dimension(value):
    """Validate the spatial dimension ``d`` (a positive integer)."""
    return check_positive_int("d", value)


def check_choice(name, value, allowed):
    """Validate an option string (e.g. ``nfast``, ``sum_range``) against ``allowed``.

    Raises
    ------
    ValueError
        Naming the option, the allowed values and the value received.
    """
    try:
        options = [a for a in allowed if isinstance(a, str)]
    except TypeError:
        raise ValueError(f"the allowed values of {name} must be a sequence of strings; got {_show(allowed)}") from None
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}; got {_show(value)}")
    return value


def scalar_or_array(arr, dtype=float):
    """``arr`` as a Python scalar if it is 0-d, else as a numpy array of ``dtype``.

    The helpers return what they were given: a float for a float, an array for
    an array.  An internal formatting step for the helpers' *results* (not in
    ``__all__``): it converts, it does not validate, so a NaN passes through.

    Raises
    ------
    ValueError
        If ``arr`` cannot be converted to ``dtype`` (strings, ``None``,
        complex, ragged lists, integers beyond the float range).
    """
    try:
        raw = np.asarray(arr)
        if raw.dtype == object or raw.dtype.kind == "c" and np.dtype(dtype).kind != "c":
            raise TypeError
        with np.errstate(over="ignore"):
            out = raw.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"expected a number or an array of numbers; got {_show(arr)}") from None
    return out.item() if out.ndim == 0 else out


def check_ln_rate(name, value, *, allow_zero_rate=True):
    """Validate the natural log of a rate (e.g. ``ln_Gamma`` = ln Gamma).

    Any real number is allowed, and ``-inf`` (a rate of exactly 0) where
    ``allow_zero_rate``; NaN, ``+inf``, booleans, non-numbers and empty arrays
    raise :class:`ValueError`.  Returns a float for scalar input, a float64
    array otherwise.
    """
    allowed = "a real number or -inf" if allow_zero_rate else "a finite real number"
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    if isinstance(value, numbers.Real) and not isinstance(value, np.generic):
        try:
            arr = np.asarray(float(value))
        except (OverflowError, ValueError, TypeError):
            raise ValueError(f"{name} must be {allowed}; got {_show(value)}, beyond the float range") from None
    else:
        try:
            arr = np.asarray(value)
        except Exception:
            raise ValueError(f"{name} must be {allowed}; got {_show(value)}") from None
        if arr.dtype.kind not in "iuf" or arr.size == 0:
            raise ValueError(f"{name} must be {allowed}; got {_show(value)}")
        _check_size(name, arr.size)
        with np.errstate(over="ignore"):
            arr = arr.astype(np.float64)
    bad = np.isnan(arr) | (arr == np.inf)
    if not allow_zero_rate:
        bad |= arr == -np.inf
    if np.any(bad):
        shown = value if arr.ndim == 0 else float(arr[bad].flat[0])
        raise ValueError(f"{name} must be {allowed}; got {_show(shown)}")
    return float(arr) if arr.ndim == 0 else arr


def resolve_ln_rate(rate, ln_rate, *, name="Gamma", ln_name="ln_Gamma", allow_zero_rate=True):
    """ln(rate) from exactly one of ``rate`` (> 0) and ``ln_rate`` (see :func:`check_ln_rate`)."""
    if (rate is None) == (ln_rate is None):
        raise ValueError(
            f"give exactly one of {name} (> 0) and {ln_name} (its natural log); "
            f"got {name}={rate!r}, {ln_name}={ln_rate!r}"
        )
    if rate is not None:
        return np.log(check_positive(name, rate))
    return check_ln_rate(ln_name, ln_rate, allow_zero_rate=allow_zero_rate)


def check_eps(value):
    """Validate :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)`, which lies in (-inf, 1)."""
    return check_real("eps", value, hi=1.0)


def eps_from_Xi(Xi, K):
    """:math:`\\varepsilon = (\\Xi\\ln K - 1)/(\\Xi\\ln K)` (App. E, corrected).

    Parameters
    ----------
    Xi : float or array_like
        Fock-space localization length :math:`\\Xi > 0`.
    K : float
        Branching number of the Fock-space Cayley tree, ``K > 1``.

    Raises
    ------
    ValueError
        If ``Xi`` or ``K`` is out of range, if they do not broadcast, or if
        :math:`\\Xi\\ln K` is so small (below ~5.6e-309) that
        :math:`\\varepsilon` overflows to ``-inf``; the message gives the
        smallest ``Xi`` that works for that ``K``.
    """
    Xi = check_positive("Xi", Xi)
    K = check_branching("K", K)
    check_broadcast(Xi=Xi, K=K)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        eps = 1.0 - 1.0 / (Xi * np.log(K))
    if not np.all(np.isfinite(eps)):
        bad = ~np.isfinite(np.broadcast_to(eps, np.shape(eps)))
        xb = float(np.broadcast_to(Xi, np.shape(eps))[bad].flat[0])
        kb = float(np.broadcast_to(K, np.shape(eps))[bad].flat[0])
        raise ValueError(
            f"Xi must be > {1.0 / _FLOAT_MAX / math.log(kb):.3g} for K = {kb!r} "
            f"(eps = 1 - 1/(Xi ln K) overflows below that); got {xb!r}"
        )
    # eps < 1 for every finite Xi, but 1 - 1/(Xi ln K) rounds to 1.0 once Xi ln K > 2^53:
    # keep it at the largest float below 1 (eps = 1 itself is outside every formula's domain)
    eps = np.minimum(eps, np.nextafter(1.0, 0.0))
    return float(eps) if np.ndim(eps) == 0 else eps


def Xi_from_eps(eps, K):
    """Inverse of :func:`eps_from_Xi`: :math:`\\Xi = 1/((1-\\varepsilon)\\ln K)`.

    Raises
    ------
    ValueError
        If ``eps`` or ``K`` is out of range, if they do not broadcast, or if
        :math:`(1-\\varepsilon)\\ln K` overflows so that :math:`\\Xi` would
        be 0 (``eps`` below about ``-1.8e308/ln K``).
    """
    eps = check_eps(eps)
    K = check_branching("K", K)
    check_broadcast(eps=eps, K=K)
    with np.errstate(over="ignore", under="ignore"):
        Xi = 1.0 / ((1.0 - eps) * np.log(K))
    if np.any(np.asarray(Xi) <= 0):
        bad = np.asarray(Xi) <= 0
        eb = float(np.broadcast_to(eps, np.shape(Xi))[bad].flat[0])
        kb = float(np.broadcast_to(K, np.shape(Xi))[bad].flat[0])
        raise ValueError(
            f"eps must be > {1.0 - _FLOAT_MAX / math.log(kb):.3g} for K = {kb!r} "
            f"(Xi = 1/((1 - eps) ln K) underflows to 0 below that); got {eb!r}"
        )
    return Xi


def resolve_eps(eps, Xi, K):
    """Return validated ``eps`` given exactly one of ``eps`` and ``Xi`` (Fock-space localization length).

    Raises
    ------
    ValueError
        If both or neither are given, or if the given one is out of range.
    """
    if (eps is None) == (Xi is None):
        raise ValueError(
            "give exactly one of eps (= 1 - 1/(Xi ln K), in (-inf, 1)) and Xi (the Fock-space "
            f"localization length, > 0); got eps={eps!r}, Xi={Xi!r}"
        )
    if eps is not None:
        check_branching("K", K)          # unused here, but a bad K is an error, not silently ignored
        return check_eps(eps)
    return eps_from_Xi(Xi, K)


@dataclass(frozen=True)
class Parameters:
    """A validated set of the paper's model parameters.

    Any subset may be given; omitted parameters stay ``None``.  All energies
    share one unit (the chapters use :math:`\\delta_m = 1` in Secs. IV-V and
    :math:`\\Delta = 1` or :math:`\\Gamma_b = 1` in Sec. II).

    Attributes
    ----------
    gamma : float
        System-bath (Sec. II, Eq. 4) or inter-dot (Sec. IV C) coupling
        :math:`\\gamma > 0`.
    W : float
        Bath bandwidth :math:`W > 0` (Sec. II A).
    Delta : float
        Typical l-bit flip energy / single-particle level spacing
        :math:`\\Delta > 0`.
    xi : float
        Real-space localization length :math:`\\xi > 0`.
    Xi : float
        Fock-space localization length :math:`\\Xi > 0`.  Give ``Xi`` or
        ``eps``, not both; the other is derived using ``K``.
    eps : float
        :math:`\\varepsilon = 1 - 1/(\\Xi\\ln K) < 1`.
    K : float
        Fock-space Cayley-tree branching :math:`K = g^3/6 > 1` (Sec. IV B).
    N : int
        Number of single-particle levels on a dot, integer :math:`\\ge 1`.
    s : float
        Entropy per l-bit / degree of freedom :math:`s(T) \\in (0, 1]`.
    d : int
        Spatial dimension, integer :math:`\\ge 1`.
    delta_m : float
        Accessible (three-particle) level spacing :math:`\\delta_m > 0`.

    Examples
    --------
    >>> p = Parameters(gamma=0.1, K=3, N=10, s=0.5, d=1, eps=0.5)
    >>> round(p.Xi, 6)
    1.820478
    >>> Parameters(K=1)
    Traceback (most recent call last):
    ...
    ValueError: K must be a finite real number in (1, inf); got 1.0
    """

    gamma: float | None = None
    W: float | None = None
    Delta: float | None = None
    xi: float | None = None
    Xi: float | None = None
    eps: float | None = None
    K: float | None = None
    N: int | None = None
    s: float | None = None
    d: int | None = None
    delta_m: float | None = None

    def __post_init__(self):
        for name in ("gamma", "W", "Delta", "xi", "Xi", "eps", "K", "s", "delta_m"):
            value = getattr(self, name)
            if value is None or isinstance(value, str):
                continue  # strings are refused by the checks below
            try:
                scalar = np.ndim(value) == 0
            except Exception:  # ragged nested lists
                scalar = False
            if not scalar:
                raise ValueError(
                    f"{name} must be a single real number (Parameters holds scalars); got {_show(value)}"
                )
        checks = {
            "gamma": check_positive,
            "W": check_positive,
            "Delta": check_positive,
            "xi": check_positive,
            "Xi": check_positive,
            "delta_m": check_positive,
            "K": check_branching,
            "s": check_unit_interval,
        }
        for name, check in checks.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(check(name, value)))
        if self.N is not None:
            object.__setattr__(self, "N", check_positive_int("N", self.N))
        if self.d is not None:
            object.__setattr__(self, "d", check_dimension(self.d))
        if self.eps is not None:
            object.__setattr__(self, "eps", float(check_eps(self.eps)))
        if self.Xi is not None and self.eps is not None:
            raise ValueError(f"give Xi or eps, not both; got Xi={self.Xi!r}, eps={self.eps!r}")
        if self.K is not None:
            if self.Xi is not None:
                object.__setattr__(self, "eps", float(eps_from_Xi(self.Xi, self.K)))
            elif self.eps is not None:
                object.__setattr__(self, "Xi", float(Xi_from_eps(self.eps, self.K)))
        elif self.eps is not None:
            raise ValueError("eps needs K to define Xi = 1/((1 - eps) ln K); give K as well")

    def as_dict(self):
        """The parameters that are set, as a plain dict."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    def replace(self, **changes):
        """A copy with some parameters changed (validated again).

        Changing ``Xi`` (or ``eps``) recomputes the other one; changing ``K``
        keeps ``eps`` and recomputes ``Xi``; changing anything else keeps both.

        Raises
        ------
        ValueError
            For an unknown parameter name or an invalid value.
        """
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {unknown}; Parameters has {list(self.__dataclass_fields__)}"
            )
        base = self.as_dict()
        # exactly one of Xi and eps is passed on (both are stored once K is known)
        if "Xi" in changes:
            base.pop("eps", None)
        elif "eps" in changes or "eps" in base:
            base.pop("Xi", None)
        base.update(changes)
        return replace(Parameters(), **base)


# Names before version 0.2 (one spelling per symbol, CHANGELOG.md): still served, with a
# DeprecationWarning.
__getattr__ = module_getattr(__name__, globals(), {'eps_from_xi': 'eps_from_Xi', 'xi_from_eps': 'Xi_from_eps'})
