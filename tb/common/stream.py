"""cocotb side: clock/reset, word packing, and an AXI-Stream driver with random stalls."""
from __future__ import annotations

import json
import os
import random

import numpy as np

from golden.memfile import pack_lanes, unpack_lanes

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge


def uint(value) -> int:
    """A sampled signal value (LogicArray or single Logic) as an unsigned int."""
    return value.to_unsigned() if hasattr(value, "to_unsigned") else int(value)


def tb_cfg() -> dict:
    """The configuration the pytest side passed in TB_CFG."""
    return json.loads(os.environ["TB_CFG"])


def pack(codes, width: int) -> int:
    """Signed codes (lane 0 first) -> one integer with lane i at bits [i*width +: width]
    (codes wider than ``width`` keep their low bits, as a bus would)."""
    mask = (1 << width) - 1
    return pack_lanes([((int(c) & mask) ^ (1 << (width - 1))) - (1 << (width - 1))
                       for c in np.ravel(codes).tolist()], width)


def unpack(word: int, width: int, lanes: int) -> np.ndarray:
    """Inverse of ``pack``: lanes signed codes."""
    return unpack_lanes(word, width, lanes)


async def start(dut, period_ns: int = 10) -> None:
    """Start the clock and hold rst for a few cycles (stream inputs idle)."""
    cocotb.start_soon(Clock(dut.clk, period_ns, unit="ns").start())
    dut.rst.value = 1
    for name in ("s_axis_tvalid", "m_axis_tready", "s_axis_tuser"):
        if hasattr(dut, name):
            getattr(dut, name).value = 0
    for _ in range(4):
        await RisingEdge(dut.clk)
    dut.rst.value = 0
    await RisingEdge(dut.clk)


async def run_stream(dut, items: list[int], n_out: int, *, rng: random.Random,
                     p_idle: float = 0.0, p_stall: float = 0.0, users: list[int] | None = None,
                     max_cycles: int | None = None) -> tuple[list[int], list[int]]:
    """Drive ``items`` into s_axis_* and collect ``n_out`` words from m_axis_*.

    Each cycle the source idles with probability ``p_idle`` and the sink stalls with
    probability ``p_stall``.  Signals are driven at the falling edge and sampled in ReadOnly
    of the same step, i.e. exactly what the next rising edge will see.  Returns (data, user)
    of the outputs in order.
    """
    s_valid, s_data, s_ready = dut.s_axis_tvalid, dut.s_axis_tdata, dut.s_axis_tready
    m_valid, m_data, m_ready = dut.m_axis_tvalid, dut.m_axis_tdata, dut.m_axis_tready
    s_user = getattr(dut, "s_axis_tuser", None) if users is not None else None
    m_user = getattr(dut, "m_axis_tuser", None) if users is not None else None
    out, out_user = [], []
    idx = 0
    cycles = 0
    limit = max_cycles or (20 * (len(items) + n_out) + 2000)
    while len(out) < n_out:
        await FallingEdge(dut.clk)
        cycles += 1
        if cycles > limit:
            raise AssertionError(f"timeout: {len(out)}/{n_out} outputs after {cycles} cycles "
                                 f"({idx}/{len(items)} inputs accepted)")
        drive = idx < len(items) and (p_idle == 0.0 or rng.random() >= p_idle)
        s_valid.value = 1 if drive else 0
        if drive:
            s_data.value = items[idx]
            if s_user is not None:
                s_user.value = users[idx]
        rdy = p_stall == 0.0 or rng.random() >= p_stall
        m_ready.value = 1 if rdy else 0
        await ReadOnly()
        if drive and s_ready.value == 1:
            idx += 1
        if rdy and m_valid.value == 1:
            out.append(uint(m_data.value))
            if m_user is not None:
                out_user.append(uint(m_user.value))
    await FallingEdge(dut.clk)
    s_valid.value = 0
    m_ready.value = 0
    return out, out_user


async def measure_latency(dut, item: int, max_cycles: int = 1000) -> int:
    """Cycles from the rising edge that accepts one input to the first valid output
    (sink always ready; the pipeline must be empty)."""
    await FallingEdge(dut.clk)
    dut.m_axis_tready.value = 1
    dut.s_axis_tvalid.value = 1
    dut.s_axis_tdata.value = item
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.s_axis_tvalid.value = 0
    for n in range(1, max_cycles):
        await ReadOnly()
        if dut.m_axis_tvalid.value == 1:
            await FallingEdge(dut.clk)
            dut.m_axis_tready.value = 0
            return n
        await FallingEdge(dut.clk)
    raise AssertionError(f"no output within {max_cycles} cycles")


def edge_blocks(k: int, width: int) -> np.ndarray:
    """Edge-value blocks of ``width``-bit codes: zeros, full scale, most negative, impulses,
    alternating signs, +-1 and a ramp."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    rows = [np.zeros(k), np.full(k, hi), np.full(k, lo), np.full(k, 1), np.full(k, -1)]
    for p in range(k):
        for v in (hi, lo, 1):
            r = np.zeros(k)
            r[p] = v
            rows.append(r)
    alt = np.where(np.arange(k) % 2 == 0, hi, lo)
    rows += [alt, -alt - 1, np.where(np.arange(k) % 2 == 0, lo, hi),
             np.where((np.arange(k) // 2) % 2 == 0, hi, lo), np.linspace(lo, hi, k).round()]
    return np.array(rows, dtype=np.int64)


def first_mismatch(got: np.ndarray, exp: np.ndarray, inputs=None) -> str:
    bad = np.argwhere(got != exp)
    if not len(bad):
        return ""
    i = int(bad[0][0])
    msg = f"{len(bad)} word(s) differ; first at vector {i}: got {got[i].tolist()} expected {exp[i].tolist()}"
    if inputs is not None:
        msg += f" input {np.asarray(inputs[i]).tolist()}"
    return msg


class TimedMem:
    """A memory model whose writes land at given edges: a read at an edge sees the writes that
    landed at earlier edges (a write at the same edge comes after the read, as in a block RAM
    read-before-write)."""

    def __init__(self, init: dict | None = None):
        self.hist = {key: [(-1, v)] for key, v in (init or {}).items()}

    def write(self, edge: int, key, value: int) -> None:
        self.hist.setdefault(key, []).append((edge, value))

    def read(self, edge: int, key, default=None):
        vals = [v for e, v in self.hist.get(key, []) if e < edge]
        return vals[-1] if vals else default

    def latest(self, key, default=None):
        h = self.hist.get(key)
        return h[-1][1] if h else default
