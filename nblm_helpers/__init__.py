"""nblm_helpers: the tested numerics behind the nblm companion book.

Companion to S. Gopalakrishnan and R. Nandkishore, "A mean-field theory of
nearly many-body localized metals", Phys. Rev. B 90, 224203 (2014),
arXiv:1405.1036.

Layers (imports point down only):

* presentation -- :mod:`~nblm_helpers.plotting` (the book's figure style) and
  :mod:`~nblm_helpers.widgets` (static-responsive widgets); generic, they
  never import a physics module;
* physics -- one module per concept, e.g. :mod:`~nblm_helpers.lineshape`
  (Sec. II C), :mod:`~nblm_helpers.meanfield` (Sec. IV-V), on top of
* :mod:`~nblm_helpers.parameters` -- validation and the
  :class:`~nblm_helpers.parameters.ValidityWarning` class.

Beside them, :mod:`~nblm_helpers.sweep` is infrastructure: parameter sweeps of any helper through
any ``concurrent.futures`` executor (serial, process pool, Dask); it imports no physics module, no
physics module imports it, and its progress bar (``widgets.progress`` in a notebook, tqdm
elsewhere) is imported only when asked for.

Submodules are imported explicitly (``from nblm_helpers import meanfield``),
so importing a physics module never pulls in matplotlib or ipywidgets.
"""

from .parameters import Parameters, ValidityWarning

__version__ = "0.2.0"
__all__ = ["Parameters", "ValidityWarning", "__version__"]
