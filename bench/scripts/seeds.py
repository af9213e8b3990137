#!/usr/bin/env python3
"""Two variants, each run with several seeds on the same folds: how much of a difference between
them is the seed's. Reads fold records only (each keeps every test clip's logits).

    python3 bench/scripts/seeds.py --a RUN_A_SEED1/folds RUN_A_SEED2/folds --b RUN_B_SEED1/folds RUN_B_SEED2/folds

Prints, per fold, every run's UAR, each variant's mean over its seeds and the difference B - A; then
the seed spread (the standard deviation of one variant's UAR on one fold across seeds, pooled over
folds and variants), the mean difference over folds with its standard error from the fold-to-fold
spread of the differences, and the standard error that seed noise alone would give. A difference is
worth acting on when it is several of those standard errors, not when one seed's run is better.
Only folds every run finished are used. Needs numpy.

With --paired, the i-th run of A and the i-th run of B are taken to share a seed (list them in the
same seed order): a seed draws the same initial weights, batches and augmentation for both variants
unless the change itself draws differently, so part of the seed's luck is common to both and
cancels in their difference. It then also prints the mean and standard error of the differences
of the (fold, seed) pairs.
"""
import argparse
import glob
import json

import numpy as np


def uar(truth, predicted):
    truth = np.array(truth)
    predicted = np.array(predicted)
    return float(np.mean([np.mean(predicted[truth == c] == c) for c in np.unique(truth)]))


def fold_uars(folder):
    out = {}
    for path in sorted(glob.glob(folder + "/fold-*.json")):
        record = json.load(open(path))
        truth = [c["truth"] for c in record["test"]]
        predicted = [int(np.argmax(c["logits"])) for c in record["test"]]
        out[record["fold"]] = uar(truth, predicted)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", nargs="+", required=True, help="variant A: one folds/ folder per seed")
    parser.add_argument("--b", nargs="+", required=True, help="variant B: one folds/ folder per seed")
    parser.add_argument("--paired", action="store_true", help="the i-th runs of A and B share a seed")
    args = parser.parse_args()
    if args.paired and len(args.a) != len(args.b):
        raise SystemExit("--paired needs as many runs of A as of B, in the same seed order")
    a = [fold_uars(f) for f in args.a]
    b = [fold_uars(f) for f in args.b]
    folds = sorted(set.intersection(*[set(r) for r in a + b]))
    if not folds:
        raise SystemExit("no fold is finished in every run")
    differences = []
    pairs = []
    within = []  # squared deviations from a variant's mean on a fold, with their degrees of freedom
    dof = 0
    print("fold  " + "  ".join(f"A{i + 1:<5d}" for i in range(len(a))) + "  " +
          "  ".join(f"B{i + 1:<5d}" for i in range(len(b))) + "  mean A  mean B  B - A")
    for fold in folds:
        ua = np.array([r[fold] for r in a]) * 100
        ub = np.array([r[fold] for r in b]) * 100
        for u in (ua, ub):
            if len(u) > 1:
                within.append(float(np.sum((u - u.mean()) ** 2)))
                dof += len(u) - 1
        d = ub.mean() - ua.mean()
        differences.append(d)
        if args.paired:
            pairs.extend(ub - ua)
        print(f"{fold:4d}  " + "  ".join(f"{x:6.2f}" for x in ua) + "  " + "  ".join(f"{x:6.2f}" for x in ub) +
              f"  {ua.mean():6.2f}  {ub.mean():6.2f}  {d:+6.2f}")
    d = np.array(differences)
    k = len(folds)
    print(f"mean difference B - A over {k} fold(s): {d.mean():+.2f} points" +
          (f", standard error {d.std(ddof=1) / np.sqrt(k):.2f} (from the folds' spread)" if k > 1 else ""))
    if dof > 0:
        seed_sd = float(np.sqrt(sum(within) / dof))
        se = seed_sd * np.sqrt(1 / len(a) + 1 / len(b)) / np.sqrt(k)
        print(f"seed spread: {seed_sd:.2f} points (std of one fold's UAR across seeds, pooled, {dof} degrees of"
              f" freedom); seed noise alone gives the mean difference a standard error of {se:.2f}")
    else:
        print("seed spread: needs two or more seeds of a variant")
    if args.paired and len(pairs) > 1:
        p = np.array(pairs)
        print(f"paired by seed: {len(p)} (fold, seed) differences, mean {p.mean():+.2f}, std {p.std(ddof=1):.2f},"
              f" standard error {p.std(ddof=1) / np.sqrt(len(p)):.2f}; B better in {int(np.sum(p > 0))} of {len(p)}")


if __name__ == "__main__":
    main()
