"""`python -m train eval`: PER of a trained model in float (PyTorch, and golden's float path)
and in bit-accurate fixed point (golden's fixed path: what the hardware computes).

Golden runs a batch of equal-length sequences; to batch utterances of different lengths,
`golden_logits` drives golden's own layer objects (golden.cells.make_layer) over zero-padded
batches and runs the reverse direction on each sequence flipped within its length, which is
what golden's runner does on the unpadded sequence (checked against golden.runner in the tests).
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from golden.cells import make_layer
from golden.cli import UsageError
from golden.fixed import quantize, to_float
from golden.model import Model

from .batches import Example, batch_plan
from .ctc import beam_decode, greedy_decode, per

log = logging.getLogger(__name__)


def _flip(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    T = x.shape[0]
    t = np.arange(T)[:, None]
    idx = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    return np.take_along_axis(x, idx[:, :, None], axis=0)


def golden_logits(gm: Model, feats: list[np.ndarray], fixed: bool) -> list[np.ndarray]:
    """Per-utterance (T, C) logits from golden's float or bit-accurate layers (one batch)."""
    c = gm.config
    lengths = np.array([len(f) for f in feats])
    T = int(lengths.max())
    x = np.zeros((T, len(feats), c.input_size))
    for b, f in enumerate(feats):
        x[:len(f), b] = f
    f_data = c.formats.fmt("data")
    h = quantize(x, f_data) if fixed else x
    for l in range(c.num_layers):
        outs = []
        for d in range(c.dirs):
            lay = make_layer(c, gm.params, l, d, fixed)
            inp = _flip(h, lengths) if d == 1 else h
            y = lay.run(inp)["out"]
            outs.append(_flip(y, lengths) if d == 1 else y)
        h = np.concatenate(outs, axis=-1)
    out = to_float(h, f_data) if fixed else h
    logits = out @ gm.params["cls.w"].T + gm.params["cls.b"]
    return [logits[:L, b] for b, L in enumerate(lengths)]


def golden_per(gm: Model, examples: list[Example], fixed: bool, batch_size: int = 32,
               beam: int = 0, progress: bool = True) -> float:
    from tqdm import tqdm

    refs, hyps = [], []
    plan = batch_plan([len(e.feats) for e in examples], batch_size, 0, 0, shuffle=False)
    for idx in tqdm(plan, desc="golden " + ("fixed" if fixed else "float"), unit="batch",
                    disable=not progress, leave=False):
        for i, lg in zip(idx, golden_logits(gm, [examples[i].feats for i in idx], fixed)):
            hyps.append(beam_decode(lg, beam) if beam else greedy_decode(lg))
            refs.append(examples[i].labels.tolist())
    return per(refs, hyps)


def numerics(gm: Model, examples: list[Example], progress: bool = True) -> dict:
    """Print and return the fixed-point model's saturation per rounding point and its
    per-utterance SQNR against float64 (golden.calibrate.measure, one utterance at a time)."""
    import time

    from tqdm import tqdm

    from golden.calibrate import measure

    from .export import SATURATION_LIMIT
    t = time.perf_counter()
    meas = measure(gm, [e.feats for e in examples],
                   lambda it: tqdm(it, desc="saturation, SQNR", unit="utt", disable=not progress,
                                   leave=False))
    print(f"fixed-point numerics, formats {', '.join(f'{n} {v}' for n, v in gm.config.formats.to_dict().items())}"
          f"  [{time.perf_counter() - t:.0f} s]:")
    for line in meas.lines(SATURATION_LIMIT):
        print(line)
    return meas.summary() | {"sqnr_db": meas.sqnr}


