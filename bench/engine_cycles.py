"""Engine cycles per frame, measured in RTL simulation, against the ideal bounds.

For each model and N_PE: a random model (golden ``Model.random``, seed 0) is written into the
engine's memory images, the engine is built (Verilator by default) and a few frames of one
sequence are streamed at full rate (no stalls).  Reported per configuration:

* beats: MAC beats the sequencer issues per frame (row groups padded to N_PE, k/2 per block);
* cycles: measured cycles of the last frame (LAST_FRAME_CYCLES register, steady state);
* DESIGN bound: complex MACs / N_PE with k/2+1 bins per block (DESIGN section 6);
* packed bound: the same with k/2 words per block (bins 0 and k/2 share word 0);
* exact: every output word equal to golden.runner.run_fixed;
* sim speed: simulated cycles per wall second of the streaming part (not the build).

    python bench/engine_cycles.py                 # the full table (builds ~10 engines)
    python bench/engine_cycles.py --quick         # tiny model only
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from golden.engine_layout import EngineParams, write_engine_mem  # noqa: E402
from golden.model import Model, ModelConfig  # noqa: E402
from tb.common.sim import ROOT, run_cocotb  # noqa: E402

F_CLK_MHZ = 200.0
TINY = dict(name="tiny-lstmp", cell="lstm", input_size=16, hidden_size=32, num_layers=2,
            proj_size=16, peephole=True, k=4)
LSTMP_1024 = dict(name="lstmp-1024", cell="lstm", input_size=153, hidden_size=1024, num_layers=2,
                  proj_size=512, peephole=True)


def configs(quick: bool) -> list[tuple[dict, int]]:
    out = [(TINY, n) for n in (2, 4, 8)]
    if not quick:
        for k in (8, 16):
            out += [({**LSTMP_1024, "k": k, "name": f"lstmp-1024-k{k}"}, n) for n in (16, 64, 128)]
    return out


def run_one(spec: dict, n_pe: int, sim: str, frames: int) -> dict:
    cfg = ModelConfig(**spec)
    model = Model.random(cfg, seed=0, gain=2.0)
    ep = EngineParams.for_model(cfg, n_pe)
    name = f"bench-{spec['name']}-npe{n_pe}"
    build = ROOT / "build" / "sim" / sim / f"engine-{name}"
    mem = build / "mem"
    write_engine_mem(model, ep, mem)
    model.save(mem / "model.npz")
    out = build / "bench.json"
    params = {**ep.hdl_params(), "MEM_PREFIX": f'"{mem.resolve()}/"'}
    t0 = time.time()
    run_cocotb("engine", "bench_engine", sim, params,
               {"MODEL": str(mem / "model.npz"), "N_PE": n_pe, "FRAMES": frames, "OUT": str(out)},
               tagname=name)
    res = json.loads(out.read_text())
    res.update(total_s=time.time() - t0, design=ep.design_bound(), packed=ep.packed_bound(),
               beats_frame=ep.beats(), k=ep.k, n_pe=n_pe, model=spec["name"])
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="verilator", choices=("verilator", "icarus"))
    ap.add_argument("--frames", type=int, default=3, help="frames per run (the last one is reported)")
    ap.add_argument("--quick", action="store_true", help="tiny model only")
    ap.add_argument("--out", help="also write the table to this file (the builds log to stdout)")
    args = ap.parse_args(argv)
    rows = [run_one(spec, n, args.sim, args.frames) for spec, n in configs(args.quick)]
    lines = []
    emit = lines.append  # the builds log to stdout: collect the table, print it in one piece
    emit(f"Engine cycles per frame ({args.sim}, {args.frames} frames per run, last frame reported; "
          f"random weights; frames/s at {F_CLK_MHZ:.0f} MHz)")
    hdr = (f"{'model':<16} {'k':>3} {'N_PE':>5} {'beats':>7} {'cycles':>7} {'DESIGN bd':>9} "
           f"{'x DESIGN':>8} {'packed bd':>9} {'x packed':>8} {'frames/s':>9} {'exact':>5} "
           f"{'sim cyc/s':>9} {'run s':>6}")
    emit(hdr)
    emit("-" * len(hdr))
    for r in rows:
        cyc = r["last_frame_cycles"]
        emit(f"{r['model']:<16} {r['k']:>3} {r['n_pe']:>5} {r['beats_frame']:>7} {cyc:>7} "
              f"{r['design']:>9.0f} {cyc / r['design']:>8.3f} {r['packed']:>9.0f} "
              f"{cyc / r['packed']:>8.3f} {F_CLK_MHZ * 1e6 / cyc:>9.0f} {'yes' if r['exact'] else 'NO':>5} "
              f"{r['sim_cycles'] / r['wall_s']:>9.0f} {r['total_s']:>6.0f}")
    emit("beats = MAC beats issued per frame (row groups padded to N_PE); cycles include the "
          "per-pass IFFT/element-wise/FFT drains; run s = build + simulation wall time.")
    text = "\n".join(lines) + "\n"
    sys.stdout.write("\n" + text)
    if args.out:
        Path(args.out).write_text(text)
    return 0 if all(r["exact"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
