"""`python -m train`: the training flow's command line (subcommands below)."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from golden.cli import ArgumentParser, UsageError, run
from golden.engine_layout import DEFAULT_N_PE
from train.config import preset_default
from train.data import cli as data_cli
from train.data.augment import AUGMENTS, CONDITIONS
from train.data.features import NORMS

DESCRIPTION = """\
Train block-circulant (FFT-based) LSTM/GRU speech models for the E-RNN accelerator, evaluate
them in float and in bit-accurate fixed point, and export them for the golden model and RTL.

Typical flow (the `small` preset on the embedded synthetic corpus):
  python -m train data                                   # build/cache the corpus once
  python -m train fit --preset small --mode admm --k 8 --qat-epochs 1 --qat-steps 20 \\
      --out runs/admm8                                   # ~6 min (measured 279-359 s)
  python -m train eval runs/admm8 --fixed                 # PER in float and bit-accurate
  python -m train export runs/admm8 --out bundles/admm8   # bundle for golden/ and rtl/
  python -m train check bundles/admm8                     # validate a bundle, print a summary
  python -m train explore --ks 1 4 8 16 --modes admm direct --max-per 30 --out runs/explore
                                                         # a model per point: much longer
`make run` runs data, fit, eval and export as above, then checks the RTL engine against
golden: ~11 min (measured 10 min 35 s on 2 cores from a fresh clone).

Distributed: torchrun --nproc_per_node 2 -m train fit ...  (DDP over gloo, CPU).
See docs/training.md for the modes, the checkpoint format and the bundle format.
A mistake in the command line or in the paths it names is one `error:` line on stderr and exit
status 2; ERNN_DEBUG=1 shows the traceback instead."""

EPILOG = """\
modes (same epoch budget for all, so the comparison is fair):
  dense   dense matrices (k = 1), the accuracy baseline
  direct  block-circulant parametrization from scratch (C-LSTM)
  admm    dense pre-training -> ADMM rounds (diagonal-average projection, growing rho)
          -> hard projection -> retraining in circulant form (E-RNN)
  --qat-epochs N appends N epochs of quantization-aware fine-tuning with the golden model's
  exact fixed-point formats and activation tables (straight-through gradients)."""


def _add_model_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model (override the preset)")
    g.add_argument("--preset", default="small", choices=("tiny", "small", "lstmp-1024", "gru-1024"),
                   help="architecture preset: tiny (tests), small (demo), the papers' 1024-cell models")
    g.add_argument("--cell", choices=("lstm", "gru"), help="recurrent cell")
    g.add_argument("--hidden", type=int, help="cells per layer and direction")
    g.add_argument("--layers", type=int, help="stacked layers")
    g.add_argument("--proj", type=int, help="LSTM projection size (0: none)")
    g.add_argument("--peephole", action=argparse.BooleanOptionalAction, default=None,
                   help="LSTM peephole connections")
    g.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, default=None,
                   help="bidirectional layers")


def _recipe(name: str):
    """The small preset's default of a `TrainConfig` field (for the help texts)."""
    return preset_default("small", name)


