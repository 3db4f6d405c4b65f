"""The robustness table of docs/training.md ("Robustness"), from trained runs.

    python bench/robustness.py LABEL=RUN [LABEL=RUN ...] [--flite data/flite-timit]
        [--json bench/results/robustness.json]

For every run: its training time and recipe (checkpoint), the float PER on each robustness
test set (`python -m train eval RUN --conditions all`, reused from RUN/robust.json when it is
there) and, with --flite, on the TIMIT-layout tree of a synthesizer it never heard
(bench/unseen_synth.py; reused from RUN/flite.json). Prints a Markdown table and writes the
figures with the machine's load to --json.  An existing --json file keeps its other rows
(those of runs measured before, whose directories may be gone): a row with the same label is
replaced, new labels are appended.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from train.data.augment import CONDITIONS

ROOT = Path(__file__).resolve().parents[1]
DEGRADED = tuple(c for c in CONDITIONS if c != "clean")


def _eval(run: Path, cached: str, args: list[str]) -> dict:
    path = run / cached
    if not path.is_file():
        subprocess.run([sys.executable, "-m", "train", "eval", str(run), *args, "--quiet",
                        "--json", str(path)], check=True, stdout=subprocess.DEVNULL)
    return json.loads(path.read_text())


def measure(label: str, run: Path, flite: str) -> dict:
    from train.trainer import load_checkpoint, run_checkpoint

    ck = load_checkpoint(run_checkpoint(run))
    cfg = ck["config"]
    result = json.loads((run / "result.json").read_text())
    rob = _eval(run, "robust.json", ["--conditions", "all"])["conditions"]
    row = {"label": label, "run": str(run), "mode": cfg["mode"],
           "k": cfg["k"] if cfg["mode"] != "dense" else 1, "augment": cfg.get("augment") or "none",
           "voices": cfg.get("voices", "classic"), "norm": cfg.get("norm", "speaker"),
           "aug_clean": cfg.get("aug_clean"), "train_seconds": result.get("train_seconds"),
           "per": {c: rob[c]["per_float"] for c in CONDITIONS}}
    row["degraded_mean"] = sum(row["per"][c] for c in DEGRADED) / len(DEGRADED)
    if flite:
        res = _eval(run, "flite.json", ["--corpus", "timit", "--timit", flite, "--timit-test", "all"])
        row["unseen_synth"] = {"per_float": res["per_float_torch"], "utterances": res["utterances"]}
    return row


def table(rows: list[dict]) -> str:
    head = ["model", "augment (clean share)", "norm", *CONDITIONS, "degraded mean"]
    flite = any("unseen_synth" in r for r in rows)
    if flite:
        head.append("Flite (unseen)")
    head.append("train s")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        aug = r["augment"] if r["augment"] == "none" else f"{r['augment']} ({r['aug_clean']})"
        cells = [r["label"], aug, r["norm"], *(f"{r['per'][c]:.1f}" for c in CONDITIONS),
                 f"{r['degraded_mean']:.1f}"]
        if flite:
            cells.append(f"{r['unseen_synth']['per_float']:.1f}" if "unseen_synth" in r else "")
        cells.append(f"{r['train_seconds']:.0f}" if r.get("train_seconds") else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", metavar="LABEL=RUN")
    ap.add_argument("--flite", default="", help="TIMIT-layout tree of bench/unseen_synth.py")
    ap.add_argument("--json", default="", help="write the figures here")
    args = ap.parse_args(argv)
    rows = []
    for item in args.runs:
        label, sep, run = item.partition("=")
        if not sep or not (Path(run) / "checkpoint.pt").is_file():
            print(f"error: {item!r}: give LABEL=RUN with a trained run directory", file=sys.stderr)
            return 2
        rows.append(measure(label, Path(run), args.flite))
    old = json.loads(Path(args.json).read_text()) if args.json and Path(args.json).is_file() else {}
    new = {r["label"]: r for r in rows}
    kept = [new.pop(r["label"], r) for r in old.get("rows", [])]
    rows = kept + list(new.values())
    text = table(rows)
    print("PER % (float, test split; lower is better)\n\n" + text)
    if args.json:
        out = {**old, "date": time.strftime("%Y-%m-%d"), "load_average": os.getloadavg(),
               "cpus": os.cpu_count(), "rows": rows, "table": text}
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
