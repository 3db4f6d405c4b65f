"""`python -m train explore`: E-RNN phase I design exploration.

Train every (cell type, width, block size k) with the same epoch budget (k = 1 dense; k > 1 by
ADMM or direct training), then write ``results.json``, ``table.md`` and two plots: PER against
compression (dense-equivalent / stored parameters) and PER against cost (complex MACs per
frame, DESIGN section 6), one line per cell type and width.  The cheapest model (fewest
complex MACs per frame, then fewest parameters) whose test PER meets ``--max-per`` is named.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

from .config import PRESETS, TrainConfig, with_k

log = logging.getLogger(__name__)


def complex_macs_per_frame(spec) -> int:
    """sum over matrices of p * q * (k/2 + 1) (k = 1: m * n real MACs, counted as 1 each)."""
    total = 0
    for name, shape in spec.param_shapes().items():
        if len(shape) == 3:
            p, q, k = shape
            total += p * q * (k // 2 + 1)
    return total


def sweep_configs(args, input_size: int) -> list[tuple[str, TrainConfig]]:
    base = PRESETS[args.preset]
    over = {"hidden_size": None, "num_layers": args.layers, "proj_size": args.proj,
            "peephole": args.peephole, "bidirectional": args.bidirectional}
    base = dataclasses.replace(base, input_size=input_size,
                               **{k: v for k, v in over.items() if v is not None})
    out = []
    for cell in args.cells:
        for width in args.widths or [args.hidden or base.hidden_size]:
            spec = dataclasses.replace(base, cell=cell, hidden_size=width,
                                       proj_size=0 if cell == "gru" else base.proj_size,
                                       peephole=False if cell == "gru" else base.peephole)
            for k in args.ks:
                mode = "dense" if k == 1 else args.explore_mode
                cfg = TrainConfig(preset=args.preset, model=spec, mode=mode, k=max(k, 1),
                                  corpus=args.corpus, timit_path=args.timit,
                                  features=args.features or "mfcc39", epochs=args.epochs,
                                  batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                                  max_steps=args.max_steps)
                out.append((f"{cell}-h{width}-k{k}", cfg))
    return out


def run_explore(args) -> dict:
    from .batches import load_dataset
    from .trainer import fit

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ds = load_dataset(args.corpus, args.features or "mfcc39", args.timit, args.seed)
    rows = []
    for name, cfg in sweep_configs(args, ds.input_size):
        done = out / name / "result.json"
        if done.is_file():                      # a rerun skips finished points
            res = json.loads(done.read_text())
        else:
            log.info("explore: training %s (%s)", name, cfg.mode)
            res = fit(cfg, out / name, ds, resume=True, progress=not args.quiet)
        spec = cfg.target_spec
        rows.append({"name": name, "cell": spec.cell, "hidden": spec.hidden_size, "k": spec.k,
                     "mode": cfg.mode, "test_per": res["test_per"], "dev_per": res["dev_per"],
                     "params": spec.n_params(), "dense_params": spec.dense_equivalent_params(),
                     "compression": spec.dense_equivalent_params() / spec.n_params(),
                     "cmacs_per_frame": complex_macs_per_frame(spec),
                     "train_seconds": res["train_seconds"]})
    ok = [r for r in rows if r["test_per"] <= args.max_per]
    best = min(ok, key=lambda r: (r["cmacs_per_frame"], r["params"])) if ok else None
    summary = {"max_per": args.max_per, "corpus": args.corpus, "epochs": args.epochs,
               "rows": rows, "cheapest": best["name"] if best else None}
    (out / "results.json").write_text(json.dumps(summary, indent=2))
    table = ["| model | mode | k | params | compression | cMACs/frame | test PER % | train s |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        mark = " **(cheapest meeting the target)**" if best and r is best else ""
        table.append(f"| {r['name']}{mark} | {r['mode']} | {r['k']} | {r['params']:,} | "
                     f"{r['compression']:.1f}x | {r['cmacs_per_frame']:,} | {r['test_per']:.2f} | "
                     f"{r['train_seconds']:.0f} |")
    verdict = (f"Cheapest model with test PER <= {args.max_per}%: {best['name']}" if best else
               f"No model meets test PER <= {args.max_per}%")
    (out / "table.md").write_text("\n".join(table) + "\n\n" + verdict + "\n")
    _plots(rows, out)
    print("\n".join(table))
    print(verdict)
    return summary


def _plots(rows: list[dict], out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for xkey, xlabel, fname, logx in (
            ("compression", "compression (dense-equivalent / stored parameters)",
             "per_vs_compression.png", True),
            ("cmacs_per_frame", "complex MACs per frame", "per_vs_cost.png", True)):
        fig, ax = plt.subplots(figsize=(6, 4))
        groups: dict = {}
        for r in rows:
            groups.setdefault((r["cell"], r["hidden"]), []).append(r)
        for (cell, h), rs in sorted(groups.items()):
            rs = sorted(rs, key=lambda r: r[xkey])
            ax.plot([r[xkey] for r in rs], [r["test_per"] for r in rs], "o-",
                    label=f"{cell.upper()} H={h}")
            for r in rs:
                ax.annotate(f"k={r['k']}", (r[xkey], r["test_per"]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
        if logx:
            ax.set_xscale("log", base=2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test PER (%)")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / fname, dpi=120)
        plt.close(fig)