def run_eval(args) -> dict:
    """The `eval` subcommand: prints and returns the PERs."""
    import time

    from .batches import run_dataset
    from .export import to_golden
    from .trainer import evaluate, load_checkpoint, model_from_checkpoint, run_checkpoint

    run = Path(args.run)
    ck = load_checkpoint(run_checkpoint(run))
    model, cfg = model_from_checkpoint(ck)
    corpus = args.corpus or cfg.corpus
    conditions = getattr(args, "conditions", ())
    if conditions and corpus == "synthetic":
        raise UsageError("--conditions: corpus 'synthetic' has random features, no audio to "
                         "degrade; evaluate a speech corpus (--corpus default, tiny or timit)")
    t_data = time.perf_counter()
    ds = run_dataset(cfg, corpus=corpus, features=args.features or "", timit_path=args.timit,
                     timit_test=args.timit_test or "", conditions=conditions)
    t_data = time.perf_counter() - t_data
    examples = ds.split(args.split)
    if args.limit:
        examples = examples[:args.limit]
    res = {"run": str(run), "split": args.split, "corpus": corpus, "utterances": len(examples),
           "k": model.spec.k, "params": model.n_params(),
           "dense_equivalent_params": model.spec.dense_equivalent_params()}
    t = time.perf_counter()
    res["per_float_torch"] = evaluate(model, examples, cfg.eval_batch, beam=args.beam)["per"]
    print(f"{run}: {args.split} ({len(examples)} utts) PER float (PyTorch)        "
          f"{res['per_float_torch']:6.2f}%  [{time.perf_counter() - t:.0f} s]")
    gm = to_golden(model, cfg.golden_formats(), run.name)
    progress = not args.quiet
    if args.golden_float:
        t = time.perf_counter()
        res["per_float_golden"] = golden_per(gm, examples, False, beam=args.beam, progress=progress)
        print(f"{run}: {args.split} PER float (golden)                       "
              f"{res['per_float_golden']:6.2f}%  [{time.perf_counter() - t:.0f} s]")
    if args.fixed:
        t = time.perf_counter()
        res["per_fixed_golden"] = golden_per(gm, examples, True, beam=args.beam, progress=progress)
        print(f"{run}: {args.split} PER bit-accurate fixed point (golden) "
              f"{res['per_fixed_golden']:6.2f}%  [{time.perf_counter() - t:.0f} s]")
        res["numerics"] = numerics(gm, examples, progress)
    if conditions:
        res["conditions"] = robustness(model, cfg, gm, ds, args, conditions, t_data, progress)
    return res


def parse_conditions(spec: str) -> tuple[str, ...]:
    """`--conditions`: '' (none), 'all', or a comma-separated list of CONDITIONS."""
    from .data.augment import CONDITIONS
    spec = (spec or "").strip()
    if not spec:
        return ()
    names = CONDITIONS if spec == "all" else tuple(c.strip() for c in spec.split(",") if c.strip())
    unknown = [c for c in names if c not in CONDITIONS]
    if unknown:
        raise UsageError(f"--conditions: unknown condition(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(CONDITIONS)} or 'all'")
    return names


def robustness(model, cfg, gm: Model, ds, args, conditions: tuple[str, ...], load_s: float,
               progress: bool) -> dict:
    """PER on the robustness test sets of `ds` (`train.data.load_condition`): float, and fixed
    point with --fixed; prints a table and returns {condition: {per_float, per_fixed}}."""
    from .trainer import evaluate
    print(f"robustness test sets (the test split; data with the degraded audio's features "
          f"loaded in {load_s:.0f} s):")
    print(f"  {'condition':10s} {'utts':>5s} {'PER float':>10s}" + (f" {'PER fixed':>10s}" if args.fixed else ""))
    out = {}
    for cond in conditions:
        examples = ds.conditions[cond][:args.limit] if args.limit else ds.conditions[cond]
        row = {"utterances": len(examples),
               "per_float": evaluate(model, examples, cfg.eval_batch, beam=args.beam)["per"]}
        if args.fixed:
            row["per_fixed"] = golden_per(gm, examples, True, beam=args.beam, progress=progress)
        out[cond] = row
        print(f"  {cond:10s} {row['utterances']:5d} {row['per_float']:9.2f}%"
              + (f" {row['per_fixed']:9.2f}%" if args.fixed else ""))
    return out
