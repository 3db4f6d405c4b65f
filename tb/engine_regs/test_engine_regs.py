"""engine_regs: the register map of docs/engine.md, the AXI4-Lite handshake, CTRL pulses,
counters and sticky flags.

``regs_directed`` (expectations written out, independent of the cycle model): read-back of
every word address (with random byte offsets) after reset, the configuration words computed
here from the parameters; STATUS with each level input alone; CTRL writes: RUN level,
SOFT_RESET and CLEAR high for exactly one cycle, writes with wstrb[0] low or to other
addresses ignored; a known event pattern counted exactly (FRAMES, SEQS, CYCLES, BEATS,
IN_STALL, OUT_STALL, IN_WAIT, LAST_FRAME_CYCLES) with the sticky flags set; SOFT_RESET keeps
counters and flags, CLEAR zeroes them.  Every transaction has random valid and ready delays.

``regs_random``: a cycle model of the block (the engine.v code it replaces, transcribed), and
every output compared on every cycle (awready, wready, bvalid, arready, rvalid, rdata while
rvalid, bresp, rresp, ctrl_run, ctrl_soft_rst, ctrl_clr) while random event and level inputs
toggle, an AXI master issues writes (CTRL with random RUN / SOFT_RESET / CLEAR bits, other
addresses, random strobes; the next write offered while the response is pending) and reads
(every address) with random valid delays and random bready / rready, and rst is pulsed.
"""
from __future__ import annotations

import random

import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, selected_sims

TOP = "engine_regs"
ENGINE_DEFAULTS = dict(K=4, N_PE=2, WPAR=1, HLANES=1, CELL=0, LAYERS=1, IN_SIZE=16, HIDDEN=32, PROJ=16, PEEP=1,
                       DATA_WIDTH=16, DATA_FRAC=12, WEIGHT_WIDTH=16, WEIGHT_FRAC=14,
                       SPEC_WIDTH=20, SPEC_FRAC=12, PRE_WIDTH=16, PRE_FRAC=12, BIAS_WIDTH=16,
                       BIAS_FRAC=12, PEEP_WIDTH=16, PEEP_FRAC=14, GATE_WIDTH=16, GATE_FRAC=14,
                       CELL_WIDTH=16, CELL_FRAC=12, TW_WIDTH=18, ACT_SEG_BITS=8)
# "default": no parameter passed (the module's defaults must be the engine's); "gru": every
# field different, wide values (N_PE, HIDDEN use their 16 bits)
SETS = {
    "default": {},
    "gru": dict(K=32, N_PE=40000, WPAR=16, HLANES=32, CELL=1, LAYERS=200, IN_SIZE=1000, HIDDEN=50000, PROJ=0,
                PEEP=0,
                DATA_WIDTH=12, DATA_FRAC=9, WEIGHT_WIDTH=10, WEIGHT_FRAC=8, SPEC_WIDTH=22,
                SPEC_FRAC=11, PRE_WIDTH=14, PRE_FRAC=10, BIAS_WIDTH=13, BIAS_FRAC=11,
                PEEP_WIDTH=9, PEEP_FRAC=7, GATE_WIDTH=15, GATE_FRAC=13, CELL_WIDTH=21,
                CELL_FRAC=17, TW_WIDTH=25, ACT_SEG_BITS=6),
}


def config_words(params: dict) -> dict[int, int]:
    """Byte address -> value of the read-only registers 0x20..0x44 (docs/engine.md)."""
    p = {**ENGINE_DEFAULTS, **params}

    def fmt(a: str, b: str) -> int:
        return (p[f"{a}_WIDTH"] | p[f"{a}_FRAC"] << 8 | p[f"{b}_WIDTH"] << 16
                | p[f"{b}_FRAC"] << 24)

    return {0x20: p["K"] | p["WPAR"] << 8 | p["N_PE"] << 16,
            0x24: p["CELL"] | p["PEEP"] << 4 | p["LAYERS"] << 8 | p["HLANES"] << 16,
            0x28: p["IN_SIZE"], 0x2C: p["HIDDEN"] | p["PROJ"] << 16,
            0x30: fmt("DATA", "WEIGHT"), 0x34: fmt("SPEC", "PRE"), 0x38: fmt("BIAS", "PEEP"),
            0x3C: fmt("GATE", "CELL"), 0x40: p["TW_WIDTH"] | p["ACT_SEG_BITS"] << 8,
            0x44: 0x45524E31}


