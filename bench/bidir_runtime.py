"""Frames/s of the papers' model shape, a 2-layer bidirectional lstmp-1024 (input 153, 1024
cells, peepholes, projection 512), on one engine through the host runtime (``runtime``):
layer-major passes, weights switched through the load port.

For each configuration (the report's best XCKU060 configurations of lstmp-1024) a random model
(seed 0) runs ``--utts`` utterances of ``--frames`` random frames through ``runtime.sim.simulate``
(Verilator): every pass loads its weights, streams the batch, and every logit is checked against
golden's ``run_fixed``.  Measured per pass (the engine's counters, the simulator's clock):
load cycles, MAC beats, working cycles, steady-state cycles per frame (LAST_FRAME_CYCLES).

From those, frames/s of a batch of U utterances of T frames (every pass: one load, then U*T
frames at the steady-state rate):

    cycles(U, T) = sum over passes (load cycles + U*T * cycles per frame)
    frames/s     = U*T * f_clk / cycles(U, T)

at the assumed 200 MHz target clock and at the engine's routed ECP5 Fmax (bench/results/
ecp5_fmax.json): computed from measured cycles, at clocks labelled as they are.  "Resident"
is the same without the loads (weights of every pass on chip at once: not built; its block RAM
is the resource model's, printed beside it).

    python bench/bidir_runtime.py                       # both configurations, Verilator
    python bench/bidir_runtime.py --only k8:128x4h4 --frames 3
    python bench/bidir_runtime.py --cycles-only --sim icarus      # 4-5 min per configuration

The whole run needs a Verilator build of the engine (at 128 x 4 PEs its C++ is about 115 MB;
its compilation had not finished after 45 CPU-minutes on this 2-core machine).  ``--cycles-only`` measures
what the figures need without the runtime: the one-layer engine's steady-state cycles per frame
(one pass of ``--frames`` frames at full rate, its weights in the memory images; every pass
has the same shape, and the cycles do not depend on the weights' values) in either simulator,
with each pass's load taken as its load-port writes plus one cycle: the load port takes one
write per cycle (measured through the runtime on the CI-sized engines, ``tb/runtime``: 1,112
writes in 1,113 cycles, 5,888 in 5,889, 12,800 in 12,801).  Rows say which way they were
measured (``method``).

Results merge into ``--json`` (default bench/results/bidir_runtime.json, read by
bench/report.py).
"""
from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import numpy as np

from bench.models import LSTMP_1024
from golden.cli import UsageError, run
from golden.model import Model, ModelConfig

CONFIGS = ["k8:128x4h4", "k16:64x4h4"]          # the report's best lstmp-1024 configurations
BATCHES = [(1, 300), (10, 300), (100, 300)]     # (utterances, frames each): 3 s utterances
F_ASSUMED = 200.0


def parse_config(text: str) -> tuple[int, int, int, int]:
    m = re.fullmatch(r"k(\d+):(\d+)(?:x(\d+))?(?:h(\d+))?", text)
    if not m:
        raise UsageError(f"configuration {text!r}: use k<K>:<N_PE>[x<WPAR>][h<HLANES>], "
                         "e.g. k8:128x4h4")
    return int(m[1]), int(m[2]), int(m[3] or 1), int(m[4] or 1)


def fps(passes: list[dict], utts: int, frames: int, f_mhz: float, resident: bool) -> float:
    n = utts * frames
    cyc = sum((0 if resident else p["load_cycles"]) + n * p["last_frame_cycles"] for p in passes)
    return n * f_mhz * 1e6 / cyc


def measure(k: int, n_pe: int, wpar: int, hlanes: int, utts: int, frames: int, sim: str) -> dict:
    from golden.runner import run_fixed
    from runtime.sim import simulate

    cfg = ModelConfig(**LSTMP_1024, k=k, bidirectional=True, num_classes=40,
                      name=f"lstmp-1024-bidir-k{k}")
    model = Model.random(cfg, seed=0)
    rng = np.random.default_rng(0)
    feats = [rng.standard_normal((frames, cfg.input_size)) for _ in range(utts)]
    t0 = time.perf_counter()
    res = simulate(model, feats, sim=sim, n_pe=n_pe, wpar=wpar, hlanes=hlanes)
    words = 0
    for u, f in enumerate(feats):
        ref = run_fixed(model, f).squeeze()
        if not (np.array_equal(res.codes[u], ref.codes) and np.array_equal(res.logits[u], ref.logits)):
            raise AssertionError(f"utterance {u}: RTL through the runtime differs from run_fixed")
        words += res.codes[u].size
    return {"model": cfg.name, "k": k, "n_pe": n_pe, "wpar": wpar, "hlanes": hlanes, "sim": sim,
            "utterances": utts, "frames": utts * frames, "words_exact": words,
            "passes": res.passes, "totals": res.totals, "wall_s": time.perf_counter() - t0}


