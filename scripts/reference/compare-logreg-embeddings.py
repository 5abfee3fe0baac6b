"""scikit-learn's side of the classifier sanity check on real embeddings (docs/model-classifier.md).

Fits LogisticRegression(C=1, solver='lbfgs') on embeddings stored as raw little-endian float32 (N x dims,
row-major, no header) with labels from a JSON file, and prints the test accuracy. scripts/compare-logreg.ts
does the same with kgal's trainer on the same files and the same split (and with --sklearn runs this script
too, so both numbers come out of one run).

    scripts/reference/sklearn-logreg.sh --python scripts/reference/compare-logreg-embeddings.py \\
        --embeddings emb.f32 --dims 384 --labels labels.json [--seed 1 --test-fraction 0.2 | --train-idx a.json --test-idx b.json]

labels.json: a JSON array (one label per embedding row, strings or integers) or {"labels": [...]}. Classes
are the distinct labels in sorted order. --train-idx/--test-idx: JSON arrays of row indices.

The seeded split is defined so that Python and TypeScript compute it identically: every row i gets the key
fmix32(seed * 0x9E3779B1 + i * 0x85EBCA77 mod 2^32) (MurmurHash3's finaliser); within each class, rows are
ordered by (key, i) and the first round(test_fraction * class size) are test rows, the rest train rows.
--train-limit N keeps the N train rows with the smallest (key, i): a smaller labeled set, same test set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib.metadata import version

import numpy as np

M32 = 0xFFFFFFFF


def fmix32(h: int) -> int:
    h &= M32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def split_key(seed: int, i: int) -> int:
    return fmix32(seed * 0x9E3779B1 + i * 0x85EBCA77)


def seeded_split(y: np.ndarray, seed: int, test_fraction: float) -> tuple[list[int], list[int]]:
    train: list[int] = []
    test: list[int] = []
    for c in np.unique(y):
        rows = sorted((split_key(seed, int(i)), int(i)) for i in np.flatnonzero(y == c))
        n_test = int(np.floor(test_fraction * len(rows) + 0.5))
        test.extend(i for _, i in rows[:n_test])
        train.extend(i for _, i in rows[n_test:])
    return sorted(train), sorted(test)


def load_labels(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict):
        data = data["labels"]
    if not isinstance(data, list):
        raise SystemExit(f"{path}: expected a JSON array of labels or {{\"labels\": [...]}}")
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embeddings", required=True)
    ap.add_argument("--dims", type=int, default=384)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--train-idx")
    ap.add_argument("--test-idx")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--train-limit", type=int)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--json", action="store_true", help="print one JSON object (with test predictions) instead of text")
    args = ap.parse_args()

    X = np.fromfile(args.embeddings, dtype="<f4")
    if X.size % args.dims != 0:
        raise SystemExit(f"{args.embeddings}: {X.size} floats is not a multiple of --dims {args.dims}")
    X = X.reshape(-1, args.dims)
    raw = load_labels(args.labels)
    if len(raw) != X.shape[0]:
        raise SystemExit(f"{len(raw)} labels for {X.shape[0]} embeddings")
    classes = sorted(set(raw))
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[v] for v in raw], dtype=np.int64)

    if (args.train_idx is None) != (args.test_idx is None):
        raise SystemExit("give both --train-idx and --test-idx, or neither (seeded split)")
    if args.train_idx is not None:
        with open(args.train_idx, encoding="utf-8") as f:
            train = [int(i) for i in json.load(f)]
        with open(args.test_idx, encoding="utf-8") as f:
            test = [int(i) for i in json.load(f)]
        split = f"files {args.train_idx} / {args.test_idx}"
    else:
        train, test = seeded_split(y, args.seed, args.test_fraction)
        split = f"seeded stratified (seed {args.seed}, test fraction {args.test_fraction})"
    if args.train_limit is not None:
        train = sorted(sorted(train, key=lambda i: (split_key(args.seed, i), i))[: args.train_limit])

    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=args.C, solver="lbfgs", tol=args.tol, max_iter=args.max_iter)
    # Float64 like kgal's trainer (float32 -> float64 is exact).
    Xtr = X[train].astype(np.float64)
    t0 = time.perf_counter()
    clf.fit(Xtr, y[train])
    fit_s = time.perf_counter() - t0
    pred = clf.predict(X[test].astype(np.float64))
    acc = float(np.mean(pred == y[test]))
    result = {
        "implementation": f"scikit-learn {version('scikit-learn')}",
        "split": split,
        "train": len(train),
        "test": len(test),
        "classes": len(classes),
        "C": args.C,
        "tol": args.tol,
        "accuracy": acc,
        "n_iter": int(clf.n_iter_[0]),
        "fit_seconds": fit_s,
    }
    if args.json:
        result["test_indices"] = [int(i) for i in test]
        result["predictions"] = [int(p) for p in pred]
        result["probabilities"] = clf.predict_proba(X[test].astype(np.float64)).tolist()
        print(json.dumps(result))
    else:
        print(
            f"sklearn: accuracy {acc:.4f} on {len(test)} test rows ({len(train)} train, {len(classes)} classes, "
            f"C={args.C}, n_iter={result['n_iter']}, fit {fit_s:.2f}s; split {split})"
        )


if __name__ == "__main__":
    sys.exit(main())
