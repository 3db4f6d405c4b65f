"""Golden-model speed on the reference lstmp-1024 model (DESIGN section 2), k = 8.

    .venv/bin/python bench/golden_speed.py [--repeats 3] [--frames 100]   (or: make bench)

Prints frames/s (median of the repeats) of the float and the bit-accurate paths for several
batch sizes and worker-thread counts.  Figures, not a pass/fail test; the committed output is
bench/golden_speed.txt.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from golden.model import Model, ModelConfig  # noqa: E402
from golden.runner import Runner  # noqa: E402

LSTMP_1024 = dict(name="lstmp-1024", cell="lstm", input_size=153, hidden_size=1024, num_layers=2,
                  proj_size=512, peephole=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--frames", type=int, default=100, help="frames per sequence")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--batches", default="16,64")
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args(argv)

    cfg = ModelConfig(k=args.k, **LSTMP_1024)
    model = Model.random(cfg, 0)
    print(f"# golden model speed, {model.summary()}")
    print(f"# machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"numpy {np.__version__}; {args.frames} frames per sequence, median of {args.repeats} runs")
    print(f"{'path':6s} {'batch':>5s} {'workers':>7s} {'frames/s':>10s}  runs")
    for fixed in (True, False):
        for w in (int(v) for v in args.workers.split(",")):
            runner = Runner(model, fixed=fixed, workers=w)
            for B in (int(v) for v in args.batches.split(",")):
                x = np.random.default_rng(B).standard_normal((args.frames, B, cfg.input_size))
                runner(x[:4])                                   # warm-up (tables, allocator)
                rates = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    runner(x)
                    rates.append(args.frames * B / (time.perf_counter() - t0))
                runs = " ".join(f"{r:.0f}" for r in rates)
                print(f"{'fixed' if fixed else 'float':6s} {B:5d} {w:7d} {statistics.median(rates):10.0f}  {runs}",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
