"""Engine cycles per frame, measured in RTL simulation, against the ideal bounds.

For each model and N_PE: a random model (golden ``Model.random``, seed 0) is written into the
engine's memory images, the engine is built (Verilator by default) and a few frames of one
sequence are streamed at full rate (no stalls).  Reported per configuration:

* beats: MAC beats the sequencer issues per frame (row groups padded to N_PE, k/(2 WPAR) per
  block);
* cycles: measured cycles of the last frame (LAST_FRAME_CYCLES register, steady state);
* step: measured latency of one step on an idle engine (CYCLES of a one-frame sequence: first
  input beat to last output beat);
* unpacked bound: complex MACs / N_PE with k/2+1 bins per block (docs/design.md section 5);
* packed bound: the same with k/2 words per block (bins 0 and k/2 share word 0);
* exact: every output word equal to golden.runner.run_fixed;
* sim speed: simulated cycles per wall second of the streaming part (not the build).

Models (``bench/models.py``; all unidirectional, the engine runs one direction):
tiny-lstmp (N_PE 2, 4, 8) and tiny-gru (N_PE 4) in --quick; lstmp-1024 and gru-1024 (input 153,
1024 cells, 2 layers; LSTM with peepholes and projection 512, GRU without) at k = 8 and 16 with
N_PE 16, 64, 128 in the full table.  lstm-512 (input 512, 512 cells, one layer, no peepholes or
projection: the 512x512 LSTM of the TVLSI 2017 circulant ASIC) is run with --only.  An N_PE
entry ``N[xW][hL]`` builds N PEs of W complex multipliers each (WPAR, words per beat; default 1)
with L hand-off lanes (HLANES; default 1), e.g. ``128x4h4``.

    python bench/engine_cycles.py                          # the full table (builds 16 engines)
    python bench/engine_cycles.py --quick                  # tiny models only (minutes)
    python bench/engine_cycles.py --only lstmp-1024-k8     # one model at its default N_PEs
    python bench/engine_cycles.py --only gru-1024-k16:64,32 --only tiny-gru
    python bench/engine_cycles.py --only lstmp-1024-k4:128      # any k of a reference model
    python bench/engine_cycles.py --only lstm-512-k8:64x4,128x4h4  # wide PEs, 4 hand-off lanes

``--computed`` prints, without simulating, the issue bound of the reference models at 16..512
complex MACs per cycle (N_PE x WPAR) for the best WPAR / HLANES split (EngineParams.issue_bound:
every accumulation's beats, accumulation ends at least SPACING = N_PE/HLANES + 2 apart): a
computed figure, labelled as such.

Every row is also merged into ``--json`` (default bench/results/engine_cycles.json, read by
bench/report.py): rows of the same model, N_PE, WPAR and simulator are replaced, others kept, and
each row records the RTL commit it was measured on.
"""
from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.models import LATENCY, REFERENCE, TINY, passes_per_frame
from golden.cli import UsageError, run
from golden.engine_layout import EngineParams, write_engine_mem
from golden.model import Model, ModelConfig
from rtlsim import ROOT, run_cocotb

F_CLK_MHZ = 200.0
JSON_OUT = ROOT / "bench" / "results" / "engine_cycles.json"
TINY_NPES = {"tiny-lstmp": (2, 4, 8), "tiny-gru": (4,)}
REF_KS = (8, 16)
REF_NPES = (16, 64, 128)


def model_specs() -> dict[str, tuple[dict, tuple[int, ...]]]:
    """Every benchmarked model by name: (golden ModelConfig kwargs, default N_PEs)."""
    out = {name: ({**spec, "name": name}, TINY_NPES[name]) for name, spec in TINY.items()}
    for base, spec in {**REFERENCE, **LATENCY}.items():
        for k in REF_KS:
            out[f"{base}-k{k}"] = ({**spec, "k": k, "name": f"{base}-k{k}"}, REF_NPES)
    return out


