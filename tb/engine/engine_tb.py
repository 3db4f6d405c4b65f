"""cocotb-side helpers for the engine: AXI4-Lite master, load port, frame streams with tlast."""
from __future__ import annotations

import random

import numpy as np

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from golden.engine_layout import EngineParams
from tb.common.stream import pack, uint, unpack

# register map (docs/engine.md)
CTRL, STATUS, FRAMES, SEQS, CYCLES, BEATS, IN_STALL, OUT_STALL = (0x00, 0x04, 0x08, 0x0C, 0x10,
                                                                  0x14, 0x18, 0x1C)
CFG_K, CFG_CELL, CFG_IN, CFG_HID = 0x20, 0x24, 0x28, 0x2C
FMT_DATA, FMT_SPEC, FMT_BIAS, FMT_GATE, FMT_MISC, ID, LAST_FRAME_CYCLES, IN_WAIT = (
    0x30, 0x34, 0x38, 0x3C, 0x40, 0x44, 0x48, 0x4C)
RUN, SOFT_RESET, CLEAR = 1, 2, 4
# STATUS bits
BUSY, DONE, FRAME_ERROR, IDLE, SEQ_START, LOAD_ERROR = 1, 2, 4, 16, 32, 64


def expected_registers(ep: EngineParams) -> dict[int, int]:
    F = ep.formats

    def fw(a, b):
        fa, fb = F.fmt(a), F.fmt(b)
        return fa.width | (fa.frac << 8) | (fb.width << 16) | (fb.frac << 24)

    return {CFG_K: ep.k | (ep.wpar << 8) | (ep.n_pe << 16),
            CFG_CELL: (int(ep.cell == "gru") | (int(ep.peephole) << 4) | (ep.num_layers << 8)
                       | (ep.hlanes << 16)),
            CFG_IN: ep.input_size, CFG_HID: ep.hidden_size | (ep.proj_size << 16),
            FMT_DATA: fw("data", "weight"), FMT_SPEC: fw("spec", "pre"), FMT_BIAS: fw("bias", "peep"),
            FMT_GATE: fw("gate", "cell"), FMT_MISC: F.tw_width | (F.act_seg_bits << 8),
            ID: 0x45524E31}


class EngineTB:
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
    async def write(self, addr: int, data: int) -> None:
        d = self.dut
        await FallingEdge(d.clk)
        d.s_axil_awaddr.value = addr
        d.s_axil_awvalid.value = 1
        d.s_axil_wdata.value = data
        d.s_axil_wstrb.value = 0xF
        d.s_axil_wvalid.value = 1
        d.s_axil_bready.value = 1
        while True:
            await ReadOnly()
            fired = d.s_axil_awready.value == 1
            await FallingEdge(d.clk)
            if fired:
                break
        d.s_axil_awvalid.value = 0
        d.s_axil_wvalid.value = 0
        while True:
            await ReadOnly()
            if d.s_axil_bvalid.value == 1:
                break
            await FallingEdge(d.clk)
        await FallingEdge(d.clk)
        d.s_axil_bready.value = 0

    async def read(self, addr: int) -> int:
        d = self.dut
        await FallingEdge(d.clk)
        d.s_axil_araddr.value = addr
        d.s_axil_arvalid.value = 1
        d.s_axil_rready.value = 1
        while True:
            await ReadOnly()
            fired = d.s_axil_arready.value == 1
            await FallingEdge(d.clk)
            if fired:
                break
        d.s_axil_arvalid.value = 0
        while True:
            await ReadOnly()
            if d.s_axil_rvalid.value == 1:
                v = uint(d.s_axil_rdata.value)
                break
            await FallingEdge(d.clk)
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
        k, q = self.ep.k, self.ep.qin
        T = codes.shape[0]
        pad = np.zeros((T, q * k), dtype=np.int64)
        if pad_rng is not None:
            lo, hi = -(1 << (self.dw - 1)), (1 << (self.dw - 1)) - 1
            for t in range(T):
                for n in range(codes.shape[1], q * k):
                    pad[t, n] = pad_rng.randint(lo, hi)
        pad[:, :codes.shape[1]] = codes
        beats = []
        for t in range(T):
            for j in range(q):
                last = int(last_seq and t == T - 1 and j == q - 1)
                beats.append((pack(pad[t, j * k:(j + 1) * k], self.dw), last))
        return beats

    async def stream(self, beats: list[tuple[int, int]], n_out: int, rng: random.Random,
                     p_idle: float = 0.0, p_stall: float = 0.0, max_cycles: int = 2_000_000
                     ) -> tuple[np.ndarray, list[int]]:
        """Drive ``beats``, collect ``n_out`` output beats -> ((n_out, k) codes, tlast list).
        Fails after ``max_cycles`` in all, or as soon as no beat has gone in or out for longer
        than a frame's MAC beats can take (20 x beats + 20,000 cycles: a stuck engine fails in
        seconds, not after the whole budget)."""
        d = self.dut
        out, lasts = [], []
        idx, cycles, last_move = 0, 0, 0
        quiet = 20 * self.ep.beats() + 20_000
        while len(out) < n_out or idx < len(beats):
            await FallingEdge(d.clk)
            cycles += 1
            if cycles > max_cycles or cycles - last_move > quiet:
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
        codes = np.array([unpack(o, self.dw, self.ep.k) for o in out]).reshape(n_out, self.ep.k)
        return codes, lasts

    async def wait_idle(self, max_cycles: int = 1_000_000) -> None:
        for _ in range(max_cycles // 50):
            if (await self.read(STATUS)) & 1 == 0:
                return
            for _ in range(50):
                await RisingEdge(self.dut.clk)
        raise AssertionError("engine stayed busy")
