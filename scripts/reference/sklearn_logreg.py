"""Reference fits for kgal's logistic regression, computed by scikit-learn itself.

Writes tests/fixtures/sklearn-logreg.json: two fixed synthetic datasets (seeded numpy RNG, values rounded to
6 decimals so JSON holds them exactly; `datasets`), scikit-learn's LogisticRegression(C, solver='lbfgs', tol=1e-8,
max_iter=5000) coefficients, intercepts and predict_proba on a held-out set, for the `cases`:

- multiclass:        4 classes, 300x20 train, 60x20 test, C=1 (softmax objective, the same as kgal's)
- multiclass_c01:    the same data with C=0.1
- weighted:          the same data, C=1, integer sample weights in {0,1,2,3} (zeros included)
- binary_c1/_c2:     2 classes, 200x10 train, 40x10 test, C=1 and C=2 (scikit-learn's binary model has
                     one logit; kgal's softmax with C equals it with 2C, see docs/model-classifier.md)

Run through scripts/reference/sklearn-logreg.sh (it makes the pinned venv); tests/logistic-regression.test.ts
compares kgal's trainer with these numbers.
"""

from __future__ import annotations

import json
import platform
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

SEED = 20240917
TOL = 1e-8
MAX_ITER = 5000
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "sklearn-logreg.json"


def blobs(rng: np.random.Generator, n: int, d: int, k: int, spread: float, means: np.ndarray | None = None):
    """Gaussian classes around random means (overlapping, so the problem is not separable)."""
    if means is None:
        means = rng.normal(0.0, 1.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = means[y] + rng.normal(0.0, spread, size=(n, d))
    return np.round(X, 6), y.astype(np.int64), means


def normalised_gradient_inf(clf: LogisticRegression, X: np.ndarray, y: np.ndarray, sw: np.ndarray) -> float:
    """max |grad| of scikit-learn's normalised objective at its solution (how tightly it converged)."""
    s = sw.sum()
    if clf.coef_.shape[0] == 1:  # binary: one logit
        z = X @ clf.coef_[0] + clf.intercept_[0]
        p = 1.0 / (1.0 + np.exp(-z))
        r = sw * (p - (y == clf.classes_[1]))
        gw = X.T @ r / s + clf.coef_[0] / (clf.C * s)
        gb = r.sum() / s
        return float(max(np.abs(gw).max(), abs(gb)))
    Z = X @ clf.coef_.T + clf.intercept_
    Z -= Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    Y = np.eye(len(clf.classes_))[np.searchsorted(clf.classes_, y)]
    R = sw[:, None] * (P - Y)
    GW = R.T @ X / s + clf.coef_ / (clf.C * s)
    gb = R.sum(axis=0) / s
    return float(max(np.abs(GW).max(), np.abs(gb).max()))


def fit_case(name: str, dataset: str, X, y, Xt, C: float, sw=None) -> dict:
    clf = LogisticRegression(C=C, solver="lbfgs", tol=TOL, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would make the reference worthless
        clf.fit(X, y, sample_weight=sw)
    weights = np.ones(len(y)) if sw is None else np.asarray(sw, dtype=float)
    return {
        "name": name,
        "C": C,
        "classes": int(len(clf.classes_)),
        "dataset": dataset,
        **({"sample_weight": [float(w) for w in sw]} if sw is not None else {}),
        "coef": clf.coef_.tolist(),
        "intercept": clf.intercept_.tolist(),
        "predict_proba": clf.predict_proba(Xt).tolist(),
        "predict": clf.predict(Xt).tolist(),
        "n_iter": int(clf.n_iter_[0]),
        "max_abs_normalised_gradient": normalised_gradient_inf(clf, X, y, weights),
    }


def main() -> None:
    rng = np.random.default_rng(SEED)
    X4, y4, means4 = blobs(rng, 300, 20, 4, spread=1.6)
    Xt4, _, _ = blobs(rng, 60, 20, 4, spread=1.6, means=means4)
    sw = rng.integers(0, 4, size=len(y4)).astype(float)
    X2, y2, means2 = blobs(rng, 200, 10, 2, spread=1.8)
    Xt2, _, _ = blobs(rng, 40, 10, 2, spread=1.8, means=means2)

    cases = [
        fit_case("multiclass", "blobs4", X4, y4, Xt4, 1.0),
        fit_case("multiclass_c01", "blobs4", X4, y4, Xt4, 0.1),
        fit_case("weighted", "blobs4", X4, y4, Xt4, 1.0, sw),
        fit_case("binary_c1", "blobs2", X2, y2, Xt2, 1.0),
        fit_case("binary_c2", "blobs2", X2, y2, Xt2, 2.0),
    ]
    datasets = {
        "blobs4": {"X": X4.tolist(), "y": y4.tolist(), "test_X": Xt4.tolist()},
        "blobs2": {"X": X2.tolist(), "y": y2.tolist(), "test_X": Xt2.tolist()},
    }
    out = {
        "description": "scikit-learn LogisticRegression reference fits for kgal (scripts/reference/sklearn_logreg.py)",
        "command": "scripts/reference/sklearn-logreg.sh",
        "estimator": f"LogisticRegression(C=case.C, solver='lbfgs', tol={TOL}, max_iter={MAX_ITER}, fit_intercept=True)",
        "seed": SEED,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": version("scikit-learn"),
            "numpy": version("numpy"),
            "scipy": version("scipy"),
        },
        "datasets": datasets,
        "cases": cases,
    }
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    for c in cases:
        print(f"{c['name']}: n_iter={c['n_iter']} max|grad|={c['max_abs_normalised_gradient']:.2e}", file=sys.stderr)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