def parse_pe(item: str, v: str) -> tuple[int, int, int]:
    """'64' -> (64, 1, 1); '64x4' -> (64, 4, 1); '128x4h4' -> (128, 4, 4): N_PE, WPAR, HLANES."""
    m = re.fullmatch(r"(\d+)(?:x(\d+))?(?:h(\d+))?", v)
    if not m:
        raise UsageError(f"--only {item}: N_PE entries are N[xWPAR][hHLANES] integers "
                         f"(e.g. 64, 64x4 or 128x4h4)")
    return int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)


def select(quick: bool, only: list[str] | None) -> list[tuple[dict, int, int, int]]:
    """(spec, n_pe, wpar, hlanes) to run: --only NAME[:N_PE[xWPAR][hHLANES],...] entries, else
    the quick or full table (the lstm-512 latency model only with --only)."""
    specs = model_specs()
    if not only:
        names = list(TINY) if quick else [n for n in specs if not n.startswith(tuple(LATENCY))]
        return [(specs[n][0], p, 1, 1) for n in names for p in specs[n][1]]
    out = []
    for item in only:
        name, _, npes = item.partition(":")
        m = re.fullmatch(r"(.+)-k(\d+)", name)
        base = {**REFERENCE, **LATENCY}
        if name not in specs and m and m.group(1) in base:     # any k of a reference model
            specs[name] = ({**base[m.group(1)], "k": int(m.group(2)), "name": name}, REF_NPES)
        if name not in specs:
            raise UsageError(f"--only {item}: unknown model {name!r}; known: {', '.join(specs)} "
                             f"(or {'/'.join(REFERENCE)}-k<k> for another block size)")
        ns = ([parse_pe(item, v) for v in npes.split(",")] if npes
              else [(n, 1, 1) for n in specs[name][1]])
        try:
            for n, w, h in ns:
                EngineParams.for_model(ModelConfig(**specs[name][0]), n, w, h)
        except ValueError as e:
            raise UsageError(f"--only {item}: {e}") from None
        out += [(specs[name][0], n, w, h) for n, w, h in ns]
    return out


