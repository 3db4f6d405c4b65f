"""`python -m train explore`: E-RNN phase I design exploration (the accuracy table of the
design-space report).

Trains every (cell type, width, block size k, mode) with the same epoch budget: k = 1 is the
dense baseline, trained once per cell and width; every k > 1 is trained by each of
``--modes`` (ADMM and/or direct block-circulant training).  Each trained point is evaluated on
the test split twice: in float (PyTorch) and bit-accurately in fixed point by golden's fixed
path (`python -m train eval RUN --fixed`, i.e. what the RTL computes; post-training
quantization unless ``--qat-epochs`` adds quantization-aware fine-tuning).

Writes ``results.json`` (schema below, read by the report generator), ``table.md`` and two
plots: PER against compression (dense-equivalent / stored parameters) and PER against cost
(complex MACs per frame, docs/design.md section 5), one line per (cell, width, mode), float solid and
fixed point dashed.  The cheapest model (fewest complex MACs per frame, then fewest parameters)
whose test PER (fixed point when evaluated, else float) meets ``--max-per`` is named.

results.json::

    {"corpus", "preset", "epochs", "seed", "max_per", "cheapest": name | null,
     "rows": [{"name", "cell", "hidden", "k", "mode": dense|admm|direct,
               "per_float", "per_fixed": float | null, "test_per" (= per_float), "dev_per",
               "params", "dense_params", "compression", "cmacs_per_frame",
               "train_seconds"}]}

Every point lives in ``OUT/<name>/`` (a `fit` run directory plus ``fixed.json``); a rerun
reuses finished points and evaluations, so an interrupted sweep is completed by rerunning it.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import time
from pathlib import Path

from .config import PRESET_FEATURES, PRESETS, TrainConfig, preset_default

log = logging.getLogger(__name__)

FIXED_JSON = "fixed.json"


def complex_macs_per_frame(spec) -> int:
    """sum over matrices of p * q * (k/2 + 1) (k = 1: m * n real MACs, counted as 1 each)."""
    total = 0
    for name, shape in spec.param_shapes().items():
        if len(shape) == 3:
            p, q, k = shape
            total += p * q * (k // 2 + 1)
    return total


def point_name(cell: str, width: int, k: int, mode: str) -> str:
    """Run directory name of one sweep point: ``lstm-h128-dense``, ``gru-h128-k8-admm``."""
    return f"{cell}-h{width}-dense" if mode == "dense" else f"{cell}-h{width}-k{k}-{mode}"


def sweep_configs(args, input_size: int, features: str) -> list[tuple[str, TrainConfig]]:
    """The sweep's points in table order: per cell and width, dense first, then by k and mode."""
    bad = [k for k in args.ks if k < 1 or k & (k - 1)]
    if bad:
        raise ValueError(f"--ks: block sizes must be powers of two >= 1, got {bad}")
    base = PRESETS[args.preset]
    over = {"hidden_size": None, "num_layers": args.layers, "proj_size": args.proj,
            "peephole": args.peephole, "bidirectional": args.bidirectional}
    base = dataclasses.replace(base, input_size=input_size,
                               **{k: v for k, v in over.items() if v is not None})
    points = [(1, "dense")] if 1 in args.ks else []
    points += [(k, mode) for k in sorted(set(args.ks) - {1}) for mode in dict.fromkeys(args.modes)]
    batch_size = args.batch_size or preset_default(args.preset, "batch_size")
    out = []
    for cell in dict.fromkeys(args.cells):
        for width in args.widths or [args.hidden or base.hidden_size]:
            spec = dataclasses.replace(base, cell=cell, hidden_size=width,
                                       proj_size=0 if cell == "gru" else base.proj_size,
                                       peephole=False if cell == "gru" else base.peephole)
            for k, mode in points:
                cfg = TrainConfig(preset=args.preset, model=spec, mode=mode, k=k,
                                  corpus=args.corpus, timit_path=args.timit,
                                  features=features, epochs=args.epochs,
                                  batch_size=batch_size, lr=args.lr, seed=args.seed,
                                  max_steps=args.max_steps, qat_epochs=args.qat_epochs,
                                  qat_steps=args.qat_steps)
                cfg.target_spec.validate()
                out.append((point_name(cell, width, k, mode), cfg))
    return out


