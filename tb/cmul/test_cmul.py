"""cmul vs the exact complex product (and the packed real-pair mode), with random clock enables.

Vectors: every combination of edge codes (most negative, full scale, 0, +-1) for the four
operands, then seeded uniform random operands; pair is random; ce toggles at random, and the
expected stream is the inputs presented on enabled cycles, delayed by 4 enabled cycles (LATENCY;
6 with PIPE = 1).
"""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases

TOP = "cmul"
# MUL_WIDTH 18 (default): 18 bits whole, 19 and 20 bits split (hi 2 and 3 bits); 5 bits split at
# MUL_WIDTH 3 (hi 3 bits); 20 bits whole at MUL_WIDTH 27 (DSP48E2's A port)
ICARUS = [dict(A_WIDTH=18, B_WIDTH=18), dict(A_WIDTH=19, B_WIDTH=16), dict(A_WIDTH=20, B_WIDTH=16),
          dict(A_WIDTH=5, B_WIDTH=7, MUL_WIDTH=3), dict(A_WIDTH=20, B_WIDTH=16, MUL_WIDTH=27),
          dict(A_WIDTH=19, B_WIDTH=16, PIPE=1), dict(A_WIDTH=20, B_WIDTH=16, MUL_WIDTH=27, PIPE=1)]
VERILATOR = [dict(A_WIDTH=19, B_WIDTH=16), dict(A_WIDTH=20, B_WIDTH=16, MUL_WIDTH=27),
             dict(A_WIDTH=19, B_WIDTH=16, PIPE=1)]
# 3 multipliers (Gauss form): the pre-sums must fit MUL_WIDTH 27 (DSP48E2)
GAUSS = [dict(A_WIDTH=19, B_WIDTH=16, MUL_WIDTH=27, MULTS=3),
         dict(A_WIDTH=19, B_WIDTH=16, MUL_WIDTH=27, MULTS=3, PIPE=1),
         dict(A_WIDTH=5, B_WIDTH=7, MUL_WIDTH=8, MULTS=3)]
ICARUS += GAUSS
VERILATOR += GAUSS[:2]


def latency(params: dict) -> int:
    """Enabled cycles from the operands to the product (rtl/cmul.v LATENCY)."""
    return 4 + 2 * params.get("PIPE", 0)


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_cmul(sim, params):
    run_cocotb(TOP, "test_cmul", sim, params, {**params, "N": 10000, "SEED": 1})


# The Gauss form's post-add k1 + k2 turned into k1 - k2 must fail the test.
def test_cmul_gauss_mutant_fails():
    params = GAUSS[0]
    n_tests, n_fail = run_cocotb(TOP, "test_cmul", mutant_sim("icarus"), params,
                                 {**params, "N": 500, "SEED": 3}, tagname="mutant-gauss-sum",
                                 mutation={"cmul.v": ("p_im <= k1_reg + k2_reg;",
                                                      "p_im <= k1_reg - k2_reg;")},
                                 check=False)
    assert_mutant_fails("gauss-sum", n_tests, n_fail, "test_cmul")


# as built for ECP5 (rtl/mul_reg.v instantiates MULT18X18D): whole and split operands, PIPE 1
ECP5 = [dict(A_WIDTH=18, B_WIDTH=16, PIPE=1), dict(A_WIDTH=19, B_WIDTH=16, PIPE=1)]


@pytest.mark.parametrize("sim,params", sim_cases(ECP5, ECP5))
def test_cmul_ecp5(sim, params):
    run_cocotb(TOP, "test_cmul", sim, params, {**params, "N": 10000, "SEED": 1}, prim="ecp5")


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_cmul_slow(sim, params):
    run_cocotb(TOP, "test_cmul", sim, params, {**params, "N": 100000, "SEED": 2})


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly

    from tb.common.stream import tb_cfg

    @cocotb.test()
    async def cmul_exact(dut):
        cfg = tb_cfg()
        aw, bw = cfg["A_WIDTH"], cfg["B_WIDTH"]
        lat = latency(cfg)
        pw = aw + bw + 1
        rng = random.Random(cfg["SEED"])
        nrng = np.random.default_rng(cfg["SEED"])
        ea = [-(1 << (aw - 1)), (1 << (aw - 1)) - 1, 0, 1, -1]
        eb = [-(1 << (bw - 1)), (1 << (bw - 1)) - 1, 0, 1, -1]
        vec = [(ar, ai, br, bi, p) for ar, ai in itertools.product(ea, ea)
               for br, bi in itertools.product(eb, eb) for p in (0, 1)]
        n = cfg["N"]
        ra = nrng.integers(ea[0], ea[1] + 1, size=(n, 2))
        rb = nrng.integers(eb[0], eb[1] + 1, size=(n, 2))
        rp = nrng.integers(0, 2, size=n)
        vec += [tuple(int(t) for t in (a[0], a[1], b[0], b[1], p)) for a, b, p in zip(ra, rb, rp)]
        exp = [((ar * br, ai * bi) if p else (ar * br - ai * bi, ar * bi + ai * br))
               for ar, ai, br, bi, p in vec]
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        ma, mb, mp = (1 << aw) - 1, (1 << bw) - 1, (1 << pw) - 1
        issued, got = 0, []
        pipe = 0                      # enabled cycles since the first issue
        while len(got) < len(vec):
            await FallingEdge(dut.clk)
            ce = rng.random() >= 0.25
            dut.ce.value = int(ce)
            if issued < len(vec):
                ar, ai, br, bi, p = vec[issued]
            else:
                ar = ai = br = bi = p = 0
            dut.a_re.value, dut.a_im.value = ar & ma, ai & ma
            dut.b_re.value, dut.b_im.value = br & mb, bi & mb
            dut.pair.value = p
            await ReadOnly()
            if ce:
                # the output register now holds the product issued lat enabled cycles ago
                if pipe >= lat:
                    got.append((dut.p_re.value.to_unsigned(), dut.p_im.value.to_unsigned()))
                issued += 1
                pipe += 1
        bad = [i for i, (g, e) in enumerate(zip(got, exp)) if g != (e[0] & mp, e[1] & mp)]
        assert not bad, f"{len(bad)} products differ; first {vec[bad[0]]}: got {got[bad[0]]} exp {exp[bad[0]]}"
        dut._log.info("cmul %s: %d products exact", cfg, len(vec))
