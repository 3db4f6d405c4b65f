"""engine_wmem vs a Python model of the banked weight memory, every read checked at its cycle.

The memory starts from bank files written by golden's lane-word writer (``write_lane_words``,
the format the engine reads: bank b = lines b*BANK_DEPTH.. of a random image), so the test also
checks that each bank loads its own file.  Every cycle drives a random read address (in range,
with some out of range: they read line 0) and, at random, a write of random data to random
lanes of a random line (some out of range: ignored).  rd_data is checked 2 cycles after its
address against the model, which applies a write at the clock edge after it is driven (a read
of a line written in the same cycle sees the old line).  Depths cover one partial bank, exact
banks and a last partial bank.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from tb.common.sim import ROOT, assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_wmem"


def _p(depth: int, width: int = 64, lane: int = 32, bank: int = 16) -> dict:
    return dict(WIDTH=width, LANE_WIDTH=lane, DEPTH=depth, BANK_DEPTH=bank)


# BANK_DEPTH 16 (the engine uses 1024): several banks at a small depth
ICARUS = [_p(11), _p(32), _p(75, 96, 32), _p(1024, 64, 16, 1024)]
VERILATOR = [_p(11), _p(75, 96, 32)]


def _run(sim: str, params: dict, cycles: int, seed: int, **kw):
    from golden.memfile import write_lane_words

    t = kw.pop("tagname", None) or tag(params)
    build = ROOT / "build" / "sim" / sim / f"{TOP}-{t}"
    rng = np.random.default_rng(seed)
    lanes = params["WIDTH"] // params["LANE_WIDTH"]
    image = rng.integers(0, 1 << params["LANE_WIDTH"], size=(params["DEPTH"], lanes),
                         dtype=np.int64)
    bd = params["BANK_DEPTH"]
    for b in range(-(-params["DEPTH"] // bd)):
        write_lane_words(build / "mem" / f"w_b{b:02d}.mem", image[b * bd:(b + 1) * bd],
                     params["LANE_WIDTH"], f"bank {b}")
    np.save(build / "mem" / "image.npy", image)
    hdl = {**params, "INIT_PREFIX": f'"{(build / "mem").resolve()}/w_b"'}
    return run_cocotb(TOP, "test_engine_wmem", sim, hdl,
                      {**params, "CYCLES": cycles, "SEED": seed,
                       "IMAGE": str(build / "mem" / "image.npy")}, tagname=t, **kw)


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_wmem(sim, params):
    _run(sim, params, 4000, 1)


# Mutants: each must fail the test, or the test proves nothing.
MUTANTS = {
    # the bank select one cycle early: a bank change returns the other bank's line
    "select-early": {"engine_wmem.v": ("assign rd_data = bank_q[sel_d2*WIDTH+:WIDTH];",
                                       "assign rd_data = bank_q[sel_d1*WIDTH+:WIDTH];")},
    # writes reach every bank
    "write-all-banks": {"engine_wmem.v": ("if (wr_en && wr_in && wr_bank_a == b)",
                                          "if (wr_en && wr_in)")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_wmem_mutant_fails(mutant):
    """A broken memory must fail (Icarus: the faster build; Verilator when only it is selected)."""
    sim = mutant_sim("icarus")
    params = _p(75, 96, 32)
    n_tests, n_fail = _run(sim, params, 1500, 1, tagname=f"mutant-{mutant}-{tag(params)}",
                           mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the weight memory test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly

    from tb.common.stream import tb_cfg, uint

    @cocotb.test()
    async def wmem_random(dut):
        cfg = tb_cfg()
        depth, lw = cfg["DEPTH"], cfg["LANE_WIDTH"]
        lanes = cfg["WIDTH"] // lw
        rng = random.Random(cfg["SEED"])
        mem = [[int(v) for v in row] for row in np.load(cfg["IMAGE"])]

        def line(a: int) -> int:
            return sum(v << (i * lw) for i, v in enumerate(mem[a]))

        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in ("rd_addr", "wr_en", "wr_addr", "wr_lanes", "wr_data"):
            getattr(dut, name).value = 0
        expect: list[int | None] = [None, None]     # rd_data due in 2 and 1 cycles
        checked, writes, bank_changes, last_bank = 0, 0, 0, 0
        for cyc in range(cfg["CYCLES"]):
            await FallingEdge(dut.clk)
            ra = rng.randrange(depth) if rng.random() < 0.95 else depth + rng.randrange(8)
            dut.rd_addr.value = ra
            we = rng.random() < 0.3
            wa = rng.randrange(depth) if rng.random() < 0.9 else depth + rng.randrange(8)
            wl = rng.getrandbits(lanes)
            wd = rng.getrandbits(lw)
            dut.wr_en.value, dut.wr_addr.value = int(we), wa
            dut.wr_lanes.value, dut.wr_data.value = wl, wd
            await ReadOnly()
            due = expect.pop(0)
            if due is not None:
                got = uint(dut.rd_data.value)
                assert got == due, f"cycle {cyc}: rd_data {got:#x}, expected {due:#x}"
                checked += 1
            # the read samples the memory before this edge's write
            expect.append(line(ra if ra < depth else 0))
            bank = (ra if ra < depth else 0) // cfg["BANK_DEPTH"]
            bank_changes += bank != last_bank
            last_bank = bank
            if we and wa < depth:
                writes += 1
                for i in range(lanes):
                    if wl >> i & 1:
                        mem[wa][i] = wd
        assert checked == cfg["CYCLES"] - 2 and writes > 0
        banks = -(-depth // cfg["BANK_DEPTH"])
        assert banks == 1 or bank_changes > 0, "reads never changed bank"
        dut._log.info("engine_wmem %s: %d reads checked, %d writes, %d bank changes", cfg,
                      checked, writes, bank_changes)