def _train_point(name: str, cfg: TrainConfig, run: Path, ds, progress: bool) -> dict:
    """The point's fit result: reused when ``run/result.json`` was written by the same
    configuration, else trained (resuming an interrupted run)."""
    from .trainer import fit

    done = run / "result.json"
    if done.is_file():
        res = json.loads(done.read_text())
        if TrainConfig.from_dict(res["config"]) != cfg:
            raise ValueError(f"explore: {run} holds a run with another configuration (epochs, "
                             "preset, corpus, ...); use another --out or delete that directory")
        log.info("explore: reusing %s (test PER %.2f%%)", name, res["test_per"])
        return res
    log.info("explore: training %s (%s, k=%d, %d epochs)", name, cfg.mode, cfg.target_spec.k,
             cfg.epochs)
    return fit(cfg, run, ds, resume=True, progress=progress)


def _evaluate_point(run: Path, ds, res: dict, fixed: bool, progress: bool) -> dict:
    """Float (PyTorch) and bit-accurate fixed-point (golden) test PER of a trained point,
    cached in ``run/fixed.json``."""
    from .evaluate import golden_per
    from .export import to_golden
    from .trainer import CKPT, evaluate, load_checkpoint, model_from_checkpoint

    cache = run / FIXED_JSON
    ev = json.loads(cache.read_text()) if cache.is_file() else {}
    if "per_float" in ev and ("per_fixed" in ev or not fixed):
        return ev
    model, cfg = model_from_checkpoint(load_checkpoint(run / CKPT))
    # fit's test PER is the float one unless the run ended with QAT (then it is fixed point)
    ev["per_float"] = (evaluate(model, ds.test, cfg.eval_batch)["per"] if res["quantized"]
                       else res["test_per"])
    if fixed:
        t = time.perf_counter()
        gm = to_golden(model, cfg.golden_formats(), run.name)
        ev["per_fixed"] = golden_per(gm, ds.test, True, progress=progress)
        ev.update({"split": "test", "utterances": len(ds.test),
                   "fixed_seconds": time.perf_counter() - t})
        log.info("explore: %s test PER float %.2f%%, fixed point (golden) %.2f%% [%.0f s]",
                 run.name, ev["per_float"], ev["per_fixed"], ev["fixed_seconds"])
        cache.write_text(json.dumps(ev, indent=2))
    return ev


