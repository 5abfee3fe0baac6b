"""modAL's side of scripts/bench-select.ts: selection latency of modAL + scikit-learn on kgal's exported pool.

One process per (pool size, method), so that its peak RSS (ru_maxrss, the kernel's high-water mark) is
its own; bench-select.ts starts it through scripts/reference/modal-select-bench.sh (the pinned venv) with
a wall-clock timeout and reads the one JSON line it prints on stdout.

  modal-select-bench.sh --vectors POOL.f32 --meta POOL.meta.json --size 100000 --method ranked|entropy
                        [--n-instances 50] [--repeats 3] [--max-repeat-seconds 30]

Inputs (written by bench-select.ts, the same vectors and labeled set kgal uses):
  POOL.f32        rows x dims float32, little-endian, row-major; the first --size rows are the pool
  POOL.meta.json  {"rows", "dims", "labeledRows": [row...], "labeledLabels": [label...]}

Steps:
  1. X = first --size rows (float32, as kgal has them); labeled = labeledRows; pool = every other row.
  2. fit (timed apart): modAL ActiveLearner(LogisticRegression(C=1.0), X_training=X[labeled], y_training=labels)
     -- sklearn's default lbfgs, multinomial; ActiveLearner fits on construction (firstFitSeconds), then
     learner.estimator.fit(...) again --repeats times (fitSeconds: the median of those warm refits).
  3. the method, timed, `--repeats` times (fewer when one run takes longer than --max-repeat-seconds):
       ranked:  modAL.batch.uncertainty_batch_sampling(learner, X_pool, n_instances)  (Cardoso et al.'s
                ranked batch: least-confidence uncertainty and euclidean distance to labeled + picked rows)
       entropy: modAL.uncertainty.entropy_sampling(learner, X_pool, n_instances)       (top-n entropy)
Output: one JSON line with fitSeconds, firstFitSeconds, seconds (median), runs, rssBeforeMB (VmRSS before the first timed
run), peakRssMB (ru_maxrss at the end: loading + fit + method), picks (first 10 pool-row indices), the
threadpoolctl report and package versions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from importlib.metadata import version

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

from modAL.batch import uncertainty_batch_sampling
from modAL.models import ActiveLearner
from modAL.uncertainty import entropy_sampling


def vm_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vectors", required=True)
    parser.add_argument("--meta", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--method", choices=["ranked", "entropy"], required=True)
    parser.add_argument("--n-instances", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-repeat-seconds", type=float, default=30.0)
    args = parser.parse_args()

    with open(args.meta) as f:
        meta = json.load(f)
    dims = int(meta["dims"])
    if args.size > int(meta["rows"]):
        raise SystemExit(f"--size {args.size} is larger than the exported pool ({meta['rows']} rows)")
    X = np.fromfile(args.vectors, dtype="<f4", count=args.size * dims).reshape(args.size, dims)
    labeled_rows = np.asarray(meta["labeledRows"], dtype=np.int64)
    if labeled_rows.max() >= args.size:
        raise SystemExit("a labeled row lies outside the pool")
    y = np.asarray(meta["labeledLabels"])
    mask = np.zeros(args.size, dtype=bool)
    mask[labeled_rows] = True
    X_labeled = X[labeled_rows]
    X_pool = X[~mask]

    started = time.perf_counter()
    learner = ActiveLearner(estimator=LogisticRegression(C=1.0), X_training=X_labeled, y_training=y)
    first_fit_seconds = time.perf_counter() - started
    fits: list[float] = []
    # Warm refits of the learner's estimator on the same data, as kgal's timed runs are warm. (What the
    # ActiveLearner constructor does; ActiveLearner.fit itself fails on scikit-learn 1.9: modAL 0.4.2.1
    # passes check_X_y the removed force_all_finite argument.)
    for _ in range(max(1, args.repeats)):
        started = time.perf_counter()
        learner.estimator.fit(X_labeled, y)
        fits.append(time.perf_counter() - started)

    rss_before = vm_rss_mb()
    runs: list[float] = []
    picks: list[int] = []
    for _ in range(max(1, args.repeats)):
        started = time.perf_counter()
        if args.method == "ranked":
            result = uncertainty_batch_sampling(learner, X_pool, n_instances=args.n_instances)
        else:
            result = entropy_sampling(learner, X_pool, n_instances=args.n_instances)
        runs.append(time.perf_counter() - started)
        indices = result[0] if isinstance(result, tuple) else result
        picks = [int(i) for i in np.asarray(indices).ravel()]
        if runs[-1] > args.max_repeat_seconds:
            break
    if len(picks) != args.n_instances:
        raise SystemExit(f"{args.method} returned {len(picks)} picks, expected {args.n_instances}")

    print(json.dumps({
        "engine": "modAL",
        "method": args.method,
        "size": args.size,
        "pool": int(X_pool.shape[0]),
        "labeled": int(mask.sum()),
        "dtype": str(X.dtype),
        "fitSeconds": statistics.median(fits),
        "firstFitSeconds": first_fit_seconds,
        "seconds": statistics.median(runs),
        "runs": runs,
        "rssBeforeMB": rss_before,
        "peakRssMB": peak_rss_mb(),
        "cpuSeconds": cpu_seconds(),
        "picks": picks[:10],
        "threadpool": threadpool_info(),
        "openblasEnv": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "versions": {name: version(name) for name in ("modAL-python", "scikit-learn", "numpy", "scipy", "threadpoolctl")},
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }))


if __name__ == "__main__":
    main()
