"""Benchmark: the Fig. 5 phase diagram on a 200 x 200 grid.

One "run" = the phase of every point of a 200 x 200 grid in
(x = 1/Xi - ln K, gamma/delta_m) from ln F(0+) (``ln_F_zero_table``) plus the
boundary gamma_c at the 200 values of x (``critical_coupling``), for K = 3,
N = 10, s = 0.5, d = 1.  Target: <= 2 s per run.  Prints median / min / max
of the runs, per reading of Eqs. (19)-(20).

    .venv/bin/python benchmarks/bench_phase_diagram.py [--runs 7]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from nblm_helpers import meanfield

PARS = dict(K=3, N=10, s=0.5, d=1)


def fig5_grid(sum_range, nfast, n=200):
    ell = math.log(PARS["K"])
    x = np.linspace(-0.3, 0.6, n)
    gamma = np.logspace(-6, -1e-3, n)
    eps = -x / ell
    lnF0 = meanfield.ln_F_zero_table(gamma=gamma[:, None], eps=eps[None, :], sum_range=sum_range, nfast=nfast,
                                     **PARS)
    gc = meanfield.critical_coupling(eps=eps, sum_range=sum_range, nfast=nfast, **PARS)
    return lnF0 > 0, gc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if args.runs < 5:
        ap.error("--runs must be >= 5")
    print(f"Fig. 5 phase diagram, 200 x 200 grid, {PARS}, {args.runs} runs (after one warm-up)")
    for sr in meanfield.SUM_RANGES:
        for nf in meanfield.NFAST_READINGS:
            fig5_grid(sr, nf)  # warm-up
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                metal, gc = fig5_grid(sr, nf)
                times.append(time.perf_counter() - t0)
            print(f"  sum_range={sr:8s} nfast={nf:10s}  median {statistics.median(times):.3f} s  "
                  f"min {min(times):.3f} s  max {max(times):.3f} s   (metal fraction {metal.mean():.3f})")


if __name__ == "__main__":
    main()
