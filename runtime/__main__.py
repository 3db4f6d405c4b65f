"""`python -m runtime run RUN`: a trained model on the RTL engine through the host runtime.

Takes the run's exported bundle (``RUN/bundle``, or ``--bundle``; without one, the run's
checkpoint as `train eval --fixed` uses it), builds the engine for it (its stack, or one layer
for bidirectional and deeper stacks: docs/runtime.md), runs the first ``--utts`` utterances of
the run's ``--split`` through the runtime in simulation, checks every output word and every
logit against golden's bit-accurate ``run_fixed`` (exit 1 if one differs), and prints the phone
error rate of the RTL's logits beside golden's on the same utterances, and the cycle accounting
of each pass (layer, direction).  Simulator output goes to log files (their paths are printed).

    python -m runtime run runs/main --utts 2
    python -m runtime run runs/main --utts 20 --sim verilator --n-pe 8 --json rtl.json
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from golden.cli import ArgumentParser, UsageError, run
from golden.engine_layout import DEFAULT_N_PE

from .host import DEFAULT_MAX_FRAMES, RunError


def build_parser() -> ArgumentParser:
    ap = ArgumentParser(prog="python -m runtime", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run", help="run a trained model on the RTL engine (simulation)",
                       description=__doc__)
    p.add_argument("run", help="training run directory (python -m train fit --out)")
    p.add_argument("--bundle", default="",
                   help="exported bundle to run (default: RUN/bundle if it exists, else the "
                        "run's checkpoint)")
    p.add_argument("--split", default="test", choices=("train", "dev", "test"))
    p.add_argument("--utts", type=int, default=2, help="utterances to run")
    p.add_argument("--sim", default="verilator", choices=("verilator", "icarus"))
    p.add_argument("--n-pe", type=int, default=DEFAULT_N_PE, help="PEs of the engine")
    p.add_argument("--wpar", type=int, default=1, help="complex multipliers per PE")
    p.add_argument("--hlanes", type=int, default=1, help="hand-off lanes")
    p.add_argument("--max-frames", type=int, default=DEFAULT_MAX_FRAMES,
                   help="longest utterance the host buffers take")
    p.add_argument("--json", default="", help="write the results to this JSON file")
    return ap


def load_model(run_dir: Path, bundle: str):
    """(golden Model, training config, what was loaded, the bundle directory or None) for the
    run."""
    from train.export import load_bundle, to_golden
    from train.trainer import load_checkpoint, model_from_checkpoint, run_checkpoint

    ck = load_checkpoint(run_checkpoint(run_dir))
    tmodel, cfg = model_from_checkpoint(ck)
    b = Path(bundle) if bundle else run_dir / "bundle"
    if bundle and not b.is_dir():
        raise UsageError(f"{b}: no such bundle directory; export one with "
                         f"`python -m train export {run_dir} --out {b}`")
    if b.is_dir():
        try:
            return load_bundle(b), cfg, f"bundle {b}", b
        except ValueError as e:
            raise UsageError(f"{b}: {e}") from None
    return (to_golden(tmodel, cfg.golden_formats(), run_dir.name), cfg, f"checkpoint of {run_dir}",
            None)


def bundle_images(bundle: Path, gm, n_pe: int, wpar: int, hlanes: int) -> tuple[Path | None, str]:
    """The bundle's engine images for the first pass of this run (``engine/d0``) when the
    export wrote them for the engine this run builds, else None; and why."""
    from train.export import MANIFEST

    from .host import engine_params

    eng = json.loads((bundle / MANIFEST).read_text()).get("engine", {})
    if not eng.get("written"):
        reason = str(eng.get("reason", "not recorded")).split(":")[0]
        return None, f"the bundle has no engine images: {reason} (bundle.json engine.reason)"
    want = engine_params(gm, n_pe, wpar, hlanes).hdl_params()
    if eng.get("hdl_params") != want:
        return None, (f"the bundle's images are for another engine build: N_PE {eng.get('n_pe')}, "
                      f"WPAR {eng.get('wpar')}, HLANES {eng.get('hlanes')}; this run builds "
                      f"N_PE {n_pe}, WPAR {wpar}, HLANES {hlanes}")
    return bundle / "engine" / "d0", "the bundle's"


def rtl_run(run_dir: str | Path, bundle: str = "", split: str = "test", utts: int = 2,
            sim: str = "verilator", n_pe: int = DEFAULT_N_PE, wpar: int = 1, hlanes: int = 1,
            max_frames: int = DEFAULT_MAX_FRAMES, say=print) -> dict:
    """The `run` subcommand as a function (``make run`` calls it); returns the results."""
    from golden.runner import run_fixed
    from train.batches import run_dataset
    from train.ctc import greedy_decode, per

    from .sim import simulate

    if utts < 1:
        raise UsageError(f"--utts {utts}: run at least one utterance")
    run_dir = Path(run_dir)
    gm, cfg, what, bdir = load_model(run_dir, bundle)
    images, why = None, "no bundle"
    if bdir is not None:
        images, why = bundle_images(bdir, gm, n_pe, wpar, hlanes)
    if not gm.config.num_classes:
        raise UsageError(f"{what}: the model has no classifier, so no phone error rate; "
                         "export a trained run")
    examples = run_dataset(cfg).split(split)
    if utts > len(examples):
        raise UsageError(f"--utts {utts}: the {split} split has {len(examples)} utterances")
    examples = examples[:utts]
    feats = [np.asarray(e.feats, dtype=np.float64) for e in examples]
    say(f"{what}: {gm.config.name}, {gm.config.num_layers} layer(s), "
        f"{'bidirectional' if gm.config.bidirectional else 'unidirectional'}, k = {gm.config.k}")
    if images is None:
        say(f"engine images: written for this build ({why})")
    res = simulate(gm, feats, sim=sim, n_pe=n_pe, wpar=wpar, hlanes=hlanes,
                   max_frames=max_frames, progress=say, images=images)
    t = time.perf_counter()
    words = 0
    hyp_rtl, hyp_gold, refs = [], [], []
    for u, (f, e) in enumerate(zip(feats, examples)):
        ref = run_fixed(gm, f).squeeze()
        bad = np.argwhere(res.codes[u] != ref.codes)
        if len(bad):
            t0, j = bad[0]
            raise AssertionError(f"utterance {u}: {len(bad)} output word(s) of the RTL differ from "
                                 f"golden; first at frame {t0}, word {j}: {res.codes[u][t0, j]} "
                                 f"!= {ref.codes[t0, j]}")
        if not np.array_equal(res.logits[u], ref.logits):
            raise AssertionError(f"utterance {u}: host logits differ from golden's run_fixed")
        words += res.codes[u].size
        hyp_rtl.append(greedy_decode(res.logits[u]))
        hyp_gold.append(greedy_decode(ref.logits))
        refs.append(e.labels.tolist())
    frames = sum(len(f) for f in feats)
    out = {"what": what, "model": gm.config.name, "sim": sim, "n_pe": n_pe, "wpar": wpar,
           "hlanes": hlanes, "utterances": utts, "frames": frames, "output_words": words,
           "logits_equal": True, "per_rtl": per(refs, hyp_rtl), "per_golden_fixed": per(refs, hyp_gold),
           "passes": res.passes, "totals": res.totals, "engine": res.engine,
           "images": str(images) if images is not None else f"written ({why})",
           "sim_wall_s": res.wall_s, "check_s": time.perf_counter() - t}
    say(f"RTL = golden: {frames} frames, {words:,} output words and every logit identical "
        f"({utts} utterances)")
    say(f"PER of the RTL's logits {out['per_rtl']:.2f} %, golden fixed point "
        f"{out['per_golden_fixed']:.2f} % (the same {utts} utterances)")
    return out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = rtl_run(args.run, args.bundle, args.split, args.utts, args.sim, args.n_pe, args.wpar,
                  args.hlanes, args.max_frames)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(run(main, errors=(RunError, ValueError), failures=(AssertionError,)))
