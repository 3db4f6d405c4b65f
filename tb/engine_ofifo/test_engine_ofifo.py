"""engine_ofifo vs a cycle model of the FIFO and its whole-frame reservation, every cycle.

Producer (as rtl/engine.v drives it): a frame starts (``reserve`` for one cycle) only while
``room`` is high, and only blocks of started frames are pushed, at random times (random gaps,
bursts); every word is random data with a random tlast bit.  Consumer: ``m_axis_tready``
random, with phases from always ready to always stalled, so the FIFO fills to the most the
reservations allow and drains.  ``rst`` is pulsed a few times mid-run (the engine's soft reset
drops the buffered frames): the producer forgets its frames.

Every cycle: ``room`` == (reserved + BLOCKS <= DEPTH), ``m_axis_tvalid`` == (model not empty)
and, when valid, {tlast, tdata} == the model's head word.  The model asserts that occupancy
never exceeds the reservation or DEPTH (no overflow while the producer respects ``room``) and
the run must reach the fullest state the reservation allows (coverage).
"""
from __future__ import annotations

import random

import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_ofifo"


def _p(blocks: int, data_width: int = 64, depth: int | None = None) -> dict:
    """A parameter set; DEPTH defaults to the engine's 1 << clog2(2 * RB) (two frames)."""
    if depth is None:
        depth = 1 << (2 * blocks - 1).bit_length()
    return dict(DATA_WIDTH=data_width, DEPTH=depth, BLOCKS=blocks)


# engine sets: RB = 1, 2, 3, 5 (K x 16-bit words); DEPTH = BLOCKS: one frame fills the FIFO
ICARUS = [_p(1, 32), _p(2), _p(3, 128), _p(5, 128), _p(8, 16, depth=8)]
VERILATOR = [_p(1, 32), _p(3, 128), _p(8, 16, depth=8)]


def _cfg(params: dict, cycles: int, seed: int) -> dict:
    return {**params, "CYCLES": cycles, "SEED": seed}


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_ofifo(sim, params):
    run_cocotb(TOP, "test_engine_ofifo", sim, params, _cfg(params, 20000, 1))


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_ofifo_slow(sim, params):
    run_cocotb(TOP, "test_engine_ofifo", sim, params, _cfg(params, 200000, 2))


# Mutants: each must fail the test, or the test proves nothing.
MUTANTS = {
    # one frame too few: room drops while a whole frame still fits
    "room-off-by-one": {"engine_ofifo.v": ("assign room = (resv_reg <= ROOM_MAX);",
                                           "assign room = (resv_reg < ROOM_MAX);")},
    # the tlast bit is not stored
    "tlast-dropped": {"engine_ofifo.v": ("mem[wr_reg] <= {s_axis_tlast, s_axis_tdata};",
                                         "mem[wr_reg] <= {1'b0, s_axis_tdata};")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_ofifo_mutant_fails(mutant):
    """A broken FIFO must fail (Icarus: the faster build; Verilator when only it is selected)."""
    sim = mutant_sim("icarus")
    params = _p(3, 128)
    n_tests, n_fail = run_cocotb(TOP, "test_engine_ofifo", sim, params, _cfg(params, 3000, 1),
                                 tagname=f"mutant-{mutant}-{tag(params)}",
                                 mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the output FIFO test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import tb_cfg, uint

    @cocotb.test()
    async def ofifo_random(dut):
        cfg = tb_cfg()
        dw, depth, blocks = cfg["DATA_WIDTH"], cfg["DEPTH"], cfg["BLOCKS"]
        rng = random.Random(cfg["SEED"])
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in ("reserve", "s_axis_tvalid", "s_axis_tlast", "s_axis_tdata", "m_axis_tready"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0

        n = cfg["CYCLES"]
        resets = {rng.randrange(n // 4, n) for _ in range(3)}
        fifo: list[tuple[int, int]] = []   # (tdata, tlast) in order
        resv = 0                           # entries reserved and not yet read
        pending = 0                        # reserved entries the producer has not pushed yet
        rst_left = 0
        p_frame = p_push = p_ready = 1.0
        max_fill, refused, popped, pushed = 0, 0, 0, 0
        for cyc in range(n):
            await FallingEdge(dut.clk)
            if cyc % 400 == 0:             # a new traffic phase
                p_frame = rng.choice([0.05, 0.3, 1.0])
                p_push = rng.choice([0.2, 0.7, 1.0])
                p_ready = rng.choice([0.0, 0.1, 0.5, 0.9, 1.0])
            if cyc in resets:
                rst_left = rng.randint(1, 3)
            rst = rst_left > 0
            rst_left -= 1
            room_now = uint(dut.room.value)        # registered: settled since the rising edge
            want = rng.random() < p_frame
            reserve = want and room_now == 1 and not rst
            refused += want and not reserve and not rst
            push = pending > 0 and rng.random() < p_push and not rst
            word = (rng.getrandbits(dw), rng.getrandbits(1)) if push else (rng.getrandbits(dw), 0)
            ready = rng.random() < p_ready
            dut.rst.value = int(rst)
            dut.reserve.value = int(reserve)
            dut.s_axis_tvalid.value = int(push)
            dut.s_axis_tdata.value, dut.s_axis_tlast.value = word
            dut.m_axis_tready.value = int(ready)
            await ReadOnly()
            exp_room = int(resv + blocks <= depth)
            assert uint(dut.room.value) == exp_room, \
                f"cycle {cyc}: room {uint(dut.room.value)}, expected {exp_room} (reserved {resv})"
            valid = uint(dut.m_axis_tvalid.value)
            assert valid == int(len(fifo) > 0), f"cycle {cyc}: tvalid {valid} with {len(fifo)} words"
            if valid:
                got = (uint(dut.m_axis_tdata.value), uint(dut.m_axis_tlast.value))
                assert got == fifo[0], (f"cycle {cyc}: word {popped} (tdata, tlast) = {got}, "
                                        f"expected {fifo[0]}")
            pop = valid and ready
            # the rising edge
            if rst:
                fifo, resv, pending = [], 0, 0
                continue
            if pop:
                fifo.pop(0)
                popped += 1
                resv -= 1
            if push:
                fifo.append(word)
                pending -= 1
                pushed += 1
            if reserve:
                resv += blocks
                pending += blocks
            assert len(fifo) <= resv <= depth, \
                f"cycle {cyc}: {len(fifo)} words, {resv} reserved, DEPTH {depth}: overflow"
            max_fill = max(max_fill, len(fifo))
        assert max_fill == depth, \
            f"the FIFO was never full ({max_fill} words)"
        assert refused > 0, "the producer was never held back by room"
        dut._log.info("engine_ofifo %s: %d words pushed, %d read exact; fullest %d; %d frame "
                      "starts held back by room", cfg, pushed, popped, max_fill, refused)
