"""Simulator speed on the engine: the same tiny engine, the same frames, Verilator vs Icarus.

Streams ``--frames`` frames of one sequence at full rate through the tiny LSTMP engine
(``bench/models.py`` tiny-lstmp, k = 4, N_PE 2; the run of bench/engine_cycles.py, via the
cocotb test tb/engine/bench_engine.py) on each simulator, and reports simulated clock cycles
per wall-clock second of the streaming part (cocotb's Python driver and monitor included, the
build not), plus build + run wall time.  Every output word is checked against the golden model.

    python bench/sim_speed.py [--frames 20] [--sims verilator,icarus]     (part of `make bench`)

Writes --json (bench/results/sim_speed.json, read by bench/report.py).  Figures, not a
pass/fail timing test.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bench.engine_cycles import model_specs, run_one

MODEL, N_PE = "tiny-lstmp", 2
SIMS = ("verilator", "icarus")
JSON_OUT = Path(__file__).resolve().parent / "results" / "sim_speed.json"


def sim_list(s: str) -> list[str]:
    """``--sims`` text: simulators separated by commas."""
    sims = s.split(",")
    unknown = [x for x in sims if x not in SIMS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown simulator(s) {', '.join(map(repr, unknown))}; "
                                         f"known: {', '.join(SIMS)} (e.g. --sims verilator,icarus)")
    return sims


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=20, help="frames streamed per simulator")
    ap.add_argument("--sims", type=sim_list, default="verilator,icarus",
                    help="simulators separated by commas (default: %(default)s)")
    ap.add_argument("--json", default=str(JSON_OUT),
                    help="write the figures to this JSON file ('' for none) (default: %(default)s)")
    args = ap.parse_args(argv)
    spec = model_specs()[MODEL][0]
    load = os.getloadavg()[0]             # other jobs on the machine slow the figures down
    rows = []
    for sim in args.sims:
        r = run_one(spec, N_PE, sim, args.frames)
        rows.append({"sim": sim, "sim_cycles": r["sim_cycles"], "wall_s": r["wall_s"],
                     "cycles_per_s": r["sim_cycles_per_s"], "frame_cycles": r["last_frame_cycles"],
                     "build_and_run_s": r["run_s"], "exact": r["exact"], "rtl": r["rtl"]})
    print(f"\nSimulator speed, engine {MODEL} (k = {spec['k']}, N_PE = {N_PE}), {args.frames} frames "
          f"at full rate, cocotb driver included")
    print(f"1-min load average at the start: {load:.1f} on {os.cpu_count()} cores")
    print(f"{'simulator':<10} {'cycles':>8} {'wall s':>7} {'cycles/s':>9} {'build+run s':>11} exact")
    for r in rows:
        print(f"{r['sim']:<10} {r['sim_cycles']:>8.0f} {r['wall_s']:>7.2f} {r['cycles_per_s']:>9.0f} "
              f"{r['build_and_run_s']:>11.0f} {'yes' if r['exact'] else 'NO'}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"model": MODEL, "k": spec["k"], "n_pe": N_PE, "frames": args.frames,
             "load_avg": load, "cores": os.cpu_count(), "rows": rows},
            indent=1) + "\n")
    return 0 if all(r["exact"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
