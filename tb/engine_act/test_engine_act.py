"""engine_act vs golden.activations.act_fixed (sigmoid and tanh), every output word exact.

The knot table is written at build time by golden.activations.write_act_mem into the build
directory.  Vectors: the edge codes (most negative, full scale, 0, +-1, every knot boundary
and its neighbours, both signs), then every input code of the format in a seeded random
order.  engine_act has no valid or enable: inputs go in with random gaps (idle cycles carry
random codes that must not disturb the result), and each output word is checked LATENCY
cycles after its input, so the test also pins the latency.
"""
from __future__ import annotations

import numpy as np
import pytest

from tb.common.sim import ROOT, run_cocotb, sim_cases, tag

TOP = "engine_act"
LATENCY = 9
FUNCS = {0: "sigmoid", 1: "tanh"}
# default engine formats (pre s16.12 -> gate s16.14, 8 segment bits) and a narrow one
DEFAULT = [dict(IN_WIDTH=16, OUT_WIDTH=16, OUT_FRAC=14, SEG_BITS=8, FUNC=f) for f in (0, 1)]
NARROW = [dict(IN_WIDTH=12, OUT_WIDTH=10, OUT_FRAC=8, SEG_BITS=4, FUNC=f) for f in (0, 1)]
WIDE = [dict(IN_WIDTH=18, OUT_WIDTH=18, OUT_FRAC=16, SEG_BITS=6, FUNC=f) for f in (0, 1)]
IN_FRAC = {12: 8, 16: 12, 18: 13}


def _run(sim: str, params: dict, seed: int, p_gap: float, prim: str | None = None) -> None:
    from golden.activations import write_act_mem
    from golden.fixed import Fmt

    t = tag(params)
    table = ROOT / "build" / "sim" / sim / f"{TOP}-{t}" / "act_table.mem"
    in_fmt = Fmt(params["IN_WIDTH"], IN_FRAC[params["IN_WIDTH"]])
    write_act_mem(table, FUNCS[params["FUNC"]], in_fmt, Fmt(params["OUT_WIDTH"], params["OUT_FRAC"]),
                  params["SEG_BITS"])
    hdl = {**params, "TABLE_FILE": f'"{table}"'}
    run_cocotb(TOP, "test_engine_act", sim, hdl,
               {**params, "IN_FRAC": in_fmt.frac, "SEED": seed, "P_GAP": p_gap}, tagname=t,
               prim=prim)


@pytest.mark.parametrize("sim,params", sim_cases(DEFAULT + NARROW, DEFAULT + NARROW))
def test_engine_act(sim, params):
    _run(sim, params, 1, 0.25)


@pytest.mark.parametrize("sim,params", sim_cases(DEFAULT, DEFAULT))
def test_engine_act_ecp5(sim, params):
    """As built for ECP5: the interpolation multiply is a MULT18X18D (rtl/mul_reg.v)."""
    _run(sim, params, 1, 0.25, prim="ecp5")


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(WIDE, WIDE))
def test_engine_act_slow(sim, params):
    _run(sim, params, 2, 0.5)


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge

    from golden.activations import act_fixed
    from golden.fixed import Fmt
    from tb.common.stream import first_mismatch, tb_cfg, uint

    def _vectors(cfg: dict, rng: np.random.Generator) -> np.ndarray:
        """Edge codes, then every code of the input format in random order."""
        w, seg = cfg["IN_WIDTH"], cfg["SEG_BITS"]
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        knots = np.arange((1 << seg) + 1, dtype=np.int64) << (w - 1 - seg)
        edge = np.concatenate([[lo, lo + 1, -1, 0, 1, hi - 1, hi],
                               knots, knots - 1, knots + 1, -knots, -knots - 1, -knots + 1])
        edge = edge[(edge >= lo) & (edge <= hi)]
        return np.concatenate([edge, rng.permutation(np.arange(lo, hi + 1, dtype=np.int64))])

    @cocotb.test()
    async def engine_act_golden(dut):
        cfg = tb_cfg()
        w, ow = cfg["IN_WIDTH"], cfg["OUT_WIDTH"]
        rng = np.random.default_rng(cfg["SEED"])
        x = _vectors(cfg, rng)
        func = FUNCS[cfg["FUNC"]]
        exp = act_fixed(func, x, Fmt(w, cfg["IN_FRAC"]), Fmt(ow, cfg["OUT_FRAC"]), cfg["SEG_BITS"])
        # the cycle schedule: a gap (random code, not checked) with probability P_GAP
        n_cyc = len(x) + int(rng.binomial(len(x), cfg["P_GAP"] / (1 - cfg["P_GAP"])))
        slot = np.sort(rng.choice(n_cyc, size=len(x), replace=False))
        drive = rng.integers(0, 1 << w, size=n_cyc + LATENCY)
        drive[slot] = x & ((1 << w) - 1)
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        out = np.zeros(n_cyc + LATENCY, dtype=np.int64)
        # written at falling edge c, sampled by the next rising edge; that word's result is
        # registered LATENCY rising edges later and read at falling edge c + LATENCY
        for c in range(n_cyc + LATENCY):
            await FallingEdge(dut.clk)
            if c >= LATENCY:
                out[c] = uint(dut.out_data.value)
            dut.in_data.value = int(drive[c])
        got = out[slot + LATENCY]
        msg = first_mismatch(got[:, None], (exp & ((1 << ow) - 1))[:, None], x[:, None])
        assert not msg, f"{func}: {msg}"
        dut._log.info("engine_act %s: %d words exact over %d cycles", func, len(x), n_cyc)