def _add_fit_args(p: argparse.ArgumentParser) -> None:
    _add_model_args(p)
    g = p.add_argument_group("training")
    g.add_argument("--mode", choices=("dense", "direct", "admm"), default="dense",
                   help="how to obtain the weights (see below)")
    g.add_argument("--k", type=int, default=None,
                   help="block size of the gate matrices (direct/admm; default: 8)")
    g.add_argument("--k-proj", type=int, default=0,
                   help="block size of the projection (direct/admm; 0: --k)")
    g.add_argument("--epochs", type=int, default=20, help="epoch budget (all modes)")
    g.add_argument("--qat-epochs", type=int, default=0, help="quantization-aware fine-tuning epochs")
    g.add_argument("--qat-steps", type=int, default=0,
                   help="batches per QAT epoch (0: all; a QAT batch costs ~14x a float one)")
    g.add_argument("--qat-lr", type=float, default=1e-4,
                   help="Adam learning rate during QAT (measured against 5e-4 in docs/training.md)")
    g.add_argument("--calib-utts", type=int, default=200,
                   help="before QAT, choose the fixed-point formats from the float model's ranges "
                        "on this many training utterances (docs/numerics.md, 'Calibration'); 0: "
                        "keep the formats of golden.formats.Formats")
    g.add_argument("--calib-margin", type=float, default=1.0,
                   help="each calibrated format covers this many times the largest magnitude seen")
    g.add_argument("--batch-size", type=int, default=None,
                   help="utterances per batch (per process) (default: 16 for the small preset, "
                        "else 32)")
    g.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    g.add_argument("--lr-decay", type=float, default=0.8,
                   help="learning rate factor per epoch over the second half of the budget")
    g.add_argument("--rho", type=float, default=1e-3, help="ADMM initial penalty")
    g.add_argument("--rho-growth", type=float, default=None,
                   help="ADMM rho factor per round (default: 1.7 for the small preset's admm "
                        "runs, else 3)")
    g.add_argument("--admm-rounds-per-epoch", type=int, default=2, help="ADMM Z/U updates per epoch")
    g.add_argument("--retrain-lr", type=float, default=None,
                   help="admm: learning rate at the start of the circulant retraining, times "
                        "--lr-decay per epoch (0: the global schedule; default: 3e-3 for the "
                        "small preset, else 0)")
    g.add_argument("--admm-pretrain", type=float, default=0.25,
                   help="share of the budget for dense pre-training (admm)")
    g.add_argument("--admm-frac", type=float, default=0.35,
                   help="share of the budget for ADMM rounds (admm); the rest retrains")
    g.add_argument("--distill-weight", type=float, default=0.0,
                   help="knowledge distillation: weight of the per-frame KL(teacher || student) "
                        "on the output posteriors, added to CTC in the ADMM, retrain, direct "
                        "and QAT epochs (0: off)")
    g.add_argument("--distill-temp", type=float, default=1.0, help="distillation temperature")
    g.add_argument("--teacher", default="", metavar="RUN",
                   help="distillation teacher: a trained run directory or checkpoint (default: "
                        "the admm run's own dense model at the end of pre-training)")
    g.add_argument("--avg-epochs", type=int, default=0,
                   help="end the budget with the mean of the weights after each of its last N "
                        "epochs (admm: retrain epochs; 0: off)")
    g.add_argument("--max-steps", type=int, default=0, help="cap batches per epoch (0: all; for CI)")
    g.add_argument("--seed", type=int, default=0, help="initialization and shuffling seed")
    g = p.add_argument_group("augmentation and normalization (docs/data.md, 'Augmentation')")
    g.add_argument("--augment", default=None, metavar="LIST",
                   help="training augmentation: none, all, or a comma-separated subset of "
                        f"{','.join(AUGMENTS)} (default: {_recipe('augment') or 'none'} for "
                        "small, else none)")
    g.add_argument("--aug-copies", type=int, default=None,
                   help="augmented versions of every training utterance, computed once and "
                        "cached (the audio transforms; default "
                        f"{_recipe('aug_copies')} for small, else 2)")
    g.add_argument("--aug-clean", type=float, default=None,
                   help="chance that an epoch trains an utterance's clean version (default "
                        f"{_recipe('aug_clean')})")
    g.add_argument("--voices", default=None, choices=("classic", "wide"),
                   help="synthetic corpus voices: the 12 classic en-us variants, or 50 more "
                        "variants (incl. the Klatt synthesizer) as training speakers; the test "
                        "split is the same (default: the preset's)")
    g.add_argument("--norm", default=None, choices=NORMS,
                   help="feature mean/variance normalization: per speaker, with the training "
                        f"split's statistics, per utterance, or none (default {_recipe('norm')})")


