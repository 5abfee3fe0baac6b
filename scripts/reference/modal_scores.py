"""Reference numbers for kgal's score functions, computed by modAL itself.

Writes tests/fixtures/modal-scores.json: fixed probability matrices (seeded numpy RNG), committees and
embeddings, and what modAL's own functions return on them. Run through scripts/reference/modal-scores.sh
(it makes the pinned venv); tests/strategies.test.ts compares kgal's functions with these numbers.

modAL's functions take fitted estimators, not matrices: FixedProba is a stand-in estimator whose
predict_proba returns rows of a fixed matrix (X holds row indices) and whose predict is the class of the
first maximum (what sklearn classifiers do). The committee scores run through a real
modAL.models.Committee over real modAL.models.ActiveLearner objects wrapping those stand-ins, so the
code under test is modAL's own (Committee.vote / vote_proba / predict_proba / classes_).
"""

from __future__ import annotations

import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy.stats import entropy
from sklearn.metrics.pairwise import cosine_similarity

from modAL.density import information_density
from modAL.disagreement import (KL_max_disagreement, consensus_entropy, consensus_entropy_sampling,
                                max_disagreement_sampling, vote_entropy, vote_entropy_sampling)
from modAL.models import ActiveLearner, Committee
from modAL.uncertainty import (classifier_entropy, classifier_margin, classifier_uncertainty,
                               entropy_sampling, margin_sampling, uncertainty_sampling)

SEED = 20240611
TOP_K = 10
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "modal-scores.json"


