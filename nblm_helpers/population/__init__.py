"""Population dynamics for distributions (issue 15), validated on the Anderson model on the Bethe lattice.

Beyond the paper: Gopalakrishnan & Nandkishore (2014) solve for one typical linewidth; a
population of values represents a whole distribution.  One concept per module:

* :mod:`.bethe` -- the Anderson model on the Bethe lattice at real energy:
  :func:`anderson_bethe_lyapunov` (the growth rate :math:`\\Lambda(\\beta)` of the linearized
  recursion for the imaginary parts, :class:`LyapunovResult`) and
  :func:`anderson_bethe_critical_disorder` (:math:`W_c` where :math:`\\Lambda(1/2) = 0`; 18.17 for
  branching 2);
* :mod:`.dots` -- the nearly-localized metal with a distribution of linewidths (the paper's
  Eqs. 17-20 with each bath line's own width, optionally random detunings and a spread of
  :math:`\\varepsilon`): :func:`stationary_linewidths` (:class:`LinewidthDistribution`, the stationary
  :math:`P(\\ln\\Gamma)`), :func:`linearized_growth` (:math:`\\Lambda(\\beta)` at :math:`\\Gamma \\to 0`),
  :func:`distribution_transition` (:class:`DistributionTransition`, where :math:`\\min_\\beta\\Lambda = 0`,
  against the paper's :math:`F(0^+) = 1`) and :func:`tail_exponent` (Hill);
* private ``_kernels`` -- generic, model-free kernels: log-weights, systematic resampling,
  effective sample size, batch-means errors, clipping away from zero.

Physics only: no matplotlib, no ipywidgets (a ``progress(done, total)`` callback reports long runs).
"""

from .bethe import (
    MAX_POPULATION,
    MAX_WORK,
    LyapunovResult,
    anderson_bethe_critical_disorder,
    anderson_bethe_lyapunov,
)
from .dots import (
    DistributionTransition,
    LinewidthDistribution,
    distribution_transition,
    linearized_growth,
    stationary_linewidths,
    tail_exponent,
)

__all__ = ["LyapunovResult", "anderson_bethe_lyapunov", "anderson_bethe_critical_disorder", "MAX_WORK",
           "MAX_POPULATION", "LinewidthDistribution", "DistributionTransition", "stationary_linewidths",
           "linearized_growth", "distribution_transition", "tail_exponent"]