def _cases() -> list:
    return [pytest.param(sim, name, id=f"{sim}-{name}") for sim in selected_sims() for name in SETS]


def _run(sim: str, name: str, cycles: int, seed: int, tagname: str | None = None,
         mutation=None, testcase=None, check: bool = True) -> tuple[int, int]:
    params = SETS[name]
    cfg = {"CONFIG": config_words(params), "CYCLES": cycles, "SEED": seed}
    return run_cocotb(TOP, "test_engine_regs", sim, params, cfg, tagname=tagname or name,
                      mutation=mutation, testcase=testcase, check=check)


@pytest.mark.parametrize("sim,name", _cases())
def test_engine_regs(sim, name):
    _run(sim, name, 20000, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,name", _cases())
def test_engine_regs_slow(sim, name):
    _run(sim, name, 200000, 2)


# Mutants: (the cocotb test that must catch it, the edit); each must fail, or the test proves nothing.
MUTANTS = {
    # a soft reset clears the counters too
    "soft-reset-clears": ("regs_directed", {"engine_regs.v": (
        "if (rst || clr_reg) begin", "if (rst || clr_reg || soft_rst_reg) begin")}),
    # a frame end in the soft reset cycle is counted (engine.v: `frame_end && !core_rst`)
    "frame-end-in-soft-reset": ("regs_random", {"engine_regs.v": (
        "if (stat_frame_end && !soft_rst_reg) begin", "if (stat_frame_end) begin")}),
    # a second write is taken while the first one's response is still pending
    "write-ignores-bvalid": ("regs_random", {"engine_regs.v": (
        "wire wr_fire = s_axil_awvalid && s_axil_wvalid && !s_axil_bvalid;",
        "wire wr_fire = s_axil_awvalid && s_axil_wvalid;")}),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_regs_mutant_fails(mutant):
    """A broken register block must fail its test (Icarus: the faster build; Verilator when
    only it is selected)."""
    sim = mutant_sim("icarus")
    testcase, mutation = MUTANTS[mutant]
    n_tests, n_fail = _run(sim, "default", 5000, 1, tagname=f"mutant-{mutant}",
                           mutation=mutation, testcase=[testcase], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the register block test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import tb_cfg, uint
    from tb.engine.engine_tb import (BEATS, BUSY, CLEAR, CTRL, CYCLES, DONE, FRAME_ERROR, FRAMES,
                                     IDLE, IN_STALL, IN_WAIT, LAST_FRAME_CYCLES, LOAD_ERROR,
                                     OUT_STALL, RUN, SEQ_START, SEQS, SOFT_RESET, STATUS)

    LEVELS = ("stat_busy", "stat_idle", "stat_first_step")
    EVENTS = ("stat_active", "stat_beat", "stat_in_stall", "stat_out_stall", "stat_in_wait",
              "stat_tlast_err", "stat_load_err", "stat_frame_end", "stat_seq_end")
    MASTER_IN = ("s_axil_awaddr", "s_axil_awvalid", "s_axil_wdata", "s_axil_wstrb",
                 "s_axil_wvalid", "s_axil_bready", "s_axil_araddr", "s_axil_arvalid",
                 "s_axil_rready")
    # counter register -> the event input it counts
    COUNTED = {CYCLES: "stat_active", BEATS: "stat_beat", IN_STALL: "stat_in_stall",
               OUT_STALL: "stat_out_stall", IN_WAIT: "stat_in_wait"}
    M32 = 0xFFFFFFFF
    COUNTER_WORDS = {w >> 2 for w in (FRAMES, SEQS, CYCLES, BEATS, IN_STALL, OUT_STALL,
                                      LAST_FRAME_CYCLES, IN_WAIT)}

    async def _start(dut) -> None:
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in LEVELS + EVENTS + MASTER_IN:
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        dut.rst.value = 0

    class AxiLite:
        """One transaction at a time, random valid delays (address and data independently)
        and random ready delays; each call returns in ReadOnly of its last handshake cycle."""

        def __init__(self, dut, rng: random.Random):
            self.dut, self.rng = dut, rng

        def _delay(self) -> int:
            return self.rng.choice([0, 0, 1, 2, 5])

        async def _handshake(self, held: dict[str, int], delayed: dict[str, int],
                             mine: str, theirs: str) -> None:
            """Drive ``held`` and, from its delay on, each signal of ``delayed`` high (the
            others of ``delayed`` with a delay of None low) until ``mine`` and ``theirs`` are
            both high in one cycle."""
            d = self.dut
            cyc = 0
            while True:
                await FallingEdge(d.clk)
                for name, v in held.items():
                    getattr(d, name).value = v
                for name, delay in delayed.items():
                    getattr(d, name).value = int(delay is not None and cyc >= delay)
                await ReadOnly()
                if uint(getattr(d, mine).value) and uint(getattr(d, theirs).value):
                    return
                cyc += 1

        async def write(self, addr: int, data: int, strb: int = 0xF) -> None:
            d = self.dut
            await self._handshake({"s_axil_awaddr": addr, "s_axil_wdata": data, "s_axil_wstrb": strb},
                                  {"s_axil_awvalid": self._delay(), "s_axil_wvalid": self._delay()},
                                  "s_axil_awvalid", "s_axil_awready")
            await self._handshake({}, {"s_axil_awvalid": None, "s_axil_wvalid": None,
                                       "s_axil_bready": self._delay()},
                                  "s_axil_bready", "s_axil_bvalid")
            assert uint(d.s_axil_bresp.value) == 0

        async def read(self, addr: int) -> int:
            d = self.dut
            await self._handshake({"s_axil_araddr": addr},
                                  {"s_axil_arvalid": self._delay(), "s_axil_rready": None},
                                  "s_axil_arvalid", "s_axil_arready")
            await self._handshake({}, {"s_axil_arvalid": None, "s_axil_rready": self._delay()},
                                  "s_axil_rready", "s_axil_rvalid")
            assert uint(d.s_axil_rresp.value) == 0
            return uint(d.s_axil_rdata.value)

    async def _drive(dut, rows: list[dict[str, int]]) -> None:
        """One rising edge per row with those event inputs high; all low afterwards."""
        for r in rows + [{}]:
            await FallingEdge(dut.clk)
            for name in EVENTS:
                getattr(dut, name).value = r.get(name, 0)

    @cocotb.test()
    async def regs_directed(dut):
        cfg = tb_cfg()
        rng = random.Random(cfg["SEED"])
        config = {int(a): v for a, v in cfg["CONFIG"].items()}
        await _start(dut)
        trace: list[tuple[int, int, int]] = []  # (run, soft_rst, clr) of every cycle

        async def monitor():
            while True:
                await RisingEdge(dut.clk)
                await ReadOnly()
                trace.append((uint(dut.ctrl_run.value), uint(dut.ctrl_soft_rst.value),
                              uint(dut.ctrl_clr.value)))
        cocotb.start_soon(monitor())
        bus = AxiLite(dut, rng)

        async def read_all() -> dict[int, int]:
            return {a: await bus.read(a | rng.randrange(4)) for a in range(0, 256, 4)}

        # after reset: every word (unmapped ones read 0)
        got = await read_all()
        for a, v in got.items():
            exp = config.get(a, 0)
            assert v == exp, f"register 0x{a:02x} after reset: {v:#x}, expected {exp:#x}"
        # STATUS levels, one at a time
        for name, bit in (("stat_busy", BUSY), ("stat_idle", IDLE), ("stat_first_step", SEQ_START)):
            await FallingEdge(dut.clk)
            getattr(dut, name).value = 1
            assert await bus.read(STATUS) == bit, f"STATUS with {name} alone"
            await FallingEdge(dut.clk)
            getattr(dut, name).value = 0

        # CTRL: RUN level; SOFT_RESET and CLEAR one cycle each; ignored writes
        async def ctrl(addr: int, data: int, strb: int = 0xF) -> list[tuple[int, int, int]]:
            n0 = len(trace)
            await bus.write(addr, data, strb)
            for _ in range(4):
                await RisingEdge(dut.clk)
            await ReadOnly()
            return trace[n0:]

        seen = await ctrl(CTRL, RUN)
        assert seen[-1][0] == 1 and await bus.read(CTRL) == RUN
        seen = await ctrl(CTRL, RUN | SOFT_RESET | CLEAR | 0xFFFFFFF8)
        n_soft, n_clr = sum(s for _, s, _ in seen), sum(c for _, _, c in seen)
        assert (n_soft, n_clr) == (1, 1), f"SOFT_RESET high {n_soft} cycles, CLEAR {n_clr} (not 1)"
        assert all(r == 1 for r, _, _ in seen), "RUN dropped by a RUN | SOFT_RESET | CLEAR write"
        seen = await ctrl(CTRL, SOFT_RESET, strb=0xE)  # byte lane 0 not written
        assert seen[-1][0] == 1 and not any(s or c for _, s, c in seen), "write with wstrb[0] = 0 taken"
        seen = await ctrl(FRAMES, 0)
        assert seen[-1][0] == 1 and not any(s or c for _, s, c in seen), "write to FRAMES changed CTRL"
        assert await bus.read(CTRL) == RUN
        seen = await ctrl(CTRL | 3, 0)  # byte offset ignored
        assert seen[-1][0] == 0 and await bus.read(CTRL) == 0

        # a known event pattern
        rows = [{e: int(rng.random() < 0.4) for e in COUNTED.values()} for _ in range(300)]
        ends = sorted(rng.sample(range(10, 300), 6))
        for i in ends:
            rows[i].update(stat_frame_end=1, stat_active=1)  # the engine is active at a frame end
        rows[ends[2]]["stat_seq_end"] = 1
        rows[150]["stat_tlast_err"] = 1
        rows[200]["stat_load_err"] = 1
        await _drive(dut, rows)
        want = {reg: sum(r[e] for r in rows) for reg, e in COUNTED.items()}
        want[FRAMES] = len(ends)
        want[SEQS] = 1
        want[LAST_FRAME_CYCLES] = sum(r["stat_active"] for r in rows[ends[-2] + 1:ends[-1] + 1])
        flags = DONE | FRAME_ERROR | LOAD_ERROR
        got = {a: await bus.read(a) for a in want}
        assert got == want, f"counters {got}, expected {want}"
        assert await bus.read(STATUS) == flags

        # SOFT_RESET keeps counters and flags; CLEAR zeroes them
        seen = await ctrl(CTRL, RUN | SOFT_RESET)
        assert sum(s for _, s, _ in seen) == 1
        got = {a: await bus.read(a) for a in want}
        assert got == want, f"counters after SOFT_RESET {got}, expected {want} (kept)"
        assert await bus.read(STATUS) == flags, "SOFT_RESET cleared a sticky flag"
        await ctrl(CTRL, RUN | CLEAR)
        got = await read_all()
        for a, v in got.items():
            exp = RUN if a == CTRL else config.get(a, 0)
            assert v == exp, f"register 0x{a:02x} after CLEAR: {v:#x}, expected {exp:#x}"

    class RegsModel:
        """engine.v's register block, one call of ``edge`` per rising edge (transcribed)."""

        COUNTERS = ("frames", "seqs", "cycles", "beats", "in_stall", "out_stall", "in_wait",
                    "frame_cycles", "last_frame_cycles")

        def __init__(self, config: dict[int, int]):
            self.config = config
            self.run = self.soft = self.clr = self.bvalid = self.rvalid = 0
            self.rdata = self.raddr = 0
            self.clear()

        def clear(self) -> None:
            self.done = self.ferr = self.lerr = 0
            self.cnt = dict.fromkeys(self.COUNTERS, 0)

        def word(self, addr: int, i: dict[str, int]) -> int:
            w = (addr >> 2) & 63
            c = self.cnt
            regs = {0: self.run,
                    1: (i["stat_busy"] | self.done << 1 | self.ferr << 2 | i["stat_idle"] << 4
                        | i["stat_first_step"] << 5 | self.lerr << 6),
                    2: c["frames"], 3: c["seqs"], 4: c["cycles"], 5: c["beats"], 6: c["in_stall"],
                    7: c["out_stall"], 0x12: c["last_frame_cycles"], 0x13: c["in_wait"]}
            regs.update({a >> 2: v for a, v in self.config.items()})
            return regs.get(w, 0)

        def wr_fire(self, i: dict[str, int]) -> int:
            return int(i["s_axil_awvalid"] and i["s_axil_wvalid"] and not self.bvalid)

        def outputs(self, i: dict[str, int]) -> dict[str, int]:
            fire = self.wr_fire(i)
            return {"s_axil_awready": fire, "s_axil_wready": fire, "s_axil_bvalid": self.bvalid,
                    "s_axil_bresp": 0, "s_axil_arready": int(not self.rvalid),
                    "s_axil_rvalid": self.rvalid, "s_axil_rresp": 0, "ctrl_run": self.run,
                    "ctrl_soft_rst": self.soft, "ctrl_soft_rst_copy": self.soft,  # 1 copy
                    "ctrl_clr": self.clr}

        def edge(self, i: dict[str, int]) -> None:
            """The rising edge: every register's next value from the values before it."""
            soft = clr = 0
            if i["rst"]:
                self.run = self.bvalid = self.rvalid = 0
            else:
                fire, bvalid, rvalid = self.wr_fire(i), self.bvalid, self.rvalid
                if rvalid and i["s_axil_rready"]:
                    self.rvalid = 0
                if i["s_axil_arvalid"] and not rvalid:
                    self.rvalid = 1
                    self.raddr = i["s_axil_araddr"]
                    self.rdata = self.word(self.raddr, i)
                if bvalid and i["s_axil_bready"]:
                    self.bvalid = 0
                if fire:
                    self.bvalid = 1
                    if (i["s_axil_awaddr"] >> 2) & 63 == 0 and i["s_axil_wstrb"] & 1:
                        d = i["s_axil_wdata"]
                        self.run, soft, clr = d & 1, d >> 1 & 1, d >> 2 & 1
            if i["rst"] or self.clr:
                self.clear()
            else:
                c, old = self.cnt, dict(self.cnt)
                for name, e in (("cycles", "stat_active"), ("beats", "stat_beat"),
                                ("in_stall", "stat_in_stall"), ("out_stall", "stat_out_stall"),
                                ("in_wait", "stat_in_wait"), ("frame_cycles", "stat_active")):
                    c[name] = (old[name] + i[e]) & M32
                self.ferr |= i["stat_tlast_err"]
                self.lerr |= i["stat_load_err"]
                if i["stat_frame_end"] and not self.soft:
                    c["frames"] = (old["frames"] + 1) & M32
                    c["last_frame_cycles"] = (old["frame_cycles"] + 1) & M32
                    c["frame_cycles"] = 0
                    if i["stat_seq_end"]:
                        c["seqs"] = (old["seqs"] + 1) & M32
                        self.done = 1
            self.soft, self.clr = soft, clr

    class RandomMaster:
        """AXI4-Lite master driven cycle by cycle: random valid delays, random bready / rready,
        valid held until its handshake; a new write may be offered while a response is due."""

        def __init__(self, rng: random.Random):
            self.rng = rng
            self.reset()

        def reset(self) -> None:
            self.aw = None   # [addr, data, strb, cycles until awvalid, cycles until wvalid]
            self.ar = None   # [addr, cycles until arvalid]

        def _new_write(self) -> list[int]:
            r = self.rng
            if r.random() < 0.6:
                addr = CTRL | r.randrange(4)
                data = (r.getrandbits(29) << 3 | int(r.random() < 0.05) << 2
                        | int(r.random() < 0.2) << 1 | r.getrandbits(1))
            else:
                addr, data = r.randrange(256), r.getrandbits(32)
            strb = 0xF if r.random() < 0.8 else r.getrandbits(4)
            return [addr, data, strb, r.choice([0, 0, 1, 3]), r.choice([0, 0, 1, 3])]

        def drive(self, rst: bool) -> dict[str, int]:
            r = self.rng
            if rst:
                self.reset()
            elif self.aw is None and r.random() < 0.3:
                self.aw = self._new_write()
            if not rst and self.ar is None and r.random() < 0.4:
                addr = r.randrange(0x50) if r.random() < 0.9 else r.randrange(256)
                self.ar = [addr, r.choice([0, 0, 1, 3])]
            aw, ar = self.aw, self.ar
            return {"s_axil_awaddr": aw[0] if aw else 0, "s_axil_wdata": aw[1] if aw else 0,
                    "s_axil_wstrb": aw[2] if aw else 0,
                    "s_axil_awvalid": int(bool(aw) and aw[3] <= 0),
                    "s_axil_wvalid": int(bool(aw) and aw[4] <= 0),
                    "s_axil_bready": int(r.random() < 0.5),
                    "s_axil_araddr": ar[0] if ar else 0, "s_axil_arvalid": int(bool(ar) and ar[1] <= 0),
                    "s_axil_rready": int(r.random() < 0.5)}

        def sampled(self, i: dict[str, int], awready: int, arready: int) -> None:
            """After the cycle: drop the transactions whose handshake happened, count delays."""
            if self.aw is not None:
                if i["s_axil_awvalid"] and i["s_axil_wvalid"] and awready:
                    self.aw = None
                else:
                    self.aw[3] -= 1
                    self.aw[4] -= 1
            if self.ar is not None:
                if i["s_axil_arvalid"] and arready:
                    self.ar = None
                else:
                    self.ar[1] -= 1

    @cocotb.test()
    async def regs_random(dut):
        cfg = tb_cfg()
        rng = random.Random(cfg["SEED"] + 1)
        model = RegsModel({int(a): v for a, v in cfg["CONFIG"].items()})
        master = RandomMaster(rng)
        await _start(dut)
        n = cfg["CYCLES"]
        resets = {rng.randrange(n // 4, n) for _ in range(3)}
        prob = {"stat_active": 0.7, "stat_beat": 0.5, "stat_in_stall": 0.3, "stat_out_stall": 0.3,
                "stat_in_wait": 0.2, "stat_tlast_err": 0.003, "stat_load_err": 0.003,
                "stat_frame_end": 0.05, "stat_seq_end": 0.5, "stat_busy": 0.5, "stat_idle": 0.5,
                "stat_first_step": 0.5}
        cover = dict.fromkeys(("reads", "counter reads", "soft resets", "clears",
                               "frame ends in a soft reset", "writes held by a response"), 0)
        rst_left = 0
        for cyc in range(n):
            await FallingEdge(dut.clk)
            if cyc in resets:
                rst_left = rng.randint(1, 2)
            rst = rst_left > 0
            rst_left -= 1
            i = {name: int(rng.random() < p) for name, p in prob.items()}
            i.update(master.drive(rst))
            i["rst"] = int(rst)
            for name, v in i.items():
                getattr(dut, name).value = v
            await ReadOnly()
            exp = model.outputs(i)
            got = {name: uint(getattr(dut, name).value) for name in exp}
            diff = {k: (got[k], exp[k]) for k in exp if got[k] != exp[k]}
            assert not diff, f"cycle {cyc}: outputs differ, (got, expected): {diff}"
            if model.rvalid:
                rdata = uint(dut.s_axil_rdata.value)
                assert rdata == model.rdata, f"cycle {cyc}: rdata {rdata:#x}, expected {model.rdata:#x}"
                if i["s_axil_rready"]:
                    cover["reads"] += 1
                    cover["counter reads"] += rdata != 0 and (model.raddr >> 2) in COUNTER_WORDS
            cover["soft resets"] += model.soft
            cover["clears"] += model.clr
            cover["frame ends in a soft reset"] += model.soft and i["stat_frame_end"]
            cover["writes held by a response"] += (i["s_axil_awvalid"] and i["s_axil_wvalid"]
                                                   and model.bvalid and not rst)
            master.sampled(i, got["s_axil_awready"], got["s_axil_arready"])
            model.edge(i)
        assert all(cover.values()), f"coverage: {cover}"
        dut._log.info("engine_regs: %d cycles, every output exact; %s", n, cover)