def rtl_version() -> str:
    """Short commit of the last change to rtl/, '+dirty' if rtl/ has uncommitted edits."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""
    rev = git("log", "-1", "--format=%h", "--", "rtl") or "unknown"
    return rev + ("+dirty" if git("status", "--porcelain", "--", "rtl") else "")


def run_one(spec: dict, n_pe: int, wpar: int, hlanes: int, sim: str, frames: int) -> dict:
    cfg = ModelConfig(**spec)
    model = Model.random(cfg, seed=0, gain=2.0)
    ep = EngineParams.for_model(cfg, n_pe, wpar, hlanes)
    name = (f"bench-{spec['name']}-npe{n_pe}" + (f"x{wpar}" if wpar > 1 else "")
            + (f"h{hlanes}" if hlanes > 1 else ""))
    build = ROOT / "build" / "sim" / sim / f"engine-{name}"
    mem = build / "mem"
    write_engine_mem(model, ep, mem)
    model.save(mem / "model.npz")
    out = build / "bench.json"
    params = {**ep.hdl_params(), "MEM_PREFIX": f'"{mem.resolve()}/"'}
    t0 = time.time()
    print(f"{name} ({sim}): build and run, log {build.relative_to(ROOT)}/build.log, sim.log",
          flush=True)
    try:
        run_cocotb("engine", "bench_engine", sim, params,
                   {"MODEL": str(mem / "model.npz"), "N_PE": n_pe, "WPAR": wpar, "HLANES": hlanes,
                    "FRAMES": frames,
                    "OUT": str(out)},
                   tagname=name, logs=True)
    except (AssertionError, SystemExit) as e:
        raise AssertionError(f"{name} ({sim}) failed: see {build.relative_to(ROOT)}/sim.log "
                             f"and build.log [{e}]") from None
    res = json.loads(out.read_text())
    cyc = res["last_frame_cycles"]
    return {
        "model": spec["name"], "cell": cfg.cell, "input_size": cfg.input_size,
        "hidden_size": cfg.hidden_size, "num_layers": cfg.num_layers, "proj_size": cfg.proj_size,
        "k": ep.k, "n_pe": n_pe, "wpar": wpar, "hlanes": hlanes, "sim": sim, "frames": frames,
        "beats_frame": ep.beats(), "passes": passes_per_frame(cfg.cell, cfg.num_layers, cfg.proj_size),
        "last_frame_cycles": cyc, "step_cycles": res["step_cycles"], "design_bound": ep.design_bound(), "packed_bound": ep.packed_bound(),
        "x_design": cyc / ep.design_bound(), "x_packed": cyc / ep.packed_bound(),
        "f_clk_mhz": F_CLK_MHZ, "frames_per_s": F_CLK_MHZ * 1e6 / cyc, "exact": res["exact"],
        "sim_cycles": res["sim_cycles"], "wall_s": res["wall_s"],
        "sim_cycles_per_s": res["sim_cycles"] / res["wall_s"], "run_s": time.time() - t0,
        "rtl": rtl_version(), "date": datetime.date.today().isoformat(),
    }


def merge_json(path: Path, rows: list[dict]) -> None:
    """Replace rows of the same (model, n_pe, wpar, sim) in ``path``, keep the others."""
    old = json.loads(path.read_text())["rows"] if path.is_file() else []
    key = lambda r: (r["model"], r["n_pe"], r.get("wpar", 1), r.get("hlanes", 1), r["sim"])  # noqa: E731
    new = {key(r): r for r in old}
    new.update({key(r): r for r in rows})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"f_clk_mhz": F_CLK_MHZ, "rows": sorted(
        new.values(), key=lambda r: (r["model"], r["sim"], r["n_pe"], r.get("wpar", 1),
                                     r.get("hlanes", 1)))},
        indent=1) + "\n")


def table(rows: list[dict], sim: str, frames: int) -> str:
    lines = [f"Engine cycles per frame ({sim}, {frames} frames per run, last frame reported; "
             f"random weights; frames/s at {F_CLK_MHZ:.0f} MHz, an assumed clock, not a routed one)"]
    hdr = (f"{'model':<16} {'k':>3} {'N_PE':>5} {'WPAR':>4} {'HL':>3} {'beats':>7} {'cycles':>7} "
           f"{'step':>7} {'unpack bd':>9} "
           f"{'x unpack':>8} {'packed bd':>9} {'x packed':>8} {'frames/s':>9} {'exact':>5} "
           f"{'sim cyc/s':>9} {'run s':>6}")
    lines += [hdr, "-" * len(hdr)]
    for r in rows:
        lines.append(
            f"{r['model']:<16} {r['k']:>3} {r['n_pe']:>5} {r.get('wpar', 1):>4} {r.get('hlanes', 1):>3} "
            f"{r['beats_frame']:>7} {r['last_frame_cycles']:>7} {r.get('step_cycles', '-'):>7} "
            f"{r['design_bound']:>9.0f} {r['x_design']:>8.3f} "
            f"{r['packed_bound']:>9.0f} {r['x_packed']:>8.3f} {r['frames_per_s']:>9.0f} "
            f"{'yes' if r['exact'] else 'NO':>5} {r['sim_cycles_per_s']:>9.0f} {r['run_s']:>6.0f}")
    lines.append("beats = MAC beats issued per frame (row groups padded to N_PE); cycles include the "
                 "per-pass IFFT/element-wise/FFT drains; step = one step's latency on an idle "
                 "engine (cycles); run s = build + simulation wall time.")
    if rows:
        lines.append(f"RTL: {rows[0]['rtl']} ({rows[0]['date']}).")
    return "\n".join(lines) + "\n"


MAC_COUNTS = (16, 64, 128, 256, 512)


def computed_rows() -> list[dict]:
    """Per reference model, k and complex MACs per cycle M: the (N_PE, WPAR, HLANES) with
    N_PE * WPAR = M whose issue bound is lowest (fewest lanes, widest PEs on a tie)."""
    rows = []
    for base, spec in REFERENCE.items():
        for k in REF_KS:
            cfg = ModelConfig(**spec, k=k, name=f"{base}-k{k}")
            for m in MAC_COUNTS:
                best = None
                for w in (1, 2, 4, 8, 16):
                    if (k // 2) % w or m % w:
                        continue
                    n = m // w
                    for h in (1, 2, 4, 8, 16, 32):
                        if n % h:
                            continue
                        ep = EngineParams.for_model(cfg, n, w, h)
                        key = (round(ep.issue_bound() / ep.packed_bound(), 4), h, -w)
                        if best is None or key < best[0]:
                            best = (key, ep)
                ep = best[1]
                rows.append({"model": cfg.name, "k": k, "macs": m, "n_pe": ep.n_pe, "wpar": ep.wpar,
                             "hlanes": ep.hlanes, "beats": ep.beats(), "issue": ep.issue_bound(),
                             "packed": ep.packed_bound()})
    return rows


def computed_table(rows: list[dict]) -> str:
    lines = ["Engine issue bound per frame, COMPUTED from the beat count and the hand-off spacing "
             "(EngineParams.issue_bound), not simulated; the best N_PE x WPAR split with the "
             "fewest hand-off lanes"]
    hdr = (f"{'model':<16} {'MACs':>5} {'N_PE':>5} {'WPAR':>4} {'HL':>3} {'beats':>7} "
           f"{'issue bd':>8} {'packed bd':>9} {'x packed':>8}")
    lines += [hdr, "-" * len(hdr)]
    for r in rows:
        lines.append(f"{r['model']:<16} {r['macs']:>5} {r['n_pe']:>5} {r['wpar']:>4} {r['hlanes']:>3} "
                     f"{r['beats']:>7} {r['issue']:>8} {r['packed']:>9.0f} "
                     f"{r['issue'] / r['packed']:>8.3f}")
    lines.append("MACs = complex MACs per cycle (N_PE x WPAR); issue bd = cycles the sequencer needs "
                 "(each accumulation's beats, ends >= N_PE/HLANES + 2 apart); measured cycles add "
                 "the drains (bench/engine_cycles.txt).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="verilator", choices=("verilator", "icarus"))
    ap.add_argument("--frames", type=int, default=3, help="frames per run (the last one is reported)")
    ap.add_argument("--quick", action="store_true", help="tiny models only")
    ap.add_argument("--only", action="append", metavar="MODEL[:N_PE[xWPAR][hHLANES],...]",
                    help=f"run only these (repeatable); models: {', '.join(model_specs())}")
    ap.add_argument("--table", action="store_true",
                    help="rewrite the table of every row in --json (per simulator) and exit")
    ap.add_argument("--computed", action="store_true",
                    help="print the computed issue bound table (no simulation) and exit")
    ap.add_argument("--out", help="also write the table to this file (the builds log to stdout)")
    ap.add_argument("--json", default=str(JSON_OUT), help="merge the rows into this JSON file "
                    "('' for none) (default: %(default)s)")
    return run(measure, ap.parse_args(argv))


def measure(args: argparse.Namespace) -> int:
    if args.table:
        if not Path(args.json).is_file():
            raise UsageError(f"--json {args.json}: no such file; measure rows first "
                             "(`make engine-bench`, or this script without --table)")
        rows = json.loads(Path(args.json).read_text())["rows"]
        text = "\n".join(table([r for r in rows if r["sim"] == sim], sim, max(
            [r["frames"] for r in rows if r["sim"] == sim] or [0]))
            for sim in ("verilator", "icarus") if any(r["sim"] == sim for r in rows))
        sys.stdout.write(text)
        if args.out:
            Path(args.out).write_text(text)
        return 0
    if args.computed:
        text = computed_table(computed_rows())
        sys.stdout.write(text)
        if args.out:
            Path(args.out).write_text(text)
        return 0
    rows = [run_one(spec, n, w, h, args.sim, args.frames)
            for spec, n, w, h in select(args.quick, args.only)]
    text = table(rows, args.sim, args.frames)    # printed in one piece after the build logs
    sys.stdout.write("\n" + text)
    if args.out:
        Path(args.out).write_text(text)
    if args.json:
        merge_json(Path(args.json), rows)
        print(f"merged {len(rows)} rows into {args.json}")
    return 0 if all(r["exact"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
