"""modAL's side of `kgal simulate`: the same campaign (embeddings, splits, seeds, initial sets, budget, batch)
run with modAL + scikit-learn, written as <dir>/modal-rounds.csv in kgal's round-row format
(src/simulation/round-row.ts), so the summary and the charts put both side by side.

    scripts/reference/modal-simulate.sh <dir> [--strategies modal-entropy,modal-random] [--out FILE]

<dir> is a `kgal simulate --out` directory:
  campaign.json   {"dataset", "budget", "batch", "initial", "pool": {"ids", "labels"}, "eval": {"ids", "labels"},
                   "repeats": [{"repeat", "seed", "initial": [pool id, ...]}],
                   "embeddings": {"file": "embeddings.f32", "dim", "rows"}}
  embeddings.f32  little-endian float32, row-major: the pool rows in pool.ids order, then the eval rows in
                  eval.ids order (rows = len(pool.ids) + len(eval.ids)).

Strategies, per repeat (both start from that repeat's initial labeled set):
  modal-entropy  modAL.models.ActiveLearner(estimator=LogisticRegression(...), query_strategy=
                 modAL.uncertainty.entropy_sampling); each round learner.query(unlabeled pool, n_instances=batch),
                 then learner.teach(picked rows, oracle labels) (modAL refits on everything labeled so far).
  modal-random   the same ActiveLearner with a query strategy that draws `batch` unlabeled rows uniformly
                 without replacement from numpy.random.default_rng(repeat seed) (one generator per repeat).
Rounds run until `budget` labels (the last batch is cut to fit). Round 0 is the initial set; every row is
evaluated on the eval split: sklearn.metrics accuracy_score and f1_score(average='macro', zero_division=0)
(macro over the labels present in the eval split or predicted). millis = wall time of query + teach.

The estimator is the one kgal's classifier matches (docs/model-classifier.md): LogisticRegression(C=
campaign.json's `classifier.C` (default 1.0), solver='lbfgs', tol=1e-6, max_iter=1000), L2, multinomial (the
only multiclass mode of lbfgs), on float64 copies of the float32 embeddings. One adjustment: while only two classes are labeled, scikit-learn fits its
one-logit binary model, which equals kgal's two-column softmax at 2C, so the fit uses 2C then.

Cold start and one-class sets: a LogisticRegression needs two labeled classes, and modAL's entropy_sampling
needs a fitted estimator. Until the labeled set holds two classes, both strategies query a random batch
(the repeat's generator; for modal-entropy a separate default_rng(seed) stream), and a round without a
model is evaluated as kgal evaluates it: every eval item predicted as the only labeled class, or as nothing
with no labels (accuracy 0, macro-F1 0). kgal's presets pick the cold-start batch by graph coverage + density
instead (docs/selector.md), so cold-start rounds differ by design.

Compatibility: modAL 0.4.2.1 (its latest release) passes `force_all_finite` to sklearn's check_X_y, which
scikit-learn 1.8 renamed to `ensure_all_finite`; teach() fails without the small shim below, which only
renames that argument.

Progress goes to stderr; a bad directory exits with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.utils import check_X_y

import modAL.models.learners as modal_learners
from modAL.models import ActiveLearner
from modAL.uncertainty import entropy_sampling

# Column order of src/simulation/round-row.ts ROUND_COLUMNS (the shared contract).
ROUND_COLUMNS = [
    "strategy",
    "repeat",
    "seed",
    "round",
    "labels",
    "accuracy",
    "macroF1",
    "centralityCoverage",
    "entityCoverage",
    "goldEntityCoverage",
    "goldTripleCoverage",
    "goldTripleEndpointCoverage",
    "millis",
]
STRATEGIES = ("modal-entropy", "modal-random")
C_REG = 1.0
TOL = 1e-6
MAX_ITER = 1000


class CampaignError(Exception):
    """A missing or inconsistent campaign directory (reported in one line, exit status 2)."""


def _check_X_y_compat(*args, force_all_finite=True, **kwargs):
    """modAL 0.4.2.1 calls check_X_y(force_all_finite=...); scikit-learn >= 1.8 calls it ensure_all_finite."""
    return check_X_y(*args, ensure_all_finite=force_all_finite, **kwargs)


modal_learners.check_X_y = _check_X_y_compat


class KgalLogisticRegression(LogisticRegression):
    """LogisticRegression with kgal's objective: with exactly two classes labeled, scikit-learn's one-logit model
    at 2C equals kgal's two-column softmax at C (docs/model-classifier.md, "Binary case")."""

    def fit(self, X, y, sample_weight=None):
        base_c = self.C
        if len(np.unique(y)) == 2:
            self.C = 2.0 * base_c
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # counted by the caller via n_iter_
                return super().fit(X, y, sample_weight=sample_weight)
        finally:
            self.C = base_c