class FixedProba:
    """A fitted classifier as far as modAL can tell: rows of a fixed probability matrix."""

    def __init__(self, proba: np.ndarray) -> None:
        self.proba = proba
        self.classes_ = np.arange(proba.shape[1])

    def _rows(self, X: np.ndarray) -> np.ndarray:
        return self.proba[np.asarray(X)[:, 0].astype(int)]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self._rows(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        # sklearn's ClassifierMixin: classes_[argmax], argmax takes the first maximum
        return self.classes_[np.argmax(self._rows(X), axis=1)]

    def fit(self, X, y):  # never called (ActiveLearner without training data does not fit)
        raise AssertionError("FixedProba is not trainable")


def row_index_X(n: int) -> np.ndarray:
    return np.arange(n, dtype=float).reshape(n, 1)


def sig12(v: float) -> float:
    """Rounded to 12 significant digits, as JavaScript's Number(v.toPrecision(12))."""
    return float(f"{v:.11e}")


def stable_top(values: np.ndarray, k: int, direction: str) -> list[int]:
    """Top k indices: largest (max) or smallest (min) first, values compared at 12 significant digits,
    ties broken by the lower index. modAL's multi_argmax/argmin returns the same set up to ties, unordered."""
    keys = np.array([sig12(float(v)) for v in values])
    if direction == "max":
        keys = -keys
    order = np.lexsort((np.arange(len(values)), keys))
    return [int(i) for i in order[:k]]


def sampled(fn, model, X: np.ndarray, k: int) -> dict:
    idx, vals = fn(model, X, n_instances=k)
    return {"indices": [int(i) for i in idx], "values": [float(v) for v in vals]}


def dirichlet_rows(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    """Mixed rows: Dirichlet at several concentrations, exact one-hot, near one-hot, exact uniform,
    exact zeros, exact ties for the top class, duplicates."""
    rows = []
    for i in range(n):
        kind = i % 10
        if kind == 0:
            r = np.zeros(c)
            r[rng.integers(c)] = 1.0  # one-hot: entropy 0
        elif kind == 1:
            r = np.full(c, 1e-9)
            r[rng.integers(c)] = 1.0 - 1e-9 * (c - 1)  # near one-hot
        elif kind == 2:
            r = np.full(c, 1.0 / c)  # uniform: entropy ln C, margin 0
        elif kind == 3 and c >= 3:
            r = rng.dirichlet(np.ones(c - 1))
            r = np.concatenate([r, [0.0]])  # an exact zero
            rng.shuffle(r)
        elif kind == 4 and c >= 3:
            r = np.zeros(c)
            j = rng.choice(c, size=3, replace=False)
            r[j[0]] = r[j[1]] = 0.4  # tied top two: margin 0, argmax = first of the two
            r[j[2]] = 0.2
        elif kind == 5 and i >= 10:
            r = rows[i - 10].copy()  # a duplicate of an earlier row: exact score ties
        else:
            alpha = [0.1, 0.5, 1.0, 5.0][int(rng.integers(4))]
            r = rng.dirichlet(np.full(c, alpha))
        rows.append(r)
    return np.array(rows, dtype=np.float64)


def committee_members(rng: np.random.Generator, n: int, c: int, k: int) -> np.ndarray:
    """k members × n × c: members scatter around a shared base row (some agree exactly, some are one-hot)."""
    base = dirichlet_rows(rng, n, c)
    members = np.empty((k, n, c))
    for i in range(n):
        mode = i % 6
        for m in range(k):
            if mode == 0:
                members[m, i] = base[i]  # full agreement: every disagreement score is 0
            elif mode == 1:
                r = np.zeros(c)
                r[rng.integers(c)] = 1.0  # confident members that may disagree: KL can reach ln K
                members[m, i] = r
            else:
                conc = [2.0, 10.0, 50.0][int(rng.integers(3))]
                members[m, i] = rng.dirichlet(conc * base[i] + 0.05)
    return members


def uncertainty_case(name: str, p: np.ndarray, note: str) -> dict:
    clf = FixedProba(p)
    X = row_index_X(p.shape[0])
    k = min(TOP_K, p.shape[0])
    lc = classifier_uncertainty(clf, X)
    mg = classifier_margin(clf, X)
    en = classifier_entropy(clf, X)
    return {
        "name": name,
        "note": note,
        "proba": p.tolist(),
        "modal": {
            "classifier_uncertainty": lc.tolist(),
            "classifier_margin": mg.tolist(),
            "classifier_entropy": en.tolist(),
        },
        "sampling": {
            "uncertainty_sampling": sampled(uncertainty_sampling, clf, X, k),
            "margin_sampling": sampled(margin_sampling, clf, X, k),
            "entropy_sampling": sampled(entropy_sampling, clf, X, k),
        },
        "stableTop": {
            "classifier_uncertainty": stable_top(lc, k, "max"),
            "classifier_margin": stable_top(mg, k, "min"),
            "classifier_entropy": stable_top(en, k, "max"),
        },
    }


def committee_case(name: str, members: np.ndarray) -> dict:
    k_members, n, _ = members.shape
    learners = [ActiveLearner(estimator=FixedProba(members[m])) for m in range(k_members)]
    committee = Committee(learner_list=learners)
    X = row_index_X(n)
    k = min(TOP_K, n)
    ve = vote_entropy(committee, X)
    ce = consensus_entropy(committee, X)
    kl = KL_max_disagreement(committee, X)
    consensus = committee.predict_proba(X)
    # BALD is not in modAL: H(mean p) - mean_k H(p_k) with scipy.stats.entropy (nats), no clamping here
    bald = entropy(consensus, axis=1) - np.mean([entropy(members[m], axis=1) for m in range(k_members)], axis=0)
    return {
        "name": name,
        "members": members.tolist(),
        "modal": {
            "consensus_proba": consensus.tolist(),
            "vote_entropy": ve.tolist(),
            "consensus_entropy": ce.tolist(),
            "KL_max_disagreement": kl.tolist(),
        },
        "scipy": {"mutual_information": bald.tolist()},
        "sampling": {
            "vote_entropy_sampling": sampled(vote_entropy_sampling, committee, X, k),
            "consensus_entropy_sampling": sampled(consensus_entropy_sampling, committee, X, k),
            "max_disagreement_sampling": sampled(max_disagreement_sampling, committee, X, k),
        },
        "stableTop": {
            "vote_entropy": stable_top(ve, k, "max"),
            "consensus_entropy": stable_top(ce, k, "max"),
            "KL_max_disagreement": stable_top(kl, k, "max"),
            "mutual_information": stable_top(bald, k, "max"),
        },
    }


def density_case(rng: np.random.Generator, n: int, d: int) -> dict:
    x = rng.normal(size=(n, d))
    x[: n // 2] /= np.linalg.norm(x[: n // 2], axis=1, keepdims=True)  # half unit vectors, half not
    x[n - 1] = 0.0  # a zero vector: sklearn's cosine similarity 0 with everything but itself (distance 0)
    x[n - 2] = x[3] * 2.5  # same direction as row 3
    x[n - 3] = -x[4]  # opposite direction to row 4
    return {
        "name": f"embeddings-{n}x{d}",
        "embeddings": x.tolist(),
        "modal": {"information_density_cosine": information_density(x, metric="cosine").tolist()},
        "sklearn": {"mean_cosine_similarity": cosine_similarity(x).mean(axis=1).tolist()},
    }


def main() -> None:
    rng = np.random.default_rng(SEED)
    p4 = dirichlet_rows(rng, 50, 4)
    p4_unnormalised = p4 * rng.uniform(0.5, 1.5, size=(50, 1))
    fixture = {
        "about": "modAL reference scores for kgal (tests/strategies.test.ts). Generated; do not edit.",
        "command": "bash scripts/reference/modal-scores.sh",
        "versions": {
            "python": platform.python_version(),
            "modAL-python": version("modAL-python"),
            "scikit-learn": version("scikit-learn"),
            "scipy": version("scipy"),
            "numpy": version("numpy"),
        },
        "seed": SEED,
        "topK": TOP_K,
        "topKRule": "stableTop: largest first (smallest for margin), values rounded to 12 significant "
                    "digits, ties by lower index; sampling: modAL's *_sampling(n_instances=topK), an unordered set",
        "uncertainty": [
            uncertainty_case("c4", p4, "50x4 mixed rows"),
            uncertainty_case("c2", dirichlet_rows(rng, 40, 2), "40x2 mixed rows"),
            uncertainty_case("c7", dirichlet_rows(rng, 60, 7), "60x7 mixed rows"),
            uncertainty_case("c4-unnormalised", p4_unnormalised,
                             "rows of c4 scaled by 0.5..1.5: entropy normalises rows (scipy), LC and margin do not"),
            uncertainty_case("c1", np.ones((6, 1)), "a single class: margin 0 (modAL), entropy 0"),
        ],
        "committee": [
            committee_case("k5-c4", committee_members(rng, 50, 4, 5)),
            committee_case("k5-c2", committee_members(rng, 40, 2, 5)),
            committee_case("k5-c7", committee_members(rng, 60, 7, 5)),
            committee_case("k2-c4", committee_members(rng, 30, 4, 2)),
        ],
        "density": [density_case(rng, 40, 8)],
    }
    OUT.write_text(json.dumps(fixture, indent=1, allow_nan=False) + "\n")
    print(f"modal-scores: wrote {OUT.relative_to(ROOT)} "
          f"(modAL-python {fixture['versions']['modAL-python']}, Python {platform.python_version()})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
