#!/usr/bin/env python3
"""How many demo clips `ser score` labels right, on the original WAV files and on the same clips
resampled to a lower rate first (16 kHz by default, as the demo and softphones send them).

    python3 bench/scripts/score-band-limited.py [--model models/ms-senet-emodb.onnx] [--rate 16000]

Needs numpy and scipy (resample_poly); run from the repository root. The figures in models/README.md
("On the 21 demo clips") come from this command.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.io.wavfile
import scipy.signal


def score(model, wav):
    out = subprocess.run(["bin/ser", "score", "--model", model, "--in", wav], capture_output=True, text=True,
                         check=True).stdout
    return out.splitlines()[0].split(": ", 1)[1].split(" ")[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="models/ms-senet-emodb.onnx")
    p.add_argument("--samples", default="samples/emodb")
    p.add_argument("--rate", type=int, default=16000)
    a = p.parse_args()
    with open(os.path.join(a.samples, "labels.csv")) as f:
        labels = {row[0]: row[1] for row in csv.reader(f) if row and row[0].endswith(".wav")}
    right = {"original": 0, f"{a.rate} Hz": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for name, truth in sorted(labels.items()):
            path = os.path.join(a.samples, name)
            rate, x = scipy.io.wavfile.read(path)
            g = math.gcd(a.rate, rate)
            y = scipy.signal.resample_poly(x.astype(np.float64), a.rate // g, rate // g)
            low = os.path.join(tmp, name)
            scipy.io.wavfile.write(low, a.rate, np.clip(np.round(y), -32768, 32767).astype(np.int16))
            full, limited = score(a.model, path), score(a.model, low)
            right["original"] += full == truth
            right[f"{a.rate} Hz"] += limited == truth
            print(f"{name} {truth:8s} original {full:8s} {a.rate} Hz {limited}")
    for k, v in right.items():
        print(f"{k}: {v} of {len(labels)} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