def new_estimator(c_reg: float) -> KgalLogisticRegression:
    return KgalLogisticRegression(C=c_reg, solver="lbfgs", tol=TOL, max_iter=MAX_ITER)


# ---------------------------------------------------------------------------------------------- campaign


class Campaign:
    def __init__(self, directory: Path):
        self.directory = directory
        spec = read_campaign_json(directory / "campaign.json")
        self.dataset = str(spec.get("dataset", directory.name))
        self.budget = positive_int(spec, "budget")
        self.batch = positive_int(spec, "batch")
        self.pool_ids, pool_labels = id_label_lists(spec, "pool")
        self.eval_ids, eval_labels = id_label_lists(spec, "eval")
        if len(set(self.pool_ids)) != len(self.pool_ids):
            raise CampaignError("campaign.json: pool.ids has duplicates")
        self.classes = sorted(set(pool_labels) | set(eval_labels))
        index = {c: k for k, c in enumerate(self.classes)}
        self.y_pool = np.array([index[c] for c in pool_labels], dtype=np.int64)
        self.y_eval = np.array([index[c] for c in eval_labels], dtype=np.int64)
        self.X_pool, self.X_eval = read_embeddings(directory, spec, len(self.pool_ids), len(self.eval_ids))
        self.repeats = read_repeats(spec, {pid: row for row, pid in enumerate(self.pool_ids)})
        self.C = read_classifier_c(spec)
        if self.budget > len(self.pool_ids):
            raise CampaignError(f"campaign.json: budget {self.budget} exceeds the pool ({len(self.pool_ids)} items)")


def read_campaign_json(path: Path) -> dict:
    if not path.parent.is_dir():
        raise CampaignError(f"{path.parent}: not a directory")
    if not path.is_file():
        raise CampaignError(f"{path}: missing (expected a `kgal simulate --out` directory)")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise CampaignError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(spec, dict):
        raise CampaignError(f"{path}: expected a JSON object")
    return spec


def positive_int(spec: dict, key: str) -> int:
    value = spec.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise CampaignError(f"campaign.json: `{key}` must be a positive integer, got {value!r}")
    return value


def id_label_lists(spec: dict, key: str) -> tuple[list[str], list[str]]:
    part = spec.get(key)
    if not isinstance(part, dict) or not isinstance(part.get("ids"), list) or not isinstance(part.get("labels"), list):
        raise CampaignError(f"campaign.json: `{key}` must be {{\"ids\": [...], \"labels\": [...]}}")
    ids, labels = part["ids"], part["labels"]
    if len(ids) != len(labels) or not ids:
        raise CampaignError(f"campaign.json: `{key}` needs as many labels as ids, and at least one ({len(ids)} ids, {len(labels)} labels)")
    return [str(i) for i in ids], [str(label) for label in labels]


def read_embeddings(directory: Path, spec: dict, n_pool: int, n_eval: int) -> tuple[np.ndarray, np.ndarray]:
    emb = spec.get("embeddings")
    if not isinstance(emb, dict):
        raise CampaignError("campaign.json: `embeddings` must be {\"file\", \"dim\", \"rows\"}")
    path = directory / str(emb.get("file", "embeddings.f32"))
    dim, rows = emb.get("dim"), emb.get("rows")
    if not isinstance(dim, int) or dim <= 0:
        raise CampaignError(f"campaign.json: embeddings.dim must be a positive integer, got {dim!r}")
    if rows != n_pool + n_eval:
        raise CampaignError(f"campaign.json: embeddings.rows is {rows!r}, but pool + eval = {n_pool + n_eval}")
    if not path.is_file():
        raise CampaignError(f"{path}: missing")
    data = np.fromfile(path, dtype="<f4")
    if data.size != rows * dim:
        raise CampaignError(f"{path}: {data.size} float32 values, expected rows x dim = {rows} x {dim}")
    if not np.all(np.isfinite(data)):
        raise CampaignError(f"{path}: holds non-finite values")
    # float64 copies (exact), as kgal's trainer and scikit-learn's lbfgs both compute in float64.
    matrix = data.reshape(rows, dim).astype(np.float64)
    return matrix[:n_pool], matrix[n_pool:]