def memory(k: int, n_pe: int, wpar: int, hlanes: int, part: str = "xcku060-ffva1156-2-e") -> dict:
    """Block RAM of the one-layer engine the runtime uses (one weight set, reloaded) and with
    all four passes' weights resident (four weight sets): the resource model's figures."""
    from fpga.configs import Config
    from fpga.model import estimate, fits_part, load_model

    s = LSTMP_1024
    widest = max(s["input_size"], 2 * s["proj_size"])
    cfg = Config.of(f"lstmp-1024-layer-k{k}", "lstmp", widest, s["hidden_size"], s["proj_size"],
                    1, k=k, n_pe=n_pe, wpar=wpar, hlanes=hlanes)
    model = load_model()
    out = {}
    for name, sets in (("reload", 1), ("resident", 4)):
        e = estimate(cfg, model, sets)
        out[name] = {"bram36": e.bram36, "bram36_weights": e.bram_weights,
                     "bram36_pct": fits_part(e, part)["bram36"], "part": part}
    return out


def measure_cycles(k: int, n_pe: int, wpar: int, hlanes: int, frames: int, sim: str) -> dict:
    """``--cycles-only``: the one-layer engine's cycles per frame (bench/engine_cycles.py's
    full-rate run, output words checked against golden), each pass's load as writes + 1."""
    from bench.engine_cycles import run_one
    from golden.engine_layout import load_writes
    from runtime import engine_params, plan

    cfg = ModelConfig(**LSTMP_1024, k=k, bidirectional=True, num_classes=40,
                      name=f"lstmp-1024-bidir-k{k}")
    model = Model.random(cfg, seed=0)
    ep = engine_params(model, n_pe, wpar, hlanes)
    passes = plan(model, ep)
    spec = dict(cell="lstm", input_size=ep.input_size, hidden_size=ep.hidden_size,
                num_layers=1, proj_size=ep.proj_size, peephole=ep.peephole, k=k,
                name=f"lstmp-1024-layer-k{k}")
    t0 = time.perf_counter()
    r = run_one(spec, n_pe, wpar, hlanes, sim, frames)
    if not r["exact"]:
        raise AssertionError("the one-layer engine's outputs differ from golden")
    rows = []
    for p in passes:
        n = len(load_writes(p.model, ep))
        rows.append({"name": p.name, "layers": list(p.layers), "direction": p.direction,
                     "load_writes": n, "load_cycles": n + 1,
                     "last_frame_cycles": r["last_frame_cycles"]})
    return {"model": cfg.name, "k": k, "n_pe": n_pe, "wpar": wpar, "hlanes": hlanes, "sim": sim,
            "method": "cycles-only", "utterances": 1, "frames": frames,
            "words_exact": frames * ep.out_size, "passes": rows,
            "wall_s": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", help="configuration k<K>:<N_PE>x<WPAR>h<HLANES>")
    ap.add_argument("--utts", type=int, default=2, help="utterances simulated (default 2)")
    ap.add_argument("--frames", type=int, default=3, help="frames per utterance (default 3)")
    ap.add_argument("--sim", default="verilator", choices=("verilator", "icarus"))
    ap.add_argument("--cycles-only", action="store_true",
                    help="one pass's cycles per frame and the loads' writes, without the runtime")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "bidir_runtime.json"))
    args = ap.parse_args(argv)
    configs = [parse_config(c) for c in (args.only or CONFIGS)]
    commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", "rtl"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    out = Path(args.json)
    old = json.loads(out.read_text())["rows"] if out.exists() else []
    rows = []
    for k, n_pe, wpar, hlanes in configs:
        print(f"lstmp-1024 bidirectional, 2 layers, k={k}, {n_pe}x{wpar} h{hlanes}: "
              f"{args.utts} x {args.frames} frames on {args.sim}", flush=True)
        if args.cycles_only:
            r = measure_cycles(k, n_pe, wpar, hlanes, args.frames, args.sim)
        else:
            r = measure(k, n_pe, wpar, hlanes, args.utts, args.frames, args.sim)
            r["method"] = "runtime"
        r["rtl_commit"] = commit
        r["memory"] = memory(k, n_pe, wpar, hlanes)
        r["date"] = datetime.date.today().isoformat()
        rows.append(r)
        p = r["passes"]
        print(f"  exact: {r['words_exact']:,} words ({r['method']}); "
              f"per pass: load {p[0]['load_cycles']:,} cycles, "
              f"{p[0]['last_frame_cycles']:,} cycles/frame; sim {r['wall_s']:.0f} s", flush=True)
        for u, t in BATCHES:
            print(f"  batch {u} x {t} frames: {fps(p, u, t, F_ASSUMED, False):,.0f} frames/s at "
                  f"{F_ASSUMED:.0f} MHz (assumed clock); resident weights "
                  f"{fps(p, u, t, F_ASSUMED, True):,.0f}", flush=True)
    keep = [o for o in old if (o["k"], o["n_pe"], o["wpar"], o["hlanes"], o["sim"]) not in
            {(r["k"], r["n_pe"], r["wpar"], r["hlanes"], r["sim"]) for r in rows}]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"batches": BATCHES, "rows": keep + rows}, indent=1) + "\n")
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
