"""engine_load: the engine's run-time load port (handshake, range check, registered write
stage, LOAD_ERR pulse) against a cycle model, every output on every cycle.

The model is the engine.v code the module replaces, transcribed: ld_ready is registered
(!rst && !run && idle one cycle earlier); a write is accepted when ld_valid && ld_ready; it is
out of range when its address is beyond the selected memory's depth or its lane beyond its
lanes (weights WLANES, bias K, peepholes 3K and only with PEEP != 0; ld_sel 3 always); an
accepted write in range raises lw_w / lw_b / lw_p one cycle later, with the one-hot lane
decode, address and data registered beside it (those three registered every cycle); an
accepted write out of range pulses load_err in its own cycle (combinational).

Stimulus: run, idle and rst change at random (rst pulses, run / idle phases of random length,
so ld_ready rises and falls while a write is offered); ld_valid drops at random; the selector,
lane and address are drawn around each memory's bounds (last valid, first invalid, next, the
all-ones value) as well as uniformly inside and outside, and the data is random 32-bit.
Checked after every rising edge: ld_ready, lw_w, lw_b, lw_p, lw_lane_oh, lw_addr, lw_data;
after every input change: load_err.  Coverage (asserted): per memory, writes in range, out of
range by address and by lane (lane exactly at the bound and address exactly at the depth
among them), ld_sel 3, offers refused by ld_ready low, and rst while offered.
"""
from __future__ import annotations

import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, selected_sims

TOP = "engine_load"


def hdl_params(wdepth: int, bdepth: int, pdepth: int, wlanes: int, k: int, peep: int) -> dict:
    """Module parameters as rtl/engine.v derives them (NLW = the widest lane count)."""
    return dict(WDEPTH=wdepth, BDEPTH=bdepth, PDEPTH=pdepth, WLANES=wlanes, K=k, PEEP=peep,
                NLW=max(wlanes, 3 * k))


SETS = {
    # the module defaults' shape: 3K lanes widest
    "k4-w2-peep": hdl_params(64, 16, 8, 2, 4, 1),
    # no peepholes (ld_sel 2 always out of range), weights widest, depth 1 memory
    "k2-w16-nopeep": hdl_params(300, 5, 1, 16, 2, 0),
    # wider memories: 32 weight lanes, 24 peephole lanes
    "k8-w32-peep": hdl_params(4096, 96, 48, 32, 8, 1),
}
CASES = [pytest.param(sim, name, id=f"{sim}-{name}") for sim in selected_sims() for name in SETS]


def _run(sim: str, name: str, n: int, seed: int, **kw) -> tuple[int, int]:
    return run_cocotb(TOP, "test_engine_load", sim, SETS[name],
                      {**SETS[name], "N": n, "SEED": seed, "P_GAP": 0.3},
                      tagname=name + kw.pop("suffix", ""), **kw)


