"""The main job, end to end on the embedded default corpus (`make run`):

1. build/cache the synthetic speech corpus (train.data),
2. train the `small` preset (40 log-mel inputs, batches of 16) with ADMM at k = 8 plus
   quantization-aware fine-tuning,
3. export the bundle (golden model container, memory files, engine images),
4. measure PER in float (PyTorch) and bit-accurate fixed point (golden), and in float on the
   robustness test sets (noise at 20/10/5 dB, reverberation, speed 0.9/1.1: docs/data.md),
5. run test utterances on the RTL engine in Verilator through the host runtime
   (`python -m runtime run`: each direction of the bidirectional layer is a pass, its weights
   loaded through the engine's load port; the classifier on the host), check every output word
   and logit against the golden model, and compute the PER from the RTL's logits,
6. print a report (also written to runs/main/report.json).

Re-running reuses the finished training run (`--resume`; a run trained with another
configuration, e.g. before a default of `fit` changed, is retrained) and the Verilator builds.
Options: `--fresh` retrains from scratch; `--utts N` utterances through the RTL (default 2);
`--sim icarus` uses Icarus instead of Verilator (much slower).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

from golden.engine_layout import DEFAULT_N_PE


def step(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def run(cmd: list[str]) -> None:
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def resumable(run_dir: Path, fit_args: list[str]) -> bool:
    """True if `run_dir` holds a checkpoint of the configuration that `fit_args` (the
    `python -m train` arguments) describe; a run of another recipe (e.g. trained before a
    default changed) is retrained instead of being refused by `fit --resume`."""
    from train.__main__ import build_parser, config_from_args
    from train.config import TrainConfig
    from train.trainer import CKPT, load_checkpoint

    if not (run_dir / CKPT).exists():
        return False
    want = config_from_args(build_parser().parse_args(fit_args))
    have = TrainConfig.from_dict(load_checkpoint(run_dir / CKPT)["config"])
    if want != have:
        print(f"{run_dir / CKPT} was trained with another configuration: retraining", flush=True)
    return want == have


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/main", help="run directory (default runs/main)")
    ap.add_argument("--epochs", type=int, default=30,
                    help="training epoch budget (default 30: docs/training.md, \"Robustness\")")
    ap.add_argument("--utts", type=int, default=2, help="test utterances through the RTL (default 2)")
    ap.add_argument("--n-pe", type=int, default=DEFAULT_N_PE,
                    help=f"PEs of the RTL engine (default {DEFAULT_N_PE})")
    ap.add_argument("--sim", default="verilator", choices=["verilator", "icarus"])
    ap.add_argument("--fresh", action="store_true", help="retrain from scratch")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    run_dir = ROOT / args.out
    bundle = run_dir / "bundle"
    times = {}

    step("1. speech corpus (embedded default, generated once and cached)")
    t = time.perf_counter()
    run([PY, "-m", "train", "data"])
    times["data_s"] = time.perf_counter() - t

    step("2. training: small preset, ADMM k = 8, then quantization-aware fine-tuning")
    t = time.perf_counter()
    fit = [PY, "-m", "train", "fit", "--preset", "small", "--mode", "admm", "--k", "8",
           "--epochs", str(args.epochs), "--qat-epochs", "1", "--qat-steps", "20", "--out", args.out]
    if not args.fresh and resumable(run_dir, fit[3:]):
        fit.append("--resume")
    run(fit)
    times["train_s"] = time.perf_counter() - t

    step("3. export")
    run([PY, "-m", "train", "export", args.out, "--out", str(bundle.relative_to(ROOT)),
         "--n-pe", str(args.n_pe), "--quiet"])

    step("4. phone error rate: float and bit-accurate fixed point (golden); float on the "
         "robustness test sets")
    t = time.perf_counter()
    ev = run_dir / "eval_test.json"
    run([PY, "-m", "train", "eval", args.out, "--fixed", "--json", str(ev.relative_to(ROOT)), "--quiet"])
    per = json.loads(ev.read_text())
    rob = run_dir / "eval_robust.json"
    run([PY, "-m", "train", "eval", args.out, "--conditions", "all", "--json",
         str(rob.relative_to(ROOT)), "--quiet"])
    robust = json.loads(rob.read_text())["conditions"]
    times["eval_s"] = time.perf_counter() - t

    step(f"5. RTL engine ({args.sim}) through the host runtime vs golden, bit for bit, on "
         f"{args.utts} test utterances")
    t = time.perf_counter()
    from runtime.__main__ import rtl_run
    rtl = rtl_run(run_dir, str(bundle), "test", args.utts, args.sim, args.n_pe)
    times["rtl_s"] = time.perf_counter() - t
    times["total_s"] = time.perf_counter() - t_start

    report = {"per": per, "robustness": robust, "rtl": rtl, "times": times, "bundle": str(bundle)}
    (run_dir / "report.json").write_text(json.dumps(report, indent=2))
    step("report")
    print(f"model        : {per.get('params', 0):,} parameters, k = {per.get('k')}, "
          f"{per.get('dense_equivalent_params', 0) / max(per.get('params', 1), 1):.1f}x fewer than dense")
    print(f"test PER     : float {per['per_float_torch']:.2f} %   bit-accurate fixed point "
          f"{per['per_fixed_golden']:.2f} %   ({per['utterances']} utterances)")
    print("robustness   : PER float on the degraded test sets (docs/data.md): " + ", ".join(
        f"{c} {r['per_float']:.1f} %" for c, r in robust.items()))
    num = per.get("numerics")
    if num:
        lossy = {p: v for p, v in num["saturation"].items() if v["saturated"] and not v["exact"]}
        sat = (", ".join(f"{p} {100 * v['saturated'] / v['values']:.3f} %" for p, v in lossy.items())
               or "no saturation that changes an output")
        F = json.loads((bundle / "bundle.json").read_text())["formats"]
        print("numerics     : calibrated formats " + ", ".join(
            f"{k} {F[k]}" for k in ("data", "weight", "spec", "pre", "bias", "cell")))
        print(f"               SQNR vs float64 per utterance min {num['sqnr_min_db']:.1f} dB, "
              f"median {num['sqnr_median_db']:.1f} dB; {sat}")
    print(f"RTL engine   : {rtl['frames']} frames / {rtl['output_words']:,} words and every logit "
          f"identical to golden ({rtl['utterances']} utterances, N_PE = {args.n_pe}); PER of the "
          f"RTL's logits {rtl['per_rtl']:.2f} % (golden fixed {rtl['per_golden_fixed']:.2f} % on "
          f"the same utterances)")
    img = rtl["images"]
    where = img if img.startswith("written") else os.path.relpath(img, ROOT) + " (the bundle's)"
    print(f"  engine images    : {where}; power-up contents, the runtime also loads the "
          f"weights through the load port")
    for p in rtl["passes"]:
        print(f"  {p['name']:<17}: {p['last_frame_cycles']:,} cycles/frame (steady state), "
              f"{p['mac_beats']:,} MAC beats, {p['cycles']:,} working cycles, load "
              f"{p['load_writes']:,} writes in {p['load_cycles']:,} cycles (simulated)")
    tot = rtl["totals"]
    print(f"  all passes       : {tot['stream_cycles'] + tot['load_cycles']:,} simulated cycles "
          f"({tot['load_cycles']:,} loading), {rtl['sim_wall_s']:.0f} s build + simulation")
    print("time         : " + ", ".join(f"{k[:-2]} {v:.0f} s" for k, v in times.items()))
    print(f"bundle       : {bundle.relative_to(ROOT)}   report: {(run_dir / 'report.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
