"""`python -m train numerics RUN`: the fixed-point numerics of a trained run, the figures of
docs/numerics.md ("Calibration").

1. ranges: the float model's magnitudes at every rounding point over the first --calib-utts
   training utterances (percentiles and max);
2. formats: what calibration (golden.calibrate) chooses from them, beside the run's formats;
3. saturation per rounding point and per-utterance SQNR against float64 on --split, with the
   run's formats and, with --compare FORMATS, another set (e.g. the defaults);
4. --per-layer: the formats each layer's own ranges would get, and the SQNR with them.
"""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from golden.calibrate import (calibrate, calibrate_layers, float_ranges, measure,
                              sqnr_per_layer_formats)
from golden.formats import Formats
from golden.model import Model

from .export import SATURATION_LIMIT


def _progress(desc: str, quiet: bool):
    from tqdm import tqdm
    return lambda it: tqdm(it, desc=desc, unit="utt", disable=quiet, leave=False)


def _fmts(F: Formats) -> str:
    return ", ".join(f"{n} {v}" for n, v in F.to_dict().items())


def _with(gm: Model, F: Formats) -> Model:
    return Model(dataclasses.replace(gm.config, formats=F), gm.params)


def run_numerics(args) -> dict:
    from .batches import run_dataset
    from .export import to_golden
    from .trainer import load_checkpoint, model_from_checkpoint, run_checkpoint

    run = Path(args.run)
    model, cfg = model_from_checkpoint(load_checkpoint(run_checkpoint(run)))
    gm = to_golden(model, cfg.golden_formats(), run.name)
    ds = run_dataset(cfg)
    train = [e.feats for e in ds.train[:args.calib_utts]]
    test = [e.feats for e in ds.split(args.split)]
    if args.limit:
        test = test[:args.limit]
    out: dict = {"run": str(run), "formats": gm.config.formats.to_dict(),
                 "calib_utts": len(train), "split": args.split, "utterances": len(test)}

    t = time.perf_counter()
    rec = float_ranges(gm, train, _progress("float ranges", args.quiet))
    ranges = rec.ranges()
    out["ranges"] = ranges
    print(f"{run}: float magnitudes at each rounding point, {len(train)} training utterances "
          f"[{time.perf_counter() - t:.0f} s]")
    print(f"  {'point':9s} {'values':>12s} {'p99':>9s} {'p99.99':>9s} {'max':>9s}")
    for p, d in ranges.items():
        print(f"  {p:9s} {d['n']:>12,d} {d['p99']:9.3f} {d['p99.99']:9.3f} {d['max']:9.3f}")
    cal = calibrate(gm, rec, margin=cfg.calib_margin)
    out["calibration"] = cal.to_dict()
    print(f"calibration (margin {cfg.calib_margin:g}):\n{cal.table()}")
    print(f"  chosen now: {_fmts(cal.formats)}")
    print(f"  the run's:  {_fmts(gm.config.formats)}")

    sets = {"run": gm.config.formats}
    if args.compare:
        sets["compare"] = (Formats() if args.compare == "default"
                           else Formats.from_dict(json.loads(Path(args.compare).read_text())))
    out["measured"] = {}
    for name, F in sets.items():
        t = time.perf_counter()
        meas = measure(_with(gm, F), test, _progress(f"{name} formats", args.quiet))
        out["measured"][name] = meas.summary() | {"formats": F.to_dict(), "sqnr_db": meas.sqnr}
        print(f"{name} formats ({_fmts(F)}), {args.split}, {len(test)} utterances "
              f"[{time.perf_counter() - t:.0f} s]:")
        for line in meas.lines(SATURATION_LIMIT):
            print(line)

    if args.per_layer and gm.config.num_layers > 1:
        per = calibrate_layers(gm, rec, margin=cfg.calib_margin)
        sq = sqnr_per_layer_formats(gm, [c.formats for c in per], test)
        out["per_layer"] = {"formats": [c.formats.to_dict() for c in per], "sqnr_db": sq}
        print("per-layer calibration (the RTL takes one set of formats; see docs/numerics.md):")
        for l, c in enumerate(per):
            diff = {k: v for k, v in c.formats.to_dict().items()
                    if v != cal.formats.to_dict()[k]}
            print(f"  layer {l}: differs from the one set in {diff or 'nothing'}")
        print(f"  SQNR with per-layer formats: min {min(sq):.1f} dB, median {np.median(sq):.1f} dB")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return out