@pytest.mark.parametrize("sim,name", CASES)
def test_engine_load(sim, name):
    _run(sim, name, 6000, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,name", CASES)
def test_engine_load_slow(sim, name):
    _run(sim, name, 100000, 2)


# Mutants: each must make the test fail, or the test proves nothing.
MUTANTS = {
    # the weight lane bound off by one: lane == WLANES is written (past the last PE bank)
    "weight-lane-bound": ("k4-w2-peep", {"engine_load.v": ("|| lane >= WLANES)", "|| lane > WLANES)")}),
    # the bias depth bound off by one: address BDEPTH is written
    "bias-addr-bound": ("k4-w2-peep", {"engine_load.v": ("ld_addr >= BDEPTH ||", "ld_addr > BDEPTH ||")}),
    # peepholes written in a model without them
    "peep-absent": ("k2-w16-nopeep", {"engine_load.v": ("(PEEP == 0 || ", "(")}),
    # loads taken while RUN is high
    "ready-ignores-run": ("k4-w2-peep", {"engine_load.v": ("!rst && !run && idle", "!rst && idle")}),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_load_mutant_fails(mutant):
    """A broken load port must fail its test (Icarus: the faster build; Verilator when only
    it is selected)."""
    sim = mutant_sim("icarus")
    name, mutation = MUTANTS[mutant]
    n_tests, n_fail = _run(sim, name, 6000, 3, suffix=f"-mutant-{mutant}", mutation=mutation,
                           check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the load port test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    import random

    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, RisingEdge, Timer

    from tb.common.stream import tb_cfg, uint

    M32 = (1 << 32) - 1

    class LoadModel:
        """engine.v's run-time load port, cycle by cycle (state after each rising edge)."""

        def __init__(self, c: dict):
            self.depth = (c["WDEPTH"], c["BDEPTH"], c["PDEPTH"])
            self.lanes = (c["WLANES"], c["K"], 3 * c["K"])
            self.peep = c["PEEP"]
            self.nlw = c["NLW"]
            self.ready = 0
            self.lw = (0, 0, 0)
            self.oh = self.addr = self.data = 0

        def bad(self, sel: int, lane: int, addr: int) -> bool:
            if sel == 3 or (sel == 2 and self.peep == 0):
                return True
            return addr >= self.depth[sel] or lane >= self.lanes[sel]

        def fire(self, i: dict) -> bool:
            return bool(i["ld_valid"] and self.ready)

        def err(self, i: dict) -> int:
            return int(self.fire(i) and self.bad(i["ld_sel"], i["ld_lane"], i["ld_addr"]))

        def edge(self, i: dict) -> None:
            ok = self.fire(i) and not self.bad(i["ld_sel"], i["ld_lane"], i["ld_addr"]) and not i["rst"]
            self.lw = tuple(int(ok and i["ld_sel"] == s) for s in range(3))
            self.oh = (1 << i["ld_lane"]) if i["ld_lane"] < self.nlw else 0
            self.addr, self.data = i["ld_addr"], i["ld_data"]
            self.ready = int(not i["rst"] and not i["run"] and i["idle"])

    def _pick(rng: random.Random, lim: int, top: int, edges: list[int]) -> int:
        r = rng.random()
        if r < 0.5:
            return rng.randrange(lim)                      # in range
        if r < 0.85:
            return min(rng.choice(edges), top)             # around the bounds
        return rng.randrange(top + 1)                      # anywhere

    @cocotb.test()
    async def engine_load_random(dut):
        c = tb_cfg()
        rng = random.Random(c["SEED"])
        m = LoadModel(c)
        n = c["N"]

        def gen(prev: dict) -> dict:
            i = dict(prev)
            i["rst"] = int(rng.random() < 0.01)
            if rng.random() < 0.04:                        # run / idle phases
                i["run"] = int(rng.random() < 0.35)
            if rng.random() < 0.06:
                i["idle"] = int(rng.random() < 0.75)
            i["ld_valid"] = int(rng.random() >= c["P_GAP"])
            sel = rng.choices((0, 1, 2, 3), (0.3, 0.3, 0.3, 0.1))[0]
            s = min(sel, 2)
            lim, depth = m.lanes[s], m.depth[s]
            i["ld_sel"] = sel
            i["ld_lane"] = _pick(rng, lim, 0xFFFF, [lim - 1, lim, lim + 1, m.nlw - 1, m.nlw, 0xFFFF])
            i["ld_addr"] = _pick(rng, depth, M32, [depth - 1, depth, depth + 1, M32])
            i["ld_data"] = rng.getrandbits(32)
            return i

        def apply(i: dict) -> None:
            for name, v in i.items():
                getattr(dut, name).value = v

        cov = {key: 0 for key in ("ok0", "ok1", "ok2", "addr0", "addr1", "addr2", "lane0", "lane1",
                                  "lane2", "adepth0", "adepth1", "adepth2", "lbound0", "lbound1",
                                  "lbound2", "sel3", "refused", "rst_offer")}
        inp = gen({"rst": 1, "run": 0, "idle": 1})
        inp["rst"] = 1
        apply(inp)
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for cyc in range(n):
            await RisingEdge(dut.clk)
            # coverage of the write taken at this edge
            if inp["ld_valid"] and not m.ready:
                cov["refused"] += 1
            if m.fire(inp):
                sel, lane, addr = inp["ld_sel"], inp["ld_lane"], inp["ld_addr"]
                if inp["rst"]:
                    cov["rst_offer"] += 1
                if sel == 3:
                    cov["sel3"] += 1
                elif not m.bad(sel, lane, addr):
                    cov[f"ok{sel}"] += 1
                elif not (sel == 2 and m.peep == 0):
                    if addr >= m.depth[sel]:
                        cov[f"addr{sel}"] += 1
                        cov[f"adepth{sel}"] += addr == m.depth[sel] and lane < m.lanes[sel]
                    if lane >= m.lanes[sel]:
                        cov[f"lane{sel}"] += 1
                        cov[f"lbound{sel}"] += lane == m.lanes[sel] and addr < m.depth[sel]
                else:
                    cov["addr2"] += 1                      # no peepholes: every write is out of range
            m.edge(inp)
            await FallingEdge(dut.clk)
            if cyc > 0:                                    # the first edge: lw_* from the reset inputs
                got = dict(ready=uint(dut.ld_ready.value),
                           lw=(uint(dut.lw_w.value), uint(dut.lw_b.value), uint(dut.lw_p.value)),
                           oh=uint(dut.lw_lane_oh.value), addr=uint(dut.lw_addr.value),
                           data=uint(dut.lw_data.value))
                want = dict(ready=m.ready, lw=m.lw, oh=m.oh, addr=m.addr, data=m.data)
                assert got == want, f"cycle {cyc}: got {got}, expected {want} (inputs {inp})"
            inp = gen(inp)
            apply(inp)
            await Timer(1, unit="ns")
            e = uint(dut.load_err.value)
            assert e == m.err(inp), f"cycle {cyc}: load_err {e}, expected {m.err(inp)} (inputs {inp})"
        dut._log.info("engine_load %s: %d cycles, coverage %s", {k: c[k] for k in
                      ("WDEPTH", "BDEPTH", "PDEPTH", "WLANES", "K", "PEEP", "NLW")}, n, cov)
        need = ["ok0", "ok1", "addr0", "addr1", "lane0", "lane1", "adepth0", "adepth1", "lbound0",
                "lbound1", "sel3", "refused", "rst_offer"]
        need += ["ok2", "lane2", "adepth2", "lbound2", "addr2"] if m.peep else ["addr2"]
        missing = [key for key in need if cov[key] == 0]
        assert not missing, f"coverage holes: {missing} ({cov})"
