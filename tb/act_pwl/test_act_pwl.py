"""act_pwl vs golden.activations.act_fixed (sigmoid and tanh), every output word exact.

The knot table is written at build time by golden.activations.write_act_mem into the build
directory.  Vectors: most negative, full scale, 0, +-1, every knot boundary and its
neighbours (both signs), then seeded uniform random codes (every code in the slow run);
first at full throughput, then with random idles and stalls.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from tb.common.sim import ROOT, run_cocotb, sim_cases, tag

TOP = "act_pwl"
FUNCS = {"sigmoid": 0, "tanh": 1}
ICARUS = [dict(IN_WIDTH=16, OUT_WIDTH=16, OUT_FRAC=14, SEG_BITS=7, FUNC=f) for f in (0, 1)] + \
         [dict(IN_WIDTH=12, OUT_WIDTH=10, OUT_FRAC=8, SEG_BITS=4, FUNC=f) for f in (0, 1)]
VERILATOR = [dict(IN_WIDTH=16, OUT_WIDTH=16, OUT_FRAC=14, SEG_BITS=7, FUNC=f) for f in (0, 1)]


def _run(sim: str, params: dict, n: int, seed: int) -> None:
    from golden.activations import write_act_mem
    from golden.fixed import Fmt

    t = tag(params)
    func = {v: k for k, v in FUNCS.items()}[params["FUNC"]]
    table = ROOT / "build" / "sim" / sim / f"{TOP}-{t}" / "act_table.hex"
    in_fmt = Fmt(params["IN_WIDTH"], params["IN_WIDTH"] - 4)
    write_act_mem(table, func, in_fmt, Fmt(params["OUT_WIDTH"], params["OUT_FRAC"]), params["SEG_BITS"])
    hdl = {**params, "TABLE_FILE": f'"{table}"'}
    run_cocotb(TOP, "test_act_pwl", sim, hdl, {**params, "IN_FRAC": in_fmt.frac, "N": n, "SEED": seed},
               tagname=t)


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_act_pwl(sim, params):
    _run(sim, params, 16384, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_act_pwl_slow(sim, params):
    _run(sim, params, 0, 2)        # N = 0: every input code, twice (with and without stalls)


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from golden.activations import act_fixed
    from golden.fixed import Fmt
    from tb.common.stream import first_mismatch, measure_latency, run_stream, start, tb_cfg

    @cocotb.test()
    async def act_pwl_golden(dut):
        cfg = tb_cfg()
        w, seg = cfg["IN_WIDTH"], cfg["SEG_BITS"]
        tb = w - 1 - seg
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        nrng = np.random.default_rng(cfg["SEED"])
        rng = random.Random(cfg["SEED"])
        knots = np.arange((1 << seg) + 1, dtype=np.int64) << tb
        edge = np.concatenate([[lo, lo + 1, -1, 0, 1, hi - 1, hi],
                               knots, knots - 1, knots + 1, -knots, -knots - 1, -knots + 1])
        edge = edge[(edge >= lo) & (edge <= hi)]
        if cfg["N"]:
            rnd = nrng.integers(lo, hi + 1, size=cfg["N"])
        else:
            rnd = np.arange(lo, hi + 1, dtype=np.int64)
        x = np.concatenate([edge, rnd])
        func = "sigmoid" if cfg["FUNC"] == 0 else "tanh"
        exp = act_fixed(func, x, Fmt(w, cfg["IN_FRAC"]), Fmt(cfg["OUT_WIDTH"], cfg["OUT_FRAC"]), seg)
        await start(dut)
        lat = await measure_latency(dut, 0)
        assert lat == 4, f"latency {lat}"
        mask, omask = (1 << w) - 1, (1 << cfg["OUT_WIDTH"]) - 1
        items = [int(v) & mask for v in x]
        n_free = len(items) // 2
        out1, _ = await run_stream(dut, items[:n_free], n_free, rng=rng)
        out2, _ = await run_stream(dut, items[n_free:], len(items) - n_free, rng=rng,
                                   p_idle=0.3, p_stall=0.3)
        got = np.array(out1 + out2, dtype=np.int64)
        msg = first_mismatch(got[:, None], (exp & omask)[:, None], x[:, None])
        assert not msg, f"{func}: {msg}"
        dut._log.info("act_pwl %s: %d words exact", func, len(x))