def run_explore(args) -> dict:
    from .batches import load_dataset

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    features = args.features or PRESET_FEATURES[args.preset]
    ds = load_dataset(args.corpus, features, args.timit, args.seed, args.timit_test or "core")
    progress = not args.quiet
    rows = []
    for name, cfg in sweep_configs(args, ds.input_size, features):
        res = _train_point(name, cfg, out / name, ds, progress)
        ev = _evaluate_point(out / name, ds, res, args.fixed, progress)
        spec = cfg.target_spec
        rows.append({"name": name, "cell": spec.cell, "hidden": spec.hidden_size, "k": spec.k,
                     "mode": cfg.mode, "per_float": ev["per_float"],
                     "per_fixed": ev.get("per_fixed"), "test_per": ev["per_float"],
                     "dev_per": res["dev_per"], "params": spec.n_params(),
                     "dense_params": spec.dense_equivalent_params(),
                     "compression": spec.dense_equivalent_params() / spec.n_params(),
                     "cmacs_per_frame": complex_macs_per_frame(spec),
                     "train_seconds": res["train_seconds"]})
    ok = [r for r in rows if _per(r) <= args.max_per]
    best = min(ok, key=lambda r: (r["cmacs_per_frame"], r["params"])) if ok else None
    summary = {"corpus": args.corpus, "preset": args.preset, "epochs": args.epochs,
               "seed": args.seed, "max_per": args.max_per, "cheapest": best["name"] if best else None,
               "rows": rows}
    (out / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    text = format_table(summary)
    (out / "table.md").write_text(text)
    _plots(rows, out)
    print(text, end="")
    return summary


def _per(r: dict) -> float:
    """The PER the chooser uses: fixed point (what the hardware computes) when evaluated."""
    return r["per_fixed"] if r["per_fixed"] is not None else r["per_float"]


def format_table(summary: dict) -> str:
    rows, best = summary["rows"], summary["cheapest"]
    lines = ["| model | cell | H | k | mode | params | compression | cMACs/frame | "
             "test PER float % | test PER fixed % | train s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        mark = " **(cheapest meeting the target)**" if r["name"] == best else ""
        fixed = "-" if r["per_fixed"] is None else f"{r['per_fixed']:.2f}"
        lines.append(f"| {r['name']}{mark} | {r['cell'].upper()} | {r['hidden']} | {r['k']} | "
                     f"{r['mode']} | {r['params']:,} | {r['compression']:.1f}x | "
                     f"{r['cmacs_per_frame']:,} | {r['per_float']:.2f} | {fixed} | "
                     f"{r['train_seconds']:.0f} |")
    which = "fixed-point" if any(r["per_fixed"] is not None for r in rows) else "float"
    verdict = (f"Cheapest model with {which} test PER <= {summary['max_per']}%: {best}" if best
               else f"No model meets {which} test PER <= {summary['max_per']}%")
    head = (f"Corpus {summary['corpus']}, preset {summary['preset']}, {summary['epochs']}-epoch "
            f"budget per point, seed {summary['seed']}; fixed = golden's bit-accurate model "
            "(what the RTL computes).")
    return head + "\n\n" + "\n".join(lines) + "\n\n" + verdict + "\n"


def _plots(rows: list[dict], out: Path) -> None:
    """per_vs_compression.png and per_vs_cost.png: one line per (cell, width, mode) through the
    float PERs, starting at the dense point (colour: cell and width; solid: ADMM, dashed:
    direct), and a cross at every fixed-point PER."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    widths = sorted({r["hidden"] for r in rows})
    nets = sorted({(r["cell"], r["hidden"]) for r in rows}, key=lambda c: (c[0] != "lstm", c[1]))
    colour = {net: f"C{i}" for i, net in enumerate(nets)}
    style = {"admm": "-", "direct": "--", "dense": "-"}
    groups: dict = {}
    for r in rows:
        if r["mode"] != "dense":
            groups.setdefault((r["cell"], r["hidden"], r["mode"]), []).append(r)
    for r in rows:                   # every line starts at its cell's dense point
        if r["mode"] == "dense":
            for key in [g for g in groups if g[:2] == (r["cell"], r["hidden"])] or \
                    [(r["cell"], r["hidden"], "dense")]:
                groups.setdefault(key, []).append(r)
    for xkey, xlabel, fname, fmt in (
            ("compression", "compression (dense-equivalent / stored parameters)",
             "per_vs_compression.png", lambda v, _: f"{v:g}x"),
            ("cmacs_per_frame", "complex MACs per frame (cost; cheaper to the right)",
             "per_vs_cost.png", lambda v, _: f"{v:,.0f}")):
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        for (cell, h, mode), rs in sorted(groups.items(), key=lambda g: (nets.index(g[0][:2]),
                                                                          g[0][2])):
            rs = sorted(rs, key=lambda r: r[xkey])
            name = cell.upper() + (f" H={h}" if len(widths) > 1 else "")
            c = colour[(cell, h)]
            ax.plot([r[xkey] for r in rs], [r["per_float"] for r in rs], style[mode], color=c,
                    marker="o", ms=4, label=f"{name} {mode} (float)")
            for r in rs:
                if r["mode"] == mode and r["k"] > 1:
                    ax.annotate(f"k={r['k']}", (r[xkey], r["per_float"]), fontsize=7,
                                xytext=(3, 3), textcoords="offset points", color=c)
        for net in nets:
            fx = [r for r in rows if (r["cell"], r["hidden"]) == net and r["per_fixed"] is not None]
            if fx:
                ax.plot([r[xkey] for r in fx], [r["per_fixed"] for r in fx], "x",
                        color=colour[net], ms=8, mew=1.5,
                        label=f"{net[0].upper()}" + (f" H={net[1]}" if len(widths) > 1 else "")
                        + " fixed point (golden)")
            for r in rows:
                if (r["cell"], r["hidden"]) == net and r["mode"] == "dense":
                    ax.annotate("dense", (r[xkey], r["per_float"]), fontsize=7,
                                xytext=(3, -10), textcoords="offset points", color=colour[net])
        ax.set_xscale("log", base=2)
        if xkey == "cmacs_per_frame":
            ax.invert_xaxis()       # cheaper to the right, as compression grows to the right
        ax.xaxis.set_major_formatter(FuncFormatter(fmt))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test PER (%)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / fname, dpi=120)
        plt.close(fig)