def _add_data_args(p: argparse.ArgumentParser, corpus: str | None = "default") -> None:
    g = p.add_argument_group("data")
    g.add_argument("--corpus", default=corpus, choices=("default", "tiny", "synthetic", "timit"),
                   help="default/tiny: embedded espeak-ng speech; synthetic: random sequences "
                        "(no external tools); timit: needs --timit"
                        + ("" if corpus else " (default: the run's corpus)"))
    g.add_argument("--timit", default="", metavar="PATH", help="TIMIT directory (TRAIN/, TEST/)")
    g.add_argument("--timit-test", default=None, metavar="SPEAKERS",
                   help="TIMIT test speakers: core (the 24-speaker core test set), all (every TEST "
                        "speaker outside the development set) or comma-separated speaker ids, for "
                        "TIMIT-layout corpora that are not TIMIT (default: core"
                        + ("" if corpus else ", or the run's") + ")")
    g.add_argument("--features", default=None, choices=("mfcc39", "fbank153", "fbank40"),
                   help="feature preset (default: the preset's: fbank40 for small, fbank153 for "
                        "the 1024 presets, mfcc39 for tiny)")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads per process (1 is fastest for these sizes; use "
                        "torchrun --nproc_per_node 2 for two cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bars, warnings only")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="python -m train", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("fit", help="train a model (dense, direct circulant or ADMM; optional QAT)",
                       description="Train a model into --out: checkpoint.pt (full config, weights, "
                                   "optimizer), log.jsonl (one record per epoch), result.json "
                                   "(test PER, time). Interrupted? Rerun with --resume.",
                       epilog=EPILOG)
    _add_fit_args(p)
    _add_data_args(p)
    p.add_argument("--out", required=True, help="run directory")
    p.add_argument("--resume", action="store_true", help="continue from --out/checkpoint.pt")
    _add_common(p)
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("eval", help="phone error rate in float and bit-accurate fixed point",
                       description="Evaluate a run (directory or checkpoint): PER with the "
                                   "PyTorch float model, and with --fixed the bit-accurate "
                                   "fixed-point PER computed by the golden model (golden.runner).")
    p.add_argument("run", help="run directory or checkpoint.pt")
    p.add_argument("--split", default="test", choices=("train", "dev", "test"))
    p.add_argument("--fixed", action="store_true", help="also run golden's bit-accurate model")
    p.add_argument("--golden-float", action="store_true", help="also run golden's float model")
    p.add_argument("--limit", type=int, default=0, help="evaluate the first N utterances only")
    p.add_argument("--beam", type=int, default=0, help="CTC prefix beam width (0: greedy)")
    p.add_argument("--conditions", default="", metavar="LIST",
                   help="robustness test sets: 'all' or a comma-separated subset of "
                        f"{','.join(CONDITIONS)}; the split's PER under each (float, and fixed "
                        "point with --fixed; docs/data.md, 'Robustness test sets')")
    p.add_argument("--json", default="", help="write the results to this JSON file")
    _add_data_args(p, corpus=None)
    _add_common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("numerics", help="ranges, calibrated formats, saturation and SQNR of a run",
                       description="The fixed-point numerics of a run (docs/numerics.md, "
                                   "'Calibration'): the float model's magnitudes at every "
                                   "rounding point over training utterances, the formats "
                                   "calibration chooses from them, and, on --split, each "
                                   "rounding point's saturation and the per-utterance SQNR of "
                                   "the bit-accurate model against float64.")
    p.add_argument("run", help="run directory or checkpoint.pt")
    p.add_argument("--calib-utts", type=int, default=200,
                   help="training utterances for the float ranges")
    p.add_argument("--split", default="test", choices=("train", "dev", "test"))
    p.add_argument("--limit", type=int, default=0, help="measure the first N utterances only")
    p.add_argument("--compare", default="",
                   help="also measure these formats: 'default' (golden.formats.Formats) or a "
                        "JSON file of formats")
    p.add_argument("--per-layer", action="store_true",
                   help="multi-layer models: the formats each layer's own ranges would get, and "
                        "the SQNR with them")
    p.add_argument("--json", default="", help="write the figures to this JSON file")
    _add_common(p)
    p.set_defaults(func=cmd_numerics)

    p = sub.add_parser("export", help="write the bundle for golden/ and rtl/",
                       description="Export a run as a versioned bundle: model.npz (golden's "
                                   "Model container: config, formats, time-domain circulant "
                                   "vectors, biases, peepholes, classifier), weights_q.npz "
                                   "(quantized frequency-domain weights, activation tables), "
                                   "engine/d*/ (the RTL engine's memory images and "
                                   "engine_params.vh for --n-pe/--wpar/--hlanes, when the model "
                                   "fits the engine; `python -m runtime run` uses them) and "
                                   "bundle.json (manifest with checksums). "
                                   "See docs/training.md.")
    p.add_argument("run", help="run directory or checkpoint.pt")
    p.add_argument("--out", required=True, help="bundle directory")
    p.add_argument("--name", default="", help="model name in the bundle (default: run directory name)")
    p.add_argument("--n-pe", type=int, default=DEFAULT_N_PE,
                   help="PEs of the RTL engine build for engine/")
    p.add_argument("--wpar", type=int, default=1,
                   help="complex multipliers per PE of that build (words per beat, a power of two "
                        "dividing k/2)")
    p.add_argument("--hlanes", type=int, default=1,
                   help="hand-off lanes of that build (a power of two dividing --n-pe)")
    p.add_argument("--check-utts", type=int, default=50,
                   help="run the fixed-point model over this many dev utterances first and refuse "
                        "a model whose saturation rate at a rounding point exceeds "
                        "--saturation-limit (0: no check)")
    p.add_argument("--saturation-limit", type=float, default=0.01,
                   help="the refusal threshold, percent of a rounding point's values")
    p.add_argument("--allow-saturation", action="store_true",
                   help="export a model above the limit anyway (with a warning)")
    _add_common(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("check", help="validate an exported bundle and print its summary",
                       description="Re-read a bundle written by `python -m train export`: every "
                                   "file against its checksum in bundle.json, the model's config, "
                                   "formats and shapes, and the quantized weights against the float "
                                   "ones; print the model, its formats, the engine build and the "
                                   "files, or one `error:` line (exit status 2).")
    p.add_argument("bundle", help="bundle directory (the --out of `python -m train export`)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("explore", help="E-RNN phase I: sweep k x mode x cell x width, float and "
                                       "fixed-point PER, pick the cheapest",
                       description="Train every combination of block size, training mode, cell "
                                   "type and width with the same epoch budget (k = 1: the dense "
                                   "model, once per cell and width), evaluate each on the test "
                                   "split in float and bit-accurately in fixed point (golden, "
                                   "what the RTL computes), write results.json, table.md and PNG "
                                   "plots (PER vs compression and vs complex MACs per frame, one "
                                   "line per cell type and mode), and name the cheapest model "
                                   "(fewest complex MACs per frame, then fewest parameters) whose "
                                   "test PER (fixed point if evaluated) <= --max-per. Finished "
                                   "points are reused when rerun, so an interrupted sweep is "
                                   "completed by rerunning the same command.",
                       epilog="CI-sized example (seconds): python -m train explore --preset tiny "
                              "--corpus tiny --ks 1 4 --epochs 3 --max-steps 2 --out /tmp/ex")
    p.add_argument("--ks", type=int, nargs="+", default=[1, 2, 4, 8, 16],
                   help="block sizes (1: the dense baseline)")
    p.add_argument("--modes", "--explore-mode", nargs="+", default=["admm", "direct"],
                   choices=("direct", "admm"), help="training modes for k > 1")
    p.add_argument("--cells", nargs="+", default=["lstm", "gru"], choices=("lstm", "gru"))
    p.add_argument("--widths", type=int, nargs="+", default=None,
                   help="hidden sizes (default: --hidden or the preset's); --cells replaces --cell")
    p.add_argument("--fixed", action=argparse.BooleanOptionalAction, default=True,
                   help="evaluate every point bit-accurately in fixed point with golden "
                        "(default: on; --no-fixed leaves per_fixed null)")
    p.add_argument("--max-per", type=float, default=30.0, help="accuracy requirement (PER %%)")
    p.add_argument("--out", required=True, help="output directory")
    _add_model_args(p)
    g = p.add_argument_group("training")
    g.add_argument("--epochs", type=int, default=6, help="epoch budget per point (admm: >= 3)")
    g.add_argument("--batch-size", type=int, default=None,
                   help="utterances per batch (default: 16 for the small preset, else 32)")
    g.add_argument("--lr", type=float, default=3e-3)
    g.add_argument("--max-steps", type=int, default=0, help="cap batches per epoch (0: all; CI)")
    g.add_argument("--qat-epochs", type=int, default=0,
                   help="quantization-aware fine-tuning epochs per point (0: post-training "
                        "quantization)")
    g.add_argument("--qat-steps", type=int, default=0, help="batches per QAT epoch (0: all)")
    g.add_argument("--seed", type=int, default=0)
    _add_data_args(p)
    _add_common(p)
    p.set_defaults(func=cmd_explore)

    data_cli.add_parser(sub)
    return parser


def _setup(args) -> None:
    import torch
    torch.set_num_threads(max(1, args.threads))
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING if args.quiet else logging.INFO)    # run dirs get train.log
    logging.basicConfig(level=logging.INFO, handlers=[console],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")


def config_from_args(args) -> "TrainConfig":
    import dataclasses
    from train.config import PRESET_FEATURES, PRESETS, TrainConfig, preset_default

    spec = PRESETS[args.preset]
    over = {"cell": args.cell, "hidden_size": args.hidden, "num_layers": args.layers,
            "proj_size": args.proj, "peephole": args.peephole, "bidirectional": args.bidirectional}
    spec = dataclasses.replace(spec, **{k: v for k, v in over.items() if v is not None})
    features = args.features or PRESET_FEATURES[args.preset]
    if hasattr(args, "admm_frac"):
        kw0 = {"admm_pretrain": args.admm_pretrain, "admm_rounds_frac": args.admm_frac}
    else:
        kw0 = {}
    # a block size means a circulant run: refuse it with the dense mode (it would be ignored)
    # before any data is loaded
    mode = getattr(args, "mode", "dense")
    if hasattr(args, "k") and mode == "dense" and (args.k is not None or args.k_proj):
        opt = "--k" if args.k is not None else "--k-proj"
        raise UsageError(f"{opt} sets the block size of --mode direct or admm; --mode dense "
                         f"(the default) trains uncompressed weights: add --mode admm (or "
                         f"direct), or drop {opt}")
    if hasattr(args, "k") and args.k is None:
        args.k = 8
    kw = kw0 | {name: getattr(args, name) for name in
          ("mode", "k", "k_proj", "epochs", "qat_epochs", "qat_steps", "qat_lr", "calib_utts", "calib_margin", "batch_size", "lr", "lr_decay", "rho",
           "rho_growth", "admm_rounds_per_epoch", "max_steps", "seed", "retrain_lr", "avg_epochs", "distill_weight",
           "distill_temp", "teacher", "augment", "aug_copies", "aug_clean", "norm", "voices") if hasattr(args, name)}
    # options left unset: the preset's recipe (PRESET_DEFAULTS, and ADMM_DEFAULTS for admm
    # runs), else the TrainConfig default
    for name in ("batch_size", "retrain_lr", "rho_growth", "augment", "aug_copies", "aug_clean",
                 "norm", "voices"):
        if name in kw and kw[name] is None:
            kw[name] = preset_default(args.preset, name, kw.get("mode", "dense"))
            if name == "augment" and args.corpus == "synthetic":
                kw[name] = ""          # random features have no audio: no default augmentation
    try:
        return TrainConfig(preset=args.preset, model=spec, corpus=args.corpus,
                           timit_path=args.timit, timit_test=args.timit_test or "core",
                           features=features, **kw)
    except ValueError as e:        # a refused combination of options, before any data is loaded
        raise UsageError(f"{e}; see python -m train fit --help") from None


def _dataset(cfg, args=None):
    from train.batches import run_dataset
    return run_dataset(cfg, augment=True)


def cmd_fit(args) -> int:
    _setup(args)
    import dataclasses
    from train.trainer import fit

    cfg = config_from_args(args)
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out {args.out} is a file; fit writes a run directory there: give a "
                         f"new directory or an earlier run's")
    if cfg.teacher:                        # a wrong --teacher path: before the corpus loads
        from train.trainer import run_checkpoint
        run_checkpoint(cfg.teacher)
    try:                                   # a bad block size: one line, before the corpus loads
        cfg.model.validate()
        cfg.target_spec.validate()
    except ValueError as e:
        raise UsageError(str(e)) from e
    ds = _dataset(cfg)
    if ds.input_size != cfg.model.input_size:
        cfg.model = dataclasses.replace(cfg.model, input_size=ds.input_size)
    cfg.model.validate()
    cfg.target_spec.validate()
    res = fit(cfg, args.out, ds, resume=args.resume, progress=not args.quiet)
    if "test_per" in res:
        print(f"{args.out}: mode {cfg.mode} k={cfg.target_spec.k} test PER "
              f"{res['test_per']:.2f}% ({'fixed-point QAT' if res['quantized'] else 'float'}), "
              f"{res['params']:,} params, {res['train_seconds']:.0f} s")
    return 0


