"""From the exact dot to the mean field: (Xi_ED, K_ED) as the inputs of :mod:`nblm_helpers.meanfield`.

The mean-field theory (Secs. IV-V) takes the Fock-space localization length :math:`\\Xi` and
the branching :math:`K` as given; :func:`meanfield_parameters` turns the estimates of
:func:`~nblm_helpers.agkl.fock_statistics` into a validated
:class:`~nblm_helpers.parameters.Parameters` (which computes
:math:`\\varepsilon = 1 - 1/(\\Xi\\ln K)` with :func:`~nblm_helpers.parameters.eps_from_Xi`),
ready for ``meanfield.MeanFieldModel.from_parameters``.
"""

from __future__ import annotations

import math
import warnings

from ..parameters import Parameters, ValidityWarning, check_positive, check_scalar
from ._checks import check_filling

__all__ = ["meanfield_parameters", "MIN_GENERATIONS"]

#: Fewest Cayley-tree generations across the Fock hypercube (min(m, N - m)/2 four-index moves) for
#: which :func:`meanfield_parameters` does not warn.
MIN_GENERATIONS = 4


def meanfield_parameters(Xi, K, *, n_levels, n_particles, gamma=None, s=None, d=None):
    """The mean-field parameters of a dot with measured :math:`\\Xi_{ED}` and :math:`K_{ED}`.

    Parameters
    ----------
    Xi : float
        Fock-space localization length, > 0 (e.g. ``FockStatistics.Xi``).
    K : float
        Branching, > 1 (e.g. ``FockStatistics.K``); :math:`\\varepsilon` is undefined for K <= 1.
    n_levels, n_particles : int
        The dot; ``n_levels`` becomes the paper's N (levels per dot, Eqs. 20, 24, 27).
    gamma, s, d : float, float, int, optional
        The inter-dot coupling, entropy per level and dimension, passed on to ``Parameters``.

    Returns
    -------
    nblm_helpers.parameters.Parameters
        With ``Xi``, ``K``, ``eps`` = 1 - 1/(Xi ln K), ``N`` = n_levels and the optional ones.

    Raises
    ------
    ValueError
        For Xi <= 0 or K <= 1 (naming them), or any other parameter out of range.

    Warns
    -----
    ValidityWarning
        When the dot is too small for the Cayley-tree picture: fewer than :data:`MIN_GENERATIONS`
        generations across its Fock space, or a tree of K branches that outgrows the Fock space
        within the diameter (K^generations > dimension: loops matter).
    """
    n, m = check_filling(n_levels, n_particles)
    Xi_f = check_scalar(check_positive, "Xi", Xi)
    p = Parameters(Xi=Xi_f, K=K, N=n, gamma=gamma, s=s, d=d)
    gens = min(m, n - m) / 2.0
    dim = math.comb(n, m)
    problems = []
    if gens < MIN_GENERATIONS:
        problems.append(f"its Fock space is {gens:g} generations across (< {MIN_GENERATIONS})")
    if gens * math.log(p.K) > math.log(dim):
        problems.append(f"a tree of K = {p.K:.3g} branches outgrows its {dim} configurations within {gens:g} generations")
    if problems:
        warnings.warn(f"n_levels = {n}, n_particles = {m} is too small for the Cayley-tree picture of Sec. IV B: "
                      + "; ".join(problems), ValidityWarning, stacklevel=2)
    return p
