"""Old spellings of renamed keywords, attributes and functions, kept working with a warning.

The package spells each symbol of the paper one way (see the notation page):

* ``Xi`` is the Fock-space localization length :math:`\\Xi`, ``xi`` the
  real-space one :math:`\\xi`;
* ``Gamma`` is a rate or linewidth :math:`\\Gamma`, ``ln_Gamma`` its
  logarithm, ``gamma`` the coupling :math:`\\gamma`.

Version 0.2 renamed what broke that rule (the table is in ``CHANGELOG.md``).
Renamed *functions* and *result fields* keep working under their old names
and emit a :class:`DeprecationWarning` naming the new one.  Renamed
*keywords* do not: a wrapper that translated them would add a frame to every
call and so misplace every ``ValidityWarning`` (which point at the caller's
line); an old keyword is Python's ``TypeError`` ("unexpected keyword
argument 'xi'"), and the changelog gives the new one.
"""

from __future__ import annotations

import warnings

__all__: list[str] = []

#: What the renamed result fields mean, for the warning text (function names speak for themselves).
MEANING = {
    "ln_Gamma": "ln of the linewidth Gamma",
    "Gamma": "the linewidth or rate Gamma",
    "ln_Gamma_dm": "ln(Gamma/delta_m)",
}


def _warn(what: str, old: str, new: str, stacklevel: int) -> None:
    meaning = MEANING.get(new, "")
    warnings.warn(
        f"{what} {old!r} is deprecated; use {new!r}" + (f" ({meaning})" if meaning else "")
        + " -- one spelling per symbol, see the notation page",
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )


def renamed_attributes(**renames: str):
    """Class decorator: read-only properties ``old`` returning ``self.new`` with a warning."""

    def deco(cls):
        for old, new in renames.items():

            def getter(self, _old=old, _new=new):
                _warn(f"{type(self).__name__}: attribute", _old, _new, 2)
                return getattr(self, _new)

            setattr(cls, old, property(getter, doc=f"Deprecated spelling of :attr:`{new}`."))
        return cls

    return deco


def module_getattr(module_name: str, namespace: dict, renames: dict[str, str]):
    """A module ``__getattr__`` that serves the old function names ``renames = {old: new}``."""

    def __getattr__(name):
        if name in renames:
            _warn(f"{module_name}:", name, renames[name], 2)
            return namespace[renames[name]]
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
