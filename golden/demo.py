"""Golden-model demo: a small random block-circulant LSTMP and GRU, run in float and in
bit-accurate fixed point, with a short report.  ``python -m golden.demo [--k 8] [--frames 200]``."""
from __future__ import annotations

import argparse
import time

import numpy as np

from .activations import error_report
from .model import Model, ModelConfig
from .runner import Runner


def sqnr_db(ref: np.ndarray, x: np.ndarray) -> float:
    err = np.mean((ref - x) ** 2)
    return float("inf") if err == 0 else float(10 * np.log10(np.mean(ref ** 2) / err))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m golden.demo", description=__doc__)
    ap.add_argument("--k", type=int, default=8, help="block size (default 8)")
    ap.add_argument("--frames", type=int, default=200, help="frames per sequence (default 200)")
    ap.add_argument("--batch", type=int, default=8, help="sequences (default 8)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    feats = rng.standard_normal((args.frames, args.batch, 40))
    print("== golden model demo: random block-circulant models, float vs bit-accurate fixed point ==")
    for kw in (dict(cell="lstm", proj_size=64, peephole=True), dict(cell="gru")):
        cfg = ModelConfig(name=f"demo-{kw['cell']}", input_size=40, hidden_size=128, num_layers=2,
                          k=args.k, **kw)
        model = Model.random(cfg, args.seed, gain=2.0)
        print(f"\n{model.summary()}")
        t0 = time.perf_counter()
        ref = Runner(model, fixed=False)(feats)
        t1 = time.perf_counter()
        fx = Runner(model, fixed=True)(feats)
        t2 = time.perf_counter()
        n = args.frames * args.batch
        for i, (a, b) in enumerate(zip(ref.layers, fx.layers)):
            b = b * 2.0 ** -cfg.formats.fmt("data").frac
            print(f"  layer {i}: output rms {np.sqrt(np.mean(a ** 2)):.4f}, fixed-vs-float SQNR {sqnr_db(a, b):6.2f} dB, "
                  f"max |err| {np.abs(a - b).max():.2e}")
        print(f"  speed: float {n / (t1 - t0):8.0f} frames/s, fixed {n / (t2 - t1):8.0f} frames/s "
              f"({n} frames)")
    F = ModelConfig().formats
    rep = error_report(F.fmt("pre"), F.fmt("gate"), F.act_seg_bits)
    print(f"\nactivations ({2 ** F.act_seg_bits} PWL segments per half range, {F.pre} -> {F.gate}):")
    for func, r in rep.items():
        print(f"  {func:8s} max |err| {r['max_abs_err']:.2e}  mean |err| {r['mean_abs_err']:.2e}")
    print(f"formats: {F.to_dict()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
