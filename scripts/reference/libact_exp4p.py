"""Reference numbers for kgal's EXP4.P bandit (src/strategies/exp4p.ts), from libact itself.

Runs libact 0.1.6's own `Exp4P` and `ActiveLearningByLearning` (libact/query_strategies/
active_learning_by_learning.py, the PyPI release; identical in its Exp4P and reward code to
github.com/ntucllab/libact at commit 306ecd449b5f7d3d5730eaf1c0f9b4ed396416c1) on fixed, seeded
scenarios and records, round by round, what tests/exp4p.test.ts replays and compares:

  * the advice of every arm (each mock query strategy's pick; the uniform sampler is implicit),
  * the query distribution libact yields (`query_vector`, over the unlabeled pool indexed at construction),
  * the item asked (drawn by libact's own numpy RandomState from that distribution),
  * the reward sent with it and the weight vector `w` after libact's update,
  * for the full ALBL scenario, every importance-weighted-accuracy computation (queried ids, libact's
    W = 1/q weights, correctness flags, pool size, T) and its result.

Nothing here reimplements libact: the scenarios only script the inputs (which item each strategy recommends,
which rewards come back, what the model predicts). Output: JSON on stdout (or --out PATH).
"""

import argparse
import json
import math
import re
import sys

import numpy as np

from importlib.metadata import version

from libact.base.dataset import Dataset
from libact.base.interfaces import QueryStrategy
from libact.query_strategies import ActiveLearningByLearning
from libact.query_strategies.active_learning_by_learning import Exp4P


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=float).ravel()]


class ScriptedStrategy(QueryStrategy):
    """A libact QueryStrategy whose pick is a fixed rule over the dataset's unlabeled entries."""

    def __init__(self, dataset, rule, **kwargs):
        super().__init__(dataset, **kwargs)
        self.rule = rule
        self.picks = []

    def make_query(self):
        ids, X = self.dataset.get_unlabeled_entries()
        pick = int(self.rule(np.asarray(ids), np.asarray(X, dtype=float)))
        self.picks.append(pick)
        return pick


class FixedSequenceStrategy:
    """Stand-in for a query strategy inside a bare Exp4P: returns the next id of a fixed sequence."""

    def __init__(self, sequence):
        self.sequence = list(sequence)
        self.i = 0

    def make_query(self):
        pick = self.sequence[self.i]
        self.i += 1
        return pick


def direct_exp4p(name, seed, n_strategies, uniform_sampler, pool_ids, T, delta, pmin, reward_of):
    """Drive libact's Exp4P generator directly: scripted picks, libact-drawn asks, scripted rewards."""
    rng = np.random.RandomState(seed)
    ids = list(pool_ids)
    # Each strategy recommends from its own fixed random order of the pool, with deliberate overlaps:
    # strategy 1 copies strategy 0's pick every third round, so shared credit (advice on the same item) occurs.
    # (T + 1 picks each: libact's generator asks every strategy once more when the last reward is sent.)
    sequences = [[int(rng.choice(ids)) for _ in range(T + 1)] for _ in range(n_strategies)]
    if n_strategies > 1:
        for t in range(0, T, 3):
            sequences[1][t] = sequences[0][t]
    strategies = [FixedSequenceStrategy(s) for s in sequences]
    invert = {entry_id: i for i, entry_id in enumerate(ids)}
    kwargs = dict(query_strategies=strategies, T=T, delta=delta, unlabeled_invert_id_idx=invert,
                  uniform_sampler=uniform_sampler)
    if pmin is not None:
        kwargs["pmin"] = pmin
    bandit = Exp4P(**kwargs)
    draw_rng = np.random.RandomState(seed + 1)
    rounds = []
    q = bandit.next(-1, None, None)
    for t in range(T):
        ask_idx = int(draw_rng.choice(np.arange(len(ids)), p=q))
        ask_id = ids[ask_idx]
        reward = reward_of(t, ask_id, [s[t] for s in sequences])
        record = {
            "picks": [invert[s[t]] for s in sequences],
            "queryDistribution": floats(q),
            "askIndex": ask_idx,
            "reward": float(reward),
        }
        if t + 1 < T:
            q = bandit.next(reward, ask_id, None)
        else:
            # The generator's update for the last round runs when the next value is requested; libact's
            # generator loops forever (`while True`), so asking for one more distribution is harmless.
            bandit.next(reward, ask_id, None)
        record["weightsAfter"] = floats(bandit.w)
        rounds.append(record)
    return {
        "name": name,
        "kind": "exp4p",
        "arms": n_strategies + (1 if uniform_sampler else 0),
        "uniformSampler": uniform_sampler,
        "candidates": len(ids),
        "T": T,
        "delta": delta,
        "pminGiven": pmin,
        "pmin": float(bandit.pmin),
        "N": int(bandit.N),
        "K": int(bandit.K),
        "initialWeights": [1.0] * bandit.N,
        "rounds": rounds,
    }


