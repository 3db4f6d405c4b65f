"""The main job, end to end on the embedded default corpus (`make run`):

1. build/cache the synthetic speech corpus (train.data),
2. train the `small` preset (40 log-mel inputs, batches of 16) with ADMM at k = 8 plus
   quantization-aware fine-tuning,
3. export the bundle (golden model container, memory files, engine images),
4. measure PER in float (PyTorch) and bit-accurate fixed point (golden),
5. stream test utterances through the RTL engine in Verilator (each direction of the
   bidirectional layer; direction 1 on the time-reversed utterance) and check every output
   word against the golden model,
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
sys.path.insert(0, str(ROOT))
PY = sys.executable


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


def rtl_check(bundle: Path, run_dir: Path, utts: int, sim: str, n_pe: int) -> list[dict]:
    """Each engine model of the bundle on `utts` test utterances; returns per-direction results."""
    import numpy as np

    from golden.fixed import quantize
    from golden.model import Model
    from golden.runner import run_fixed
    from tb.engine.test_engine import build_and_run
    from train.batches import load_dataset
    from train.export import engine_models
    from train.trainer import CKPT, load_checkpoint, model_from_checkpoint

    gm = Model.load(bundle / "model.npz")
    _, cfg = model_from_checkpoint(load_checkpoint(run_dir / CKPT))
    examples = load_dataset(cfg.corpus, cfg.features, cfg.timit_path, cfg.seed).split("test")[:utts]
    feats = [np.asarray(e.feats, dtype=np.float64) for e in examples]
    fmt = gm.config.formats.fmt("data")
    # the full model's layer output, to check that the per-direction runs compose to it
    full = [run_fixed(gm, f).squeeze().layers[0] for f in feats]
    results = []
    for d, m in enumerate(engine_models(gm)):
        seqs = [f[::-1] if d == 1 else f for f in feats]
        codes = [quantize(s, fmt) for s in seqs]
        fpath = run_dir / f"rtl_feats_d{d}.npz"
        off = np.cumsum([0] + [len(c) for c in codes])
        np.savez(fpath, feats=np.concatenate(codes) * 2.0 ** -fmt.frac, feat_off=off)
        out = run_dir / f"rtl_result_d{d}.json"
        out.unlink(missing_ok=True)
        t0 = time.perf_counter()
        build_and_run(sim, f"main-d{d}", m, n_pe,
                      {"SEED": 3, "FEATS": str(fpath), "UTTS": len(codes), "MAX_FRAMES": 10 ** 9,
                       "STALL": 0.0, "RESULT": str(out)})
        res = json.loads(out.read_text())
        res["direction"] = d
        res["build_and_sim_s"] = time.perf_counter() - t0
        # golden per direction == the full model's matching half (composition check)
        H = m.config.out_size
        for f, s, lay in zip(feats, seqs, full):
            y = run_fixed(m, s).squeeze().codes
            y = y[::-1] if d == 1 else y
            assert np.array_equal(y, lay[:, d * H:(d + 1) * H]), "direction model != full model"
        results.append(res)
        print(f"direction {d}: {res['frames']} frames, {res['output_words']} output words equal to "
              f"golden; {res['cycles_per_frame']:.0f} cycles/frame", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/main", help="run directory (default runs/main)")
    ap.add_argument("--epochs", type=int, default=20, help="training epoch budget (default 20)")
    ap.add_argument("--utts", type=int, default=2, help="test utterances through the RTL (default 2)")
    ap.add_argument("--n-pe", type=int, default=8, help="PEs of the RTL engine (default 8)")
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

    step("4. phone error rate: float and bit-accurate fixed point (golden)")
    t = time.perf_counter()
    ev = run_dir / "eval_test.json"
    run([PY, "-m", "train", "eval", args.out, "--fixed", "--json", str(ev.relative_to(ROOT)), "--quiet"])
    per = json.loads(ev.read_text())
    times["eval_s"] = time.perf_counter() - t

    step(f"5. RTL engine ({args.sim}) vs golden, bit for bit, on {args.utts} test utterances")
    t = time.perf_counter()
    rtl = rtl_check(bundle, run_dir, args.utts, args.sim, args.n_pe)
    times["rtl_s"] = time.perf_counter() - t
    times["total_s"] = time.perf_counter() - t_start

    report = {"per": per, "rtl": rtl, "times": times, "bundle": str(bundle)}
    (run_dir / "report.json").write_text(json.dumps(report, indent=2))
    step("report")
    print(f"model        : {per.get('params', 0):,} parameters, k = {per.get('k')}, "
          f"{per.get('dense_equivalent_params', 0) / max(per.get('params', 1), 1):.1f}x fewer than dense")
    print(f"test PER     : float {per['per_float_torch']:.2f} %   bit-accurate fixed point "
          f"{per['per_fixed_golden']:.2f} %   ({per['utterances']} utterances)")
    for r in rtl:
        print(f"RTL dir {r['direction']}    : {r['frames']} frames / {r['output_words']} words identical "
              f"to golden; {r['cycles_per_frame']:.0f} cycles/frame (N_PE = {args.n_pe}; packed bound "
              f"{r['packed_bound']:.0f}, unpacked bound {r['design_bound']:.0f}); "
              f"{r['cycles'] / max(r['sim_wall_s'], 1e-9):.0f} simulated cycles/s")
    print("time         : " + ", ".join(f"{k[:-2]} {v:.0f} s" for k, v in times.items()))
    print(f"bundle       : {bundle.relative_to(ROOT)}   report: {(run_dir / 'report.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
