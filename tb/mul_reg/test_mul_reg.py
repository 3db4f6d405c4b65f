"""mul_reg vs the exact product, with random clock enables, in its behavioral form and (prim
"ecp5") as the MULT18X18D it instantiates for ECP5, simulated with tb/common/MULT18X18D.v.
Vectors: every pair of edge codes (most negative, full scale, 0, +-1), then seeded uniform
random operands; ce toggles at random, and the expected stream is the products of the operands
presented on enabled cycles, 1 + IN_REG enabled cycles later.
"""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases

TOP = "mul_reg"
# 18x18 and 16x17 fit the primitive (the ECP5 build instantiates it); 20x16 does not (behavioral)
SETS = [dict(A_WIDTH=18, B_WIDTH=18, IN_REG=1), dict(A_WIDTH=16, B_WIDTH=17, IN_REG=0),
        dict(A_WIDTH=20, B_WIDTH=16, IN_REG=1)]
PRIMS = [None, "ecp5"]


@pytest.mark.parametrize("prim", PRIMS, ids=["infer", "ecp5"])
@pytest.mark.parametrize("sim,params", sim_cases(SETS, SETS))
def test_mul_reg(sim, params, prim):
    run_cocotb(TOP, "test_mul_reg", sim, params, {**params, "N": 5000, "SEED": 1}, prim=prim)


# Each mutant must fail the test: the primitive's B operand taken as unsigned, the primitive's
# output register bypassed (one cycle early), and the behavioral register ignoring ce.
MUTANTS = {
    "ecp5-unsigned-b": ("ecp5", "mul_reg.v", (".SIGNEDB(1'b1)", ".SIGNEDB(1'b0)")),
    "ecp5-no-out-reg": ("ecp5", "mul_reg.v", ('.REG_OUTPUT_CLK("CLK0")', '.REG_OUTPUT_CLK("NONE")')),
    "infer-no-ce": (None, "mul_reg.v", ("if (ce) p_reg <= a_m * b_m;", "p_reg <= a_m * b_m;")),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mul_reg_mutant_fails(mutant):
    prim, fname, edit = MUTANTS[mutant]
    params = SETS[0]
    n_tests, n_fail = run_cocotb(TOP, "test_mul_reg", mutant_sim("icarus"), params,
                                 {**params, "N": 500, "SEED": 3}, tagname=f"mutant-{mutant}",
                                 mutation={fname: edit}, check=False, prim=prim)
    assert_mutant_fails(mutant, n_tests, n_fail, "test_mul_reg")


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
    async def mul_reg_exact(dut):
        cfg = tb_cfg()
        aw, bw = cfg["A_WIDTH"], cfg["B_WIDTH"]
        lat = 1 + cfg["IN_REG"]
        rng = random.Random(cfg["SEED"])
        nrng = np.random.default_rng(cfg["SEED"])
        ea = [-(1 << (aw - 1)), (1 << (aw - 1)) - 1, 0, 1, -1]
        eb = [-(1 << (bw - 1)), (1 << (bw - 1)) - 1, 0, 1, -1]
        vec = list(itertools.product(ea, eb))
        n = cfg["N"]
        vec += [(int(a), int(b)) for a, b in zip(nrng.integers(ea[0], ea[1] + 1, size=n),
                                                 nrng.integers(eb[0], eb[1] + 1, size=n))]
        pw = aw + bw
        mp = (1 << pw) - 1
        exp = [(a * b) & mp for a, b in vec]
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        issued, got, pipe = 0, [], 0
        while len(got) < len(vec):
            await FallingEdge(dut.clk)
            ce = rng.random() >= 0.25
            dut.ce.value = int(ce)
            a, b = vec[issued] if issued < len(vec) else (0, 0)
            dut.a.value = a & ((1 << aw) - 1)
            dut.b.value = b & ((1 << bw) - 1)
            await ReadOnly()
            if ce:
                # the product register now holds the product issued lat enabled cycles ago
                if pipe >= lat:
                    got.append(dut.p.value.to_unsigned())
                issued += 1
                pipe += 1
        bad = [i for i, (g, e) in enumerate(zip(got, exp)) if g != e]
        assert not bad, (f"{len(bad)} products differ; first {vec[bad[0]]}: got {got[bad[0]]:#x} "
                         f"exp {exp[bad[0]]:#x}")
        dut._log.info("mul_reg %s: %d products exact", cfg, len(vec))
