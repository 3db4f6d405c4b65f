"""Merge routed ECP5 Fmax runs (the fmax.json files `python -m fpga fmax` writes) into the
committed results file bench/results/ecp5_fmax.json, one row per (top, config, parameters,
speed grade, placer seed), each with the RTL commit it was routed on and its critical path
summary.

    python scripts/collect_fmax.py build/fpga/engine/tiny_ecp5_speed6/fmax.json --commit abc1234

A multi-seed run (`python -m fpga fmax --seeds 1,2,3`) writes one fmax.json per seed
(`<run dir>/seed<N>/fmax.json`, each the row a single-seed run writes) and
`<run dir>/fmax_seeds.json` with all of them; either may be given:

    python scripts/collect_fmax.py build/fpga/engine/tiny_ecp5_speed6/fmax_seeds.json

After the rows it prints, per (top, config, parameters, speed grade, RTL commit) it touched,
the median Fmax over the seeds the results file holds for it (the headline figure: the
spread between placer seeds is large), with min and max.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from fpga.flow import median_of
from golden.cli import UsageError, run

OUT = ROOT / "bench" / "results" / "ecp5_fmax.json"


def row(run: dict, commit: str, note: str) -> dict:
    cp = run.get("critical_path") or {}
    fmax = run["fmax_mhz"]  # {clock: MHz}; the engine and its blocks have one clock
    return {"top": run["top"], "config": run["config"], "params": run["params"],
            "device": run["device"], "speed_grade": run.get("speed_grade"),
            "seed": run.get("seed", 1),
            "fmax_mhz": min(fmax.values()) if isinstance(fmax, dict) else fmax,
            "constraint_mhz": run.get("constraint_mhz"),
            "critical_path": {k: cp.get(k) for k in ("from", "to", "delay_ns", "logic_ns",
                                                      "routing_ns")},
            "utilization": run.get("utilization"), "route_seconds": run.get("seconds"),
            "rtl_commit": commit, "note": note,
            "label": "ECP5 (Lattice) routed figure from nextpnr-ecp5, not a Xilinx figure"}


def key(r: dict) -> str:
    """One row per (top, config, parameters, speed grade, placer seed); rows written before
    the seed was recorded were seed 1."""
    return json.dumps([r["top"], r["config"], r["params"], r["speed_grade"], r.get("seed", 1)],
                      sort_keys=True)


def design(r: dict) -> str:
    """The rows whose seeds a median is taken over: one netlist (top, config, parameters)
    at one speed grade, routed on one RTL commit."""
    return json.dumps([r["top"], r["config"], r["params"], r["speed_grade"], r["rtl_commit"]],
                      sort_keys=True)


def runs_in(path: Path) -> list[dict]:
    """The runs of an fmax.json (one) or of a multi-seed run's fmax_seeds.json (each seed)."""
    data = json.loads(path.read_text())
    return data["runs"] if isinstance(data, dict) and "runs" in data else [data]


def median_line(rows: list[dict]) -> str:
    """One design's seeds: the median Fmax (the mean of the two middle values for an even
    count), min and max."""
    rows = sorted(rows, key=lambda r: r.get("seed", 1))
    fmax = [r["fmax_mhz"] for r in rows]
    median, picked = median_of(fmax)
    r = rows[0]
    how = "" if len(picked) == 1 else ", mean of the two middle values"
    return (f"{r['top']:<12} {r['config']:<8} grade {r['speed_grade']} at {r['rtl_commit']}: "
            f"median {median:.1f} MHz over {len(rows)} seed{'s' if len(rows) > 1 else ''} "
            f"({', '.join(str(x.get('seed', 1)) for x in rows)}{how}), "
            f"min {min(fmax):.1f}, max {max(fmax):.1f} MHz (routed ECP5 figures)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path,
                    help="fmax.json files, or fmax_seeds.json of multi-seed runs")
    ap.add_argument("--commit", default="", help="RTL commit routed (default: HEAD)")
    ap.add_argument("--note", default="", help="free text stored with each row")
    return run(collect, ap.parse_args(argv))


def collect(a: argparse.Namespace) -> int:
    for p in a.runs:                      # every path before anything is written
        if not p.is_file():
            raise UsageError(f"{p}: no such file; give the fmax.json or fmax_seeds.json a run of "
                             "`python -m fpga fmax` wrote")
    commit = a.commit or subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()
    rows = {key(r): r for r in (json.loads(OUT.read_text()) if OUT.exists() else [])}
    touched = []
    for p in a.runs:
        try:
            runs = runs_in(p)
        except json.JSONDecodeError as e:
            raise UsageError(f"{p} is not valid JSON ({e}); give the fmax.json or "
                             "fmax_seeds.json of a finished `python -m fpga fmax` run") from None
        for fmax_run in runs:
            r = row(fmax_run, commit, a.note)
            rows[key(r)] = r
            touched.append(design(r))
            print(f"{r['top']:<12} {r['config']:<8} grade {r['speed_grade']} seed {r['seed']}: "
                  f"{r['fmax_mhz']:.1f} MHz "
                  f"({r['critical_path']['from']} -> {r['critical_path']['to']})")
    for d in dict.fromkeys(touched):
        print(median_line([r for r in rows.values() if design(r) == d]))
    OUT.write_text(json.dumps(sorted(rows.values(), key=lambda r: (r["top"], r["config"], r.get("seed", 1))),
                              indent=1) + "\n")
    shown = OUT.relative_to(ROOT) if OUT.is_relative_to(ROOT) else OUT
    print(f"wrote {shown} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