def read_classifier_c(spec: dict) -> float:
    """kgal's evaluation classifier C (campaign.json `classifier.C`), default 1."""
    classifier = spec.get("classifier") or {}
    c_reg = classifier.get("C", C_REG) if isinstance(classifier, dict) else C_REG
    if not isinstance(c_reg, (int, float)) or isinstance(c_reg, bool) or not c_reg > 0:
        raise CampaignError(f"campaign.json: classifier.C must be a positive number, got {c_reg!r}")
    return float(c_reg)


def read_repeats(spec: dict, row_of: dict[str, int]) -> list[dict]:
    repeats = spec.get("repeats")
    if not isinstance(repeats, list) or not repeats:
        raise CampaignError("campaign.json: `repeats` must be a non-empty list")
    out = []
    for k, rep in enumerate(repeats):
        if not isinstance(rep, dict) or not isinstance(rep.get("seed"), int) or not isinstance(rep.get("initial"), list):
            raise CampaignError(f"campaign.json: repeats[{k}] must be {{\"repeat\", \"seed\", \"initial\": [...]}}")
        missing = [i for i in rep["initial"] if str(i) not in row_of]
        if missing:
            raise CampaignError(f"campaign.json: repeats[{k}].initial holds ids not in the pool, e.g. {missing[0]!r}")
        rows = [row_of[str(i)] for i in rep["initial"]]
        if len(set(rows)) != len(rows):
            raise CampaignError(f"campaign.json: repeats[{k}].initial has duplicates")
        out.append({"repeat": int(rep.get("repeat", k)), "seed": rep["seed"], "initial": rows})
    return out


# -------------------------------------------------------------------------------------------- simulation


def evaluate(learner: ActiveLearner | None, labeled_y: np.ndarray, campaign: Campaign) -> tuple[float, float]:
    """Accuracy and macro-F1 on the eval split. Without a model (fewer than two labeled classes) every eval item
    is predicted as the only labeled class, or as nothing at all with no labels: kgal's rule
    (src/simulation/round-evaluation.ts)."""
    if learner is not None:
        predicted = learner.predict(campaign.X_eval)
    else:
        classes = np.unique(labeled_y)
        predicted = np.full(campaign.y_eval.shape, classes[0] if classes.size else -1, dtype=np.int64)  # -1: no class
    return (
        float(accuracy_score(campaign.y_eval, predicted)),
        float(f1_score(campaign.y_eval, predicted, labels=np.union1d(campaign.y_eval, predicted[predicted >= 0]),
                       average="macro", zero_division=0)),
    )


def random_query(rng: np.random.Generator) -> Callable:
    """A modAL query strategy: n_instances uniform draws without replacement from the given pool."""

    def query(_classifier, X_pool, n_instances: int = 1):
        return rng.choice(X_pool.shape[0], size=n_instances, replace=False)

    return query


