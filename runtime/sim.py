"""Run the host runtime against the RTL engine in simulation, from the host side:

    from runtime.sim import simulate
    res = simulate(model, feats, sim="verilator", n_pe=8)
    res.logits[u], res.codes[u], res.passes, res.totals

builds the engine for ``model`` (``runtime.engine_params``: its stack, or one layer wide enough
for every layer), starts the cocotb module ``runtime.cocotb_main`` on it, which runs
``runtime.Runtime`` through ``runtime.sim_driver.SimDriver``, and reads back what it wrote.
Simulator output goes to ``build.log`` / ``sim.log`` in the build directory
(``build/sim/<sim>/engine-<tag>``).  Bad input (a model the engine cannot run, an empty or
too long utterance, wrong feature shapes) is refused before anything is built.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from golden.engine_layout import DEFAULT_N_PE, read_header, write_engine_mem
from golden.model import Model

from .host import DEFAULT_MAX_FRAMES, RunError, check_inputs, engine_params, plan

TOP = "engine"


@dataclass
class SimRun:
    codes: list[np.ndarray]
    logits: list[np.ndarray] | None
    passes: list[dict]
    totals: dict
    engine: dict                 # the engine build's Verilog parameters
    build_dir: Path
    wall_s: float


def check_images(images: Path, params: dict) -> None:
    """RunError unless ``images`` holds engine images written for the build ``params``
    (``EngineParams.hdl_params()``), naming the first parameters that differ."""
    vh = Path(images) / "engine_params.vh"
    if not vh.is_file():
        raise RunError(f"{images}: no engine images (engine_params.vh missing)")
    got = read_header(vh)
    diff = [f"{k} {got.get(k)} (build {v})" for k, v in params.items() if got.get(k) != v]
    if diff:
        raise RunError(f"{images}: images written for another engine build: "
                       + ", ".join(diff[:4]) + (" ..." if len(diff) > 4 else "")
                       + "; export the model again for this build (python -m train export)")


def simulate(model: Model, feats: Sequence[np.ndarray], sim: str = "verilator", n_pe: int = DEFAULT_N_PE,
             wpar: int = 1, hlanes: int = 1, per_layer: bool | None = None,
             max_frames: int = DEFAULT_MAX_FRAMES, tag: str | None = None,
             hdl: dict | None = None, mutation: dict | None = None, logs: bool = True,
             progress: Callable[[str], None] | None = print, preloaded: bool = False,
             saif: Path | None = None, clk_ps: int = 10_000,
             images: Path | None = None) -> SimRun:
    """``feats``: float features (T, input_size) per utterance.  ``hdl``: extra Verilog
    parameters; ``mutation``: rtlsim's source edit (a broken engine, for tests).
    ``preloaded``: the engine's power-up memory images are the first pass's weights, so the
    runtime does not load them (``Runtime(preloaded=True)``).  ``saif`` (Verilator): write the
    switching activity of the whole run there; ``clk_ps``: the clock period.  ``images``: a
    directory of engine images for the first pass (a bundle's ``engine/d0``, written by
    ``train export`` for this build: its ``engine_params.vh`` must equal the build's parameters)
    used as the power-up contents instead of writing them.  Raises ``runtime.RunError`` on bad
    input, AssertionError when the simulation fails (its log named)."""
    from rtlsim import run_cocotb, sim_build_dir

    say = progress or (lambda line: None)
    ep = engine_params(model, n_pe, wpar, hlanes, per_layer)
    passes = plan(model, ep)
    check_inputs(model, feats, max_frames)
    params = ep.hdl_params()
    if tag is None:
        key = json.dumps({**params, **(hdl or {}), "mutation": mutation}, sort_keys=True)
        tag = "rt-" + hashlib.sha1(key.encode()).hexdigest()[:10]
    build = sim_build_dir(sim, TOP, tag, trace="saif" if saif else None)
    mem, job_dir = build / "mem", build / "job"
    if images is not None:
        check_images(images, params)
        mem = Path(images)
    job_dir.mkdir(parents=True, exist_ok=True)
    if images is None:
        write_engine_mem(passes[0].model, ep, mem)      # power-up contents; the runtime loads
    model.save(job_dir / "model.npz")
    seqs = [np.asarray(f, dtype=np.float64) for f in feats]
    np.savez(job_dir / "feats.npz", feats=np.concatenate(seqs),
             feat_off=np.cumsum([0] + [len(s) for s in seqs]))
    out = job_dir / "result"
    for suffix in (".npz", ".json"):
        out.with_suffix(suffix).unlink(missing_ok=True)
    job = {"model": str(job_dir / "model.npz"), "feats": str(job_dir / "feats.npz"),
           "out": str(out), "n_pe": n_pe, "wpar": wpar, "hlanes": hlanes,
           "per_layer": per_layer, "max_frames": max_frames, "clk_ps": clk_ps,
           "preloaded": preloaded}
    say(f"{sim}: engine N_PE={n_pe} WPAR={wpar} HLANES={hlanes}, {ep.num_layers} layer(s) of "
        f"input {ep.input_size}; {len(passes)} pass(es) x {len(seqs)} utterances, "
        f"{sum(len(s) for s in seqs)} frames (log: {build}/build.log, sim.log)")
    say(f"{sim}: power-up images {mem}" + (" (given)" if images is not None else " (written)"))
    t0 = time.perf_counter()
    try:
        run_cocotb(TOP, "runtime.cocotb_main", sim,
                   {**params, **(hdl or {}), "MEM_PREFIX": f'"{mem.resolve()}/"'}, job,
                   tagname=tag, mutation=mutation, logs=logs, test_dir=job_dir, saif=saif)
    except (AssertionError, SystemExit) as e:
        raise AssertionError(f"the runtime's simulation failed: see {build}/sim.log "
                             f"(and build.log) [{e}]") from None
    wall = time.perf_counter() - t0
    info = json.loads(out.with_suffix(".json").read_text())
    with np.load(out.with_suffix(".npz")) as z:
        codes = [z[f"codes_{u}"] for u in range(len(seqs))]
        logits = [z[f"logits_{u}"] for u in range(len(seqs))] if "logits_0" in z else None
    for p in info["passes"]:
        say(f"  {p['name']}: {p['frames']} frames, {p['mac_beats']:,} MAC beats, "
            f"{p['cycles']:,} working cycles, load {p['load_writes']:,} writes / "
            f"{p['load_cycles']:,} cycles")
    say(f"{sim}: done in {wall:.0f} s")
    return SimRun(codes, logits, info["passes"], info["totals"], info["engine"], build, wall)