def cmd_eval(args) -> int:
    from train.evaluate import parse_conditions, run_eval
    args.conditions = parse_conditions(args.conditions)     # a typo: before anything loads
    _setup(args)
    res = run_eval(args)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


def cmd_numerics(args) -> int:
    if args.calib_utts < 1 or args.limit < 0:
        raise UsageError(f"--calib-utts must be >= 1 and --limit >= 0, got {args.calib_utts} "
                         f"and {args.limit}")
    if args.compare and args.compare != "default" and not Path(args.compare).is_file():
        raise UsageError(f"--compare {args.compare}: no such file (give 'default' or a JSON "
                         "file of formats)")
    _setup(args)
    from train.numerics import run_numerics
    run_numerics(args)
    return 0


def cmd_export(args) -> int:
    from train.export import MANIFEST, export_run

    for opt, v in (("--wpar", args.wpar), ("--hlanes", args.hlanes)):
        if v < 1 or v & (v - 1):
            raise UsageError(f"{opt} {v}: must be a power of two >= 1")
    if args.n_pe < 1 or args.n_pe % args.hlanes:
        raise UsageError(f"--hlanes {args.hlanes} must divide --n-pe {args.n_pe}")
    out = Path(args.out)
    if out.exists() and not (out / MANIFEST).is_file() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out}: {'a directory that is not a bundle' if out.is_dir() else 'a file'}"
                         f" (export writes a directory of files and replaces an earlier bundle); "
                         f"give a new directory or an earlier bundle's")
    if args.check_utts < 0 or not 0 <= args.saturation_limit <= 100:
        raise UsageError(f"--check-utts must be >= 0 and --saturation-limit a percentage, got "
                         f"{args.check_utts} and {args.saturation_limit}")
    _setup(args)
    path = export_run(args.run, args.out, name=args.name or None, n_pe=args.n_pe,
                      wpar=args.wpar, hlanes=args.hlanes, check_utts=args.check_utts,
                      limit=args.saturation_limit / 100, allow_saturation=args.allow_saturation)
    print(f"bundle written to {path}")
    return 0