def run_strategy(campaign: Campaign, strategy: str, repeat: dict, emit: Callable[[dict], None]) -> None:
    seed = repeat["seed"]
    rng = np.random.default_rng(seed)
    query_strategy = entropy_sampling if strategy == "modal-entropy" else random_query(rng)
    cold_rng = np.random.default_rng(seed) if strategy == "modal-entropy" else rng
    labeled = np.zeros(len(campaign.pool_ids), dtype=bool)
    labeled[repeat["initial"]] = True

    def start_learner_when_trainable() -> ActiveLearner | None:
        """modAL's learner, fitted on the labeled rows, once they hold two classes (see the docstring)."""
        rows = np.flatnonzero(labeled)
        if len(np.unique(campaign.y_pool[rows])) < 2:
            return None
        return ActiveLearner(estimator=new_estimator(campaign.C), query_strategy=query_strategy,
                             X_training=campaign.X_pool[rows], y_training=campaign.y_pool[rows])

    learner: ActiveLearner | None = start_learner_when_trainable()

    def row(round_: int, millis: float | None) -> dict:
        accuracy, macro_f1 = evaluate(learner, campaign.y_pool[labeled], campaign)
        return {"strategy": strategy, "repeat": repeat["repeat"], "seed": seed, "round": round_,
                "labels": int(labeled.sum()), "accuracy": accuracy, "macroF1": macro_f1, "millis": millis}

    emit(row(0, None))
    round_ = 0
    while labeled.sum() < campaign.budget and not labeled.all():
        round_ += 1
        unlabeled = np.flatnonzero(~labeled)
        n = int(min(campaign.batch, campaign.budget - labeled.sum(), unlabeled.size))
        started = time.perf_counter()
        if learner is not None:
            picked, _ = learner.query(campaign.X_pool[unlabeled], n_instances=n)
        else:
            picked = cold_rng.choice(unlabeled.size, size=n, replace=False)
        rows = unlabeled[np.asarray(picked, dtype=np.int64)]
        X_new, y_new = campaign.X_pool[rows], campaign.y_pool[rows]
        labeled[rows] = True
        if learner is not None:
            learner.teach(X_new, y_new)
        else:
            learner: ActiveLearner | None = start_learner_when_trainable()
        emit(row(round_, (time.perf_counter() - started) * 1000.0))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="a `kgal simulate --out` directory holding campaign.json and the embeddings")
    ap.add_argument("--strategies", default=",".join(STRATEGIES), help="comma-separated subset of " + ", ".join(STRATEGIES))
    ap.add_argument("--out", help="CSV to write (default <dir>/modal-rounds.csv)")
    args = ap.parse_args(argv)

    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not strategies:
        print(f"modal-simulate: unknown strategy {unknown[0] if unknown else '(none)'}; use {', '.join(STRATEGIES)}", file=sys.stderr)
        return 2
    directory = Path(args.dir)
    try:
        started = time.perf_counter()
        campaign = Campaign(directory)
    except CampaignError as err:
        print(f"modal-simulate: {err}", file=sys.stderr)
        return 2
    print(
        f"modal-simulate: {campaign.dataset}: pool {len(campaign.pool_ids)}, eval {len(campaign.eval_ids)}, "
        f"{len(campaign.classes)} classes, dim {campaign.X_pool.shape[1]}, budget {campaign.budget}, batch {campaign.batch}, "
        f"{len(campaign.repeats)} repeat(s), loaded in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )

    out_path = Path(args.out) if args.out else directory / "modal-rounds.csv"
    tmp_path = out_path.with_name(out_path.name + ".tmp")
    with tmp_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ROUND_COLUMNS)

        def emit(row: dict) -> None:
            writer.writerow([format_value(column, row.get(column)) for column in ROUND_COLUMNS])

        for repeat in campaign.repeats:
            for strategy in strategies:
                t0 = time.perf_counter()
                last: dict = {}

                def emit_and_track(row: dict) -> None:
                    last.update(row)
                    emit(row)

                run_strategy(campaign, strategy, repeat, emit_and_track)
                print(
                    f"modal-simulate: repeat {repeat['repeat']} (seed {repeat['seed']}) {strategy}: {last['round']} rounds, "
                    f"{last['labels']} labels, accuracy {last['accuracy']:.4f}, macro-F1 {last['macroF1']:.4f}, "
                    f"{time.perf_counter() - t0:.1f}s",
                    file=sys.stderr,
                )
    tmp_path.replace(out_path)  # whole file or none
    print(f"modal-simulate: wrote {out_path} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


def format_value(column: str, value) -> str:
    """CSV cell: empty for absent values, metrics at full precision (shortest round-trip repr, as kgal's
    rounds.csv writes them, so equal numbers read equal), millis to 3 decimals."""
    if value is None:
        return ""
    if column in ("accuracy", "macroF1"):
        return repr(float(value))
    if column == "millis":
        return f"{value:.3f}"
    return str(value)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
