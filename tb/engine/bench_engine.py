"""cocotb side of bench/engine_cycles.py: a few frames at full rate, cycle counters, exactness."""
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
    ep = EngineParams.for_model(model.config, cfg["N_PE"])
    tb = EngineTB(dut, ep)
    await tb.start()
    await tb.write(CTRL, RUN | CLEAR)
    f = ep.formats.fmt("data")
    rng = np.random.default_rng(0)
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
           "last_frame_cycles": int(await tb.read(LAST_FRAME_CYCLES)),
           "beats": int(await tb.read(BEATS)), "exact": bool(np.array_equal(got, exp)),
           "wall_s": wall, "sim_cycles": cycles_sim}
    with open(cfg["OUT"], "w") as fh:
        json.dump(res, fh)
    assert res["exact"], "engine output differs from golden"
