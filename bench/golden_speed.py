"""Golden-model speed on the reference lstmp-1024 model (docs/design.md section 2), k = 8.

    .venv/bin/python bench/golden_speed.py [--repeats 3] [--frames 100]   (or: make bench)

Prints frames/s (median of the repeats) of the float and the bit-accurate paths for several
batch sizes and worker-thread counts, and writes them to --json (bench/results/golden_speed.json,
read by bench/report.py).  Figures, not a pass/fail test; the committed output is
bench/golden_speed.txt.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np


from bench.models import LSTMP_1024
from golden.model import Model, ModelConfig
from golden.runner import Runner

JSON_OUT = Path(__file__).resolve().parent / "results" / "golden_speed.json"


def int_list(s: str) -> list[int]:
    """``--batches`` / ``--workers`` text: positive integers separated by commas."""
    try:
        values = [int(x) for x in s.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"wants positive integers separated by commas, e.g. 16,64; got {s!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--frames", type=int, default=100, help="frames per sequence")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--batches", type=int_list, default="16,64", help="batch sizes (default: %(default)s)")
    ap.add_argument("--workers", type=int_list, default="1,2", help="worker processes (default: %(default)s)")
    ap.add_argument("--json", default=str(JSON_OUT),
                    help="write the figures to this JSON file ('' for none) (default: %(default)s)")
    args = ap.parse_args(argv)

    cfg = ModelConfig(k=args.k, name="lstmp-1024", **LSTMP_1024)
    model = Model.random(cfg, 0)
    load = os.getloadavg()[0]             # other jobs on the machine slow the figures down
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
               f"numpy {np.__version__}, 1-min load average {load:.1f} at the start")
    print(f"# golden model speed, {model.summary()}")
    print(f"# machine: {machine}; {args.frames} frames per sequence, median of {args.repeats} runs")
    rows = []
    print(f"{'path':6s} {'batch':>5s} {'workers':>7s} {'frames/s':>10s}  runs")
    for fixed in (True, False):
        for w in args.workers:
            runner = Runner(model, fixed=fixed, workers=w)
            for B in args.batches:
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
                rows.append({"path": "fixed" if fixed else "float", "batch": B, "workers": w,
                             "frames_per_s": statistics.median(rates), "runs": rates})
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"model": model.summary(), "machine": machine, "load_avg": load, "frames": args.frames,
             "repeats": args.repeats, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
