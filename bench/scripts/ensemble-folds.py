#!/usr/bin/env python3
"""What averaging the class probabilities of several finished runs would have scored, fold by fold,
from their fold records alone (no training, no model files): each record keeps every test clip's
logits. The runs must share their folds (same protocol and seed); folds missing in any run are left out.

    python3 bench/scripts/ensemble-folds.py docs/results/emodb-kfold-v4/folds docs/results/emodb/folds

Prints each run's UAR per fold and its mean, the ensemble's (softmax of each run's logits, averaged),
and the ensemble against the first run. Needs numpy. Averaging runs chosen because their test folds
looked good is selection on test folds: read the output as a hint to be confirmed elsewhere.
"""
import glob
import json
import sys

import numpy as np


def load(folder):
    runs = {}
    for path in sorted(glob.glob(folder + "/fold-*.json")):
        record = json.load(open(path))
        runs[record["fold"]] = {c["clip"]: (c["truth"], np.array(c["logits"])) for c in record["test"]}
    return runs


def uar(truth, predicted):
    truth = np.array(truth)
    predicted = np.array(predicted)
    return float(np.mean([np.mean(predicted[truth == c] == c) for c in np.unique(truth)]))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def main():
    folders = sys.argv[1:]
    if len(folders) < 2:
        sys.exit(__doc__)
    runs = [load(f) for f in folders]
    folds = sorted(set.intersection(*[set(r) for r in runs]))
    if not folds:
        sys.exit("no fold is finished in every run")
    scores = {f: [] for f in folders + ["ensemble"]}
    for fold in folds:
        clips = sorted(runs[0][fold])
        if any(sorted(r[fold]) != clips for r in runs):
            sys.exit(f"fold {fold} holds different clips in the runs: not the same folds")
        truth = [runs[0][fold][c][0] for c in clips]
        for folder, r in zip(folders, runs):
            scores[folder].append(uar(truth, [int(np.argmax(r[fold][c][1])) for c in clips]))
        scores["ensemble"].append(uar(truth, [int(np.argmax(sum(softmax(r[fold][c][1]) for r in runs)))
                                              for c in clips]))
    print("folds: " + " ".join(str(f) for f in folds))
    for name, s in scores.items():
        std = np.std(s, ddof=1) if len(s) > 1 else 0.0
        print(f"{name:45s} {100 * np.mean(s):6.2f} ± {100 * std:5.2f}   " + " ".join(f"{100 * x:5.1f}" for x in s))
    d = np.array(scores["ensemble"]) - np.array(scores[folders[0]])
    std = np.std(d, ddof=1) if len(d) > 1 else 0.0
    print(f"ensemble - first run: {100 * d.mean():+.2f} ± {100 * std:.2f} points, better on {(d > 0).sum()} of {len(d)}")


if __name__ == "__main__":
    main()
