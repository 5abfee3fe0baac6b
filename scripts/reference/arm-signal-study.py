"""Can a campaign tell its good query strategies from its bad ones while it runs? (docs/bandit.md)

For `auto` to follow the best arm, each arm's picks must earn a reward that ranks the arms the way their
learning curves do, from what a campaign knows: its own labels, no evaluation set. This study measures, along a
margin-driven campaign on a `kgal simulate --out` directory (campaign.json + embeddings.f32, repeat 0's initial
set, kgal's classifier: logistic regression, C = 1), at every `--every` labels:

  each arm (margin, entropy, random, coreset = k-center greedy) proposes `--slice` items; for each arm one model
  is fitted on the labels so far plus that arm's slice, and compared with the model without it on
    truth:          accuracy and mean log-likelihood on the evaluation split (what a campaign cannot see)
    pool change:    the share of unlabeled items whose predicted class changes (label-free)
    next batch:     accuracy and log-likelihood on the next 50 margin picks, labeled (what the next round gives)
    random audit:   log-likelihood on 50 random unlabeled items, labeled (what a held-out audit would give)

and prints the per-round values and the mean over rounds (percentage points). A reward is usable when it ranks
the arms as the truth's accuracy does, on every pool, without favouring the arm that chose its evaluation items.

    python3 arm-signal-study.py <simulation dir> [--slice 10] [--every 100] [--budget 1000]

Run it with the modAL reference venv (scikit-learn): "$(bash scripts/reference/modal-venv.sh)" scripts/reference/arm-signal-study.py DIR
"""
import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")
SIGNALS = ["truth acc", "truth loglik", "pool change", "next-batch acc", "next-batch loglik", "random-audit loglik"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--slice", type=int, default=10)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--budget", type=int, default=1000)
    args = parser.parse_args()
    spec = json.loads((args.directory / "campaign.json").read_text())
    pool_labels, eval_labels = spec["pool"]["labels"], spec["eval"]["labels"]
    classes = sorted(set(pool_labels) | set(eval_labels))
    index = {c: i for i, c in enumerate(classes)}
    y_pool = np.array([index[c] for c in pool_labels])
    y_eval = np.array([index[c] for c in eval_labels])
    dim = spec["embeddings"]["dim"]
    vectors = np.fromfile(args.directory / spec["embeddings"]["file"], dtype="<f4").reshape(-1, dim)
    X_pool, X_eval = vectors[: len(pool_labels)], vectors[len(pool_labels) : len(pool_labels) + len(eval_labels)]
    row_of = {item: r for r, item in enumerate(spec["pool"]["ids"])}
    labeled = [row_of[i] for i in spec["repeats"][0]["initial"]]
    rng = np.random.default_rng(1)

    def fit(rows):
        return LogisticRegression(C=1.0, max_iter=500).fit(X_pool[rows], y_pool[rows])

    def probabilities(model, X):
        full = np.full((len(X), len(classes)), 1e-9)
        full[:, model.classes_] = model.predict_proba(X)
        return full / full.sum(1, keepdims=True)

    def accuracy_loglik(model, X, y):
        P = probabilities(model, X)
        return (P.argmax(1) == y).mean(), np.log(P[np.arange(len(y)), y]).mean()

    def by_margin(model, rows):
        P = np.sort(probabilities(model, X_pool[rows]), 1)
        return rows[np.argsort(P[:, -1] - P[:, -2], kind="stable")]

    def proposals(model, rows, L):
        P = probabilities(model, X_pool[rows])
        distance = (1 - X_pool[rows] @ X_pool[L].T).min(1)
        coreset = []
        for _ in range(args.slice):
            j = int(distance.argmax())
            coreset.append(rows[j])
            distance = np.minimum(distance, 1 - X_pool[rows] @ X_pool[rows[j]])
        return {
            "margin": by_margin(model, rows)[: args.slice],
            "entropy": rows[np.argsort((P * np.log(P)).sum(1), kind="stable")[: args.slice]],
            "random": rng.choice(rows, args.slice, replace=False),
            "coreset": np.array(coreset),
        }

    totals: dict[str, list[list[float]]] = {}
    while len(labeled) < args.budget:
        L = np.array(labeled)
        model = fit(L)
        unlabeled = np.setdiff1d(np.arange(len(y_pool)), L)
        if len(labeled) > len(spec["repeats"][0]["initial"]) and (len(labeled) - len(spec["repeats"][0]["initial"])) % args.every == 0:
            picks = proposals(model, unlabeled, L)
            rest = np.setdiff1d(unlabeled, np.concatenate(list(picks.values())))
            next_batch = by_margin(model, rest)[:50]
            audit = rng.choice(rest, 50, replace=False)
            base = [accuracy_loglik(model, X_eval, y_eval), accuracy_loglik(model, X_pool[next_batch], y_pool[next_batch]), accuracy_loglik(model, X_pool[audit], y_pool[audit])]
            base_predictions = probabilities(model, X_pool[rest]).argmax(1)
            line = [f"labels {len(labeled)}, accuracy {100 * base[0][0]:.1f}:"]
            for arm, slice_rows in picks.items():
                grown = fit(np.concatenate([L, slice_rows]))
                truth = accuracy_loglik(grown, X_eval, y_eval)
                nxt = accuracy_loglik(grown, X_pool[next_batch], y_pool[next_batch])
                aud = accuracy_loglik(grown, X_pool[audit], y_pool[audit])
                change = (probabilities(grown, X_pool[rest]).argmax(1) != base_predictions).mean()
                values = [truth[0] - base[0][0], truth[1] - base[0][1], change, nxt[0] - base[1][0], nxt[1] - base[1][1], aud[1] - base[2][1]]
                values = [100 * v for v in values]
                totals.setdefault(arm, []).append(values)
                line.append(f"{arm} " + " ".join(f"{v:+.2f}" for v in values))
            print(" | ".join(line), file=sys.stderr, flush=True)
        labeled += by_margin(model, unlabeled)[:50].tolist()

    print(f"{args.directory.name}: mean over {len(next(iter(totals.values())))} rounds, percentage points (slice {args.slice})")
    print("| arm | " + " | ".join(SIGNALS) + " |")
    print("|---|" + "---:|" * len(SIGNALS))
    for arm, rows in totals.items():
        print(f"| {arm} | " + " | ".join(f"{v:+.2f}" for v in np.mean(rows, 0)) + " |")


if __name__ == "__main__":
    main()
