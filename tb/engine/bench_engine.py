"""cocotb side of bench/engine_cycles.py: the step latency (CYCLES of a one-frame sequence on an
idle engine), then a few frames at full rate, cycle counters, exactness."""
from __future__ import annotations

import json
import random
import time

import numpy as np

import cocotb
from cocotb.triggers import RisingEdge

from golden.engine_layout import EngineParams
from golden.fixed import to_float
from golden.model import Model
from golden.runner import run_fixed
from tb.common.stream import tb_cfg
from tb.engine.engine_tb import (BEATS, CLEAR, CTRL, CYCLES, FRAMES, LAST_FRAME_CYCLES, RUN,
                                 EngineTB)


@cocotb.test()
async def engine_bench(dut):
    cfg = tb_cfg()
    model = Model.load(cfg["MODEL"])
    ep = EngineParams.for_model(model.config, cfg["N_PE"], cfg.get("WPAR", 1), cfg.get("HLANES", 1))
    tb = EngineTB(dut, ep)
    await tb.start()
    f = ep.formats.fmt("data")
    rng = np.random.default_rng(0)
    # step latency: one frame (a one-step sequence) through the idle engine, first input beat
    # to last output beat (the CYCLES counter counts the cycles with work in flight)
    x1 = np.clip(np.round(rng.standard_normal((1, ep.input_size)) * 2 ** f.frac),
                 f.min_int, f.max_int).astype(np.int64)
    exp1 = run_fixed(model, to_float(x1, f)).squeeze().codes.reshape(-1, ep.k)
    await tb.write(CTRL, RUN | CLEAR)
    got1, _ = await tb.stream(tb.frame_beats(x1), len(exp1), random.Random(0), 0.0, 0.0,
                              max_cycles=50_000_000)
    await tb.wait_idle()
    step_cycles = int(await tb.read(CYCLES))
    await tb.write(CTRL, RUN | CLEAR)
    x = np.clip(np.round(rng.standard_normal((cfg["FRAMES"], ep.input_size)) * 2 ** f.frac),
                f.min_int, f.max_int).astype(np.int64)
    exp = run_fixed(model, to_float(x, f)).squeeze().codes.reshape(-1, ep.k)
    t0 = time.time()
    c0 = cocotb.utils.get_sim_time("ns")
    got, _ = await tb.stream(tb.frame_beats(x), len(exp), random.Random(0), 0.0, 0.0,
                             max_cycles=50_000_000)
    wall = time.time() - t0
    cycles_sim = (cocotb.utils.get_sim_time("ns") - c0) / 10
    await tb.wait_idle()
    res = {"frames": int(await tb.read(FRAMES)), "cycles": int(await tb.read(CYCLES)),
           "step_cycles": step_cycles, "step_exact": bool(np.array_equal(got1, exp1)),
           "last_frame_cycles": int(await tb.read(LAST_FRAME_CYCLES)),
           "beats": int(await tb.read(BEATS)), "exact": bool(np.array_equal(got, exp)),
           "wall_s": wall, "sim_cycles": cycles_sim}
    with open(cfg["OUT"], "w") as fh:
        json.dump(res, fh)
    assert res["exact"] and res["step_exact"], "engine output differs from golden"
