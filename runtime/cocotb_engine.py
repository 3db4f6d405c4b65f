"""The engine's pins under cocotb: clock and reset, the AXI4-Lite master, the run-time load
port and the two AXI-Stream ports (frames in, outputs out, with random stalls for tests).

Coroutines, run inside the simulator: the testbenches (tb/engine) await them directly; the
host runtime reaches them through ``runtime.sim_driver.SimDriver``.
"""
from __future__ import annotations

import random

import numpy as np

import cocotb
from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from golden.engine_layout import EngineParams
from golden.memfile import unpack_lanes

from .host import frame_beats
from .regs import STATUS


def uint(value) -> int:
    """A sampled signal value (LogicArray or single Logic) as an unsigned int."""
    return value.to_unsigned() if hasattr(value, "to_unsigned") else int(value)


class CocotbEngine:
    def __init__(self, dut, ep: EngineParams, clk_ps: int = 10_000):
        self.dut = dut
        self.ep = ep
        self.dw = ep.formats.fmt("data").width
        self.clk_ps = clk_ps              # clock period (ps); an even number, two equal halves

    async def start(self) -> None:
        d = self.dut
        cocotb.start_soon(Clock(d.clk, self.clk_ps, unit="ps").start())
        d.rst.value = 1
        for name in ("s_axis_tvalid", "s_axis_tlast", "m_axis_tready", "s_axil_awvalid",
                     "s_axil_wvalid", "s_axil_bready", "s_axil_arvalid", "s_axil_rready",
                     "ld_valid", "ld_sel", "ld_lane", "ld_addr", "ld_data", "s_axil_awaddr",
                     "s_axil_araddr", "s_axil_wdata", "s_axil_wstrb", "s_axis_tdata"):
            getattr(d, name).value = 0
        for _ in range(4):
            await RisingEdge(d.clk)
        d.rst.value = 0
        await RisingEdge(d.clk)

    # ---- AXI4-Lite ----
    async def _accepted(self, ready) -> None:
        """Hold the valid just driven until the edge at which ``ready`` is high has passed (at
        the falling edge after it)."""
        while True:
            await ReadOnly()
            fired = ready.value == 1
            await FallingEdge(self.dut.clk)
            if fired:
                return

    async def _high(self, sig) -> None:
        """Return in the read-only phase of the first cycle with ``sig`` high."""
        while True:
            await ReadOnly()
            if sig.value == 1:
                return
            await FallingEdge(self.dut.clk)

    async def write(self, addr: int, data: int) -> None:
        d = self.dut
        await FallingEdge(d.clk)
        d.s_axil_awaddr.value = addr
        d.s_axil_awvalid.value = 1
        d.s_axil_wdata.value = data
        d.s_axil_wstrb.value = 0xF
        d.s_axil_wvalid.value = 1
        d.s_axil_bready.value = 1
        await self._accepted(d.s_axil_awready)
        d.s_axil_awvalid.value = 0
        d.s_axil_wvalid.value = 0
        await self._high(d.s_axil_bvalid)
        await FallingEdge(d.clk)
        d.s_axil_bready.value = 0

    async def read(self, addr: int) -> int:
        d = self.dut
        await FallingEdge(d.clk)
        d.s_axil_araddr.value = addr
        d.s_axil_arvalid.value = 1
        d.s_axil_rready.value = 1
        await self._accepted(d.s_axil_arready)
        d.s_axil_arvalid.value = 0
        await self._high(d.s_axil_rvalid)
        v = uint(d.s_axil_rdata.value)
        await FallingEdge(d.clk)
        d.s_axil_rready.value = 0
        return v

    # ---- run-time load port ----
    async def load(self, writes) -> None:
        d = self.dut
        i = 0
        while i < len(writes):
            await FallingEdge(d.clk)
            sel, lane, addr, data = writes[i]
            d.ld_valid.value = 1
            d.ld_sel.value = sel
            d.ld_lane.value = lane
            d.ld_addr.value = addr
            d.ld_data.value = data
            await ReadOnly()
            if d.ld_ready.value == 1:
                i += 1
        await FallingEdge(d.clk)
        d.ld_valid.value = 0

    # ---- streams ----
    def frame_beats(self, codes: np.ndarray, last_seq: bool = True,
                    pad_rng: random.Random | None = None) -> list[tuple[int, int]]:
        """(T, input_size) data codes -> [(tdata, tlast)], one K-word block per beat; the padding
        words of each frame's last block are zero, or random codes with ``pad_rng``."""
        pad = None
        if pad_rng is not None:
            lo, hi = -(1 << (self.dw - 1)), (1 << (self.dw - 1)) - 1
            T, n = codes.shape
            pad = np.array([[pad_rng.randint(lo, hi) for _ in range(n, self.ep.qin * self.ep.k)]
                            for _ in range(T)], dtype=np.int64).reshape(T, -1)
        return frame_beats(self.ep, codes, last_seq, pad)

    async def stream(self, beats: list[tuple[int, int]], n_out: int, rng: random.Random,
                     p_idle: float = 0.0, p_stall: float = 0.0, max_cycles: int = 2_000_000
                     ) -> tuple[np.ndarray, list[int]]:
        """Drive ``beats``, collect ``n_out`` output beats -> ((n_out, k) codes, tlast list).
        Fails after ``max_cycles`` in all, or as soon as no beat has gone in or out for longer
        than a frame's MAC beats can take (20 x beats + 20,000 cycles: a stuck engine fails in
        seconds, not after the whole budget)."""
        out, lasts = await self.stream_words(beats, n_out, rng, p_idle, p_stall, max_cycles)
        codes = np.array([unpack_lanes(o, self.dw, self.ep.k) for o in out]).reshape(n_out, self.ep.k)
        return codes, lasts

    async def stream_words(self, beats: list[tuple[int, int]], n_out: int,
                           rng: random.Random | None = None, p_idle: float = 0.0,
                           p_stall: float = 0.0, max_cycles: int | None = None
                           ) -> tuple[list[int], list[int]]:
        """``stream`` with the output beats as raw tdata words (no limit on the total cycles
        when ``max_cycles`` is None; the no-progress limit stays)."""
        d = self.dut
        out, lasts = [], []
        idx, cycles, last_move = 0, 0, 0
        quiet = 20 * self.ep.beats() + 20_000
        while len(out) < n_out or idx < len(beats):
            await FallingEdge(d.clk)
            cycles += 1
            if (max_cycles is not None and cycles > max_cycles) or cycles - last_move > quiet:
                raise AssertionError(f"timeout after {cycles} cycles ({cycles - last_move} without "
                                     f"a beat in or out): {len(out)}/{n_out} outputs, "
                                     f"{idx}/{len(beats)} inputs")
            drive = idx < len(beats) and (p_idle == 0.0 or rng.random() >= p_idle)
            d.s_axis_tvalid.value = int(drive)
            if drive:
                d.s_axis_tdata.value = beats[idx][0]
                d.s_axis_tlast.value = beats[idx][1]
            rdy = len(out) < n_out and (p_stall == 0.0 or rng.random() >= p_stall)
            d.m_axis_tready.value = int(rdy)
            await ReadOnly()
            if drive and d.s_axis_tready.value == 1:
                idx += 1
                last_move = cycles
            if rdy and d.m_axis_tvalid.value == 1:
                out.append(uint(d.m_axis_tdata.value))
                lasts.append(int(d.m_axis_tlast.value))
                last_move = cycles
        await FallingEdge(d.clk)
        d.s_axis_tvalid.value = 0
        d.m_axis_tready.value = 0
        return out, lasts

    def cycle(self) -> int:
        """Clock cycles since time 0 (the simulator's time over the clock period)."""
        return int(get_sim_time("ps")) // self.clk_ps

    async def wait_idle(self, max_cycles: int = 1_000_000) -> None:
        for _ in range(max_cycles // 50):
            if (await self.read(STATUS)) & 1 == 0:
                return
            for _ in range(50):
                await RisingEdge(self.dut.clk)
        raise AssertionError("engine stayed busy")
