"""Exact diagonalization of the AGKL quantum dot, Eq. (14) (issue 14).

The mean-field theory of Secs. IV-V takes the Fock-space branching K = g^3/6 and localization
length Xi as given; this subpackage computes them for small dots (12-16 levels).  Energies are in
units of the mean single-particle level spacing Delta (not delta_m); the normalization and the map
coupling = lambda/Delta <-> 1/g are in :data:`NORMALIZATION`.

Modules, one per concept:

* :mod:`.model` -- :func:`draw_dot` / :class:`AGKLDot` (levels, pair matrix W, tensor V), ``NORMALIZATION``;
* :mod:`.basis` -- the fixed-N Fock basis (bit patterns; bit alpha = level alpha), Hamming distance;
* :mod:`.hamiltonian` -- :func:`hamiltonian`, the sparse many-body matrix (vectorized builder);
* :mod:`.spectrum` -- :func:`spectrum`: dense ``eigh`` up to 3500 states, shift-invert beyond;
* :mod:`.gap_ratio` -- :func:`gap_ratios`, :func:`mean_gap_ratio`, ``R_POISSON``, ``R_GOE``;
* :mod:`.fock` -- :func:`ipr`, :func:`hamming_profile`, :func:`fit_Xi`, :func:`coupled_count`,
  :func:`fock_statistics` (Xi_ED, K_ED with error bars), :func:`K_of_coupling`;
* :mod:`.mapping` -- :func:`meanfield_parameters`: (Xi_ED, K_ED) -> ``Parameters`` for ``meanfield``;
* private ``_checks`` (validation, work limits) and ``_shift_invert`` (dense-LU block Lanczos).

Work limits (``ValueError`` beyond): n_levels in [2, 20]; at most 13 000 Fock states (n_levels =
16 at half filling, ~30 s for 100 eigenpairs); dense spectra up to 3500 states; statistics over
disorder up to about a minute (600 spectra of 924 states, i.e. n_levels = 12 half filled).
"""

from .basis import fock_basis, hamming_distance, occupations
from .fock import (FockStatistics, HammingProfile, K_of_coupling, coupled_count, fit_Xi, fock_statistics,
                   hamming_profile, ipr)
from .gap_ratio import R_GOE, R_POISSON, GapRatio, gap_ratios, mean_gap_ratio
from .hamiltonian import hamiltonian
from .mapping import MIN_GENERATIONS, meanfield_parameters
from .model import NORMALIZATION, AGKLDot, draw_dot, pairs
from .spectrum import Spectrum, spectrum, spectrum_of_dot

__all__ = [
    "NORMALIZATION", "AGKLDot", "draw_dot", "pairs",
    "fock_basis", "occupations", "hamming_distance",
    "hamiltonian",
    "Spectrum", "spectrum", "spectrum_of_dot",
    "R_POISSON", "R_GOE", "GapRatio", "gap_ratios", "mean_gap_ratio",
    "HammingProfile", "FockStatistics", "ipr", "hamming_profile", "fit_Xi", "coupled_count", "fock_statistics",
    "K_of_coupling",
    "MIN_GENERATIONS", "meanfield_parameters",
]

# sweeps over a grid of couplings and energy bins (the chapter "The dot, exactly")
from .sweeps import FockSweep, GapRatioSweep, crossing_coupling, fock_sweep, gap_ratio_sweep  # noqa: E402

__all__ += ["GapRatioSweep", "FockSweep", "gap_ratio_sweep", "fock_sweep", "crossing_coupling"]