def full_albl(name, seed, n_pool, n_seed_labeled, T, delta):
    """libact's ActiveLearningByLearning end to end, with scripted strategies and a scripted model."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_pool, 2))
    y_true = (X[:, 0] + 0.25 * X[:, 1] > 0).astype(int)
    y = [int(y_true[i]) if i < n_seed_labeled else None for i in range(n_pool)]
    dataset = Dataset(X, y)

    class ScriptedModel:
        """Predicts 1 iff x0 > 0.2: deliberately imperfect, deterministic, no training."""

        def train(self, dataset, *args, **kwargs):
            return self

        def predict(self, feature, *args, **kwargs):
            feature = np.asarray(feature, dtype=float).reshape(-1, 2)
            return (feature[:, 0] > 0.2).astype(int)

    def pick_max_x0(ids, X):
        return ids[int(np.argmax(X[:, 0]))]

    def pick_min_abs_x0(ids, X):  # "uncertainty-like": closest to the model's boundary region
        return ids[int(np.argmin(np.abs(X[:, 0] - 0.2)))]

    order = list(np.random.RandomState(seed + 7).permutation(n_pool))

    def pick_fixed_order(ids, X):
        unlabeled = set(int(i) for i in ids)
        return next(i for i in order if int(i) in unlabeled)

    strategies = [ScriptedStrategy(dataset, rule) for rule in (pick_max_x0, pick_min_abs_x0, pick_fixed_order)]
    albl = ActiveLearningByLearning(dataset, query_strategies=strategies, T=T, delta=delta,
                                    model=ScriptedModel(), random_state=seed + 1, uniform_sampler=True)
    invert = dict(albl.unlabeled_invert_id_idx)
    pool_ids = [int(i) for i in albl.unlabeled_entry_ids]

    rounds = []
    rewards = []
    original_next = albl.exp4p_.next
    original_reward = albl.calc_reward_fn

    def recording_reward():
        model = ScriptedModel()
        entries = []
        for i, entry_id in enumerate(albl.queried_hist_):
            feature, label = dataset.data[entry_id]
            entries.append({"id": int(entry_id), "weight": float(albl.W[i]),
                            "correct": bool(model.predict(feature.reshape(1, -1))[0] == label)})
        value = original_reward()
        rewards.append({"entries": entries, "poolSize": int(dataset.len_labeled() + dataset.len_unlabeled()),
                        "T": T, "value": float(value)})
        return value

    def recording_next(reward, ask_id, lbl):
        if rounds:
            rounds[-1]["askIndex"] = invert[int(ask_id)]
            rounds[-1]["reward"] = float(reward)
            rounds[-1]["rewardComputation"] = len(rewards) - 1
        q = original_next(reward, ask_id, lbl)
        if rounds:
            rounds[-1]["weightsAfter"] = floats(albl.exp4p_.w)
        rounds.append({"picks": [invert[s.picks[-1]] for s in strategies], "queryDistribution": floats(q),
                       "weightsBefore": floats(albl.exp4p_.w)})
        return q

    albl.exp4p_.next = recording_next
    albl.calc_reward_fn = recording_reward

    labels_spent = 0
    while labels_spent < T:
        ask_id = albl.make_query()
        dataset.update(ask_id, int(y_true[ask_id]))  # the oracle; fires albl.update (W, queried_hist_)
        labels_spent += 1
    # One more distribution so that the last asked item's update (and its reward) is recorded too.
    albl.calc_query()
    rounds.pop()  # the extra distribution has no ask
    return {
        "name": name,
        "kind": "albl",
        "arms": len(strategies) + 1,
        "uniformSampler": True,
        "candidates": len(pool_ids),
        "candidateIds": pool_ids,  # libact's unlabeled_entry_ids: candidate index -> dataset entry id
        "poolSize": n_pool,
        "T": T,
        "delta": delta,
        "pminGiven": None,
        "pmin": float(albl.exp4p_.pmin),
        "N": int(albl.exp4p_.N),
        "K": int(albl.exp4p_.K),
        "initialWeights": [1.0] * albl.exp4p_.N,
        "rounds": rounds,
        "rewardComputations": rewards,
        "finalW": [float(w) for w in albl.W],
        "queriedHistory": [int(i) for i in albl.queried_hist_],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    pool = list(range(100, 118))  # entry ids need not be 0..K-1: libact maps them through the invert index

    def biased_reward(t, ask_id, picks):
        # Strategy 0's picks earn a large reward, everything else a small one (values in [0, 1]).
        return 0.9 if ask_id == picks[0] else 0.05 + 0.01 * (t % 5)

    scenarios = [
        direct_exp4p("exp4p-uniform-default-pmin", seed=11, n_strategies=3, uniform_sampler=True,
                     pool_ids=pool, T=40, delta=0.1, pmin=None, reward_of=biased_reward),
        direct_exp4p("exp4p-no-uniform-given-pmin", seed=23, n_strategies=3, uniform_sampler=False,
                     pool_ids=pool[:12], T=30, delta=0.5, pmin=0.08, reward_of=biased_reward),
        direct_exp4p("exp4p-ten-arms", seed=5, n_strategies=9, uniform_sampler=True,
                     pool_ids=list(range(30)), T=120, delta=0.1, pmin=None, reward_of=biased_reward),
        full_albl("albl-end-to-end", seed=3, n_pool=40, n_seed_labeled=6, T=25, delta=0.1),
    ]
    for s in scenarios:
        expected = math.sqrt(math.log(s["N"]) / s["K"] / s["T"]) if s["pminGiven"] is None else s["pminGiven"]
        assert abs(expected - s["pmin"]) <= 1e-15, (s["name"], expected, s["pmin"])
    out = {
        "about": "libact reference numbers for kgal's EXP4.P bandit (tests/exp4p.test.ts). Generated; do not edit.",
        "command": "bash scripts/reference/libact-exp4p.sh",
        "source": "libact/query_strategies/active_learning_by_learning.py (Exp4P, ActiveLearningByLearning), "
                  "libact " + version("libact") + " from PyPI",
        "versions": {"python": sys.version.split()[0], "libact": version("libact"), "numpy": np.__version__},
        "scenarios": scenarios,
    }
    text = json.dumps(out, indent=1)
    # One line per number array (query distributions, weights), so the file stays reviewable.
    text = re.sub(r"\[\s*([-0-9.eE+,\s]+?)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