def cmd_check(args) -> int:
    from train.export import MANIFEST, load_bundle

    try:
        gm = load_bundle(args.bundle)
    except ValueError as e:
        raise UsageError(str(e)) from e
    out = Path(args.bundle)
    man = json.loads((out / MANIFEST).read_text())
    F = gm.config.formats
    eng = man.get("engine") or {}
    if eng.get("written"):
        engine = (f"images for N_PE {eng['n_pe']}, WPAR {eng['wpar']}, HLANES {eng['hlanes']}, "
                  f"{eng['directions']} direction(s)")
    else:
        engine = f"no images ({eng.get('reason', 'not recorded')})"
    by_dir: dict[str, list[str]] = {}
    for rel in [MANIFEST, *man["files"]]:
        folder, _, name = rel.rpartition("/")
        by_dir.setdefault(folder, []).append(name)
    print(f"{out}: bundle version {man['bundle_version']}, {len(man['files']) + 1} files, "
          f"checksums, shapes and quantized weights OK")
    print(f"model   : {gm.summary()}")
    print("formats : " + ", ".join(f"{n} {v}" for n, v in F.to_dict().items()))
    print(f"engine  : {engine}")
    for folder, names in by_dir.items():
        print(f"files   : {folder + '/' if folder else '.'} ({len(names)}): {' '.join(names)}")
    return 0


def cmd_explore(args) -> int:
    _setup(args)
    from train.explore import run_explore
    run_explore(args)
    return 0


def main(argv: list[str] | None = None) -> int:
    from train.data.timit import TimitError

    args = build_parser().parse_args(argv)
    return run(args.func, args, errors=(TimitError,))


if __name__ == "__main__":
    sys.exit(main())
