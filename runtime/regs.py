"""The engine's AXI4-Lite register map (docs/engine.md, "Interfaces") as Python constants,
what an engine build's configuration registers read, and the engine shape they describe.

The host runtime reads the configuration registers to learn what the engine it talks to was
built for (``params_from_registers``); the testbenches compare them with ``expected_registers``.
"""
from __future__ import annotations

from dataclasses import dataclass

from golden.engine_layout import EngineParams
from golden.formats import Formats


@dataclass(frozen=True)
class Reg:
    name: str
    addr: int          # byte address (registers are 32-bit, word aligned)
    access: str        # RW or R
    content: str       # the docs table's text


# The one register-map table.  scripts/gen_regmap.py writes rtl/engine_regmap.vh (the Verilog
# localparams engine_regs.v decodes with) and the table in docs/engine.md from it;
# tests/test_rtl_generated.py checks that both are current.
REGISTERS: tuple[Reg, ...] = (
    Reg("CTRL", 0x00, "RW", "bit0 RUN (accept and process frames), bit1 SOFT_RESET (pulse: abort, "
        "drop buffered frames and outputs, start a fresh sequence; weights kept), bit2 CLEAR "
        "(pulse: clear counters and flags)"),
    Reg("STATUS", 0x04, "R", "bit0 busy, bit1 done (a sequence finished, sticky), bit2 "
        "frame_error (sticky), bit4 sequencer idle, bit5 next frame starts a sequence, bit6 "
        "load_error (an out-of-range load write was dropped, sticky); busy, idle and bit5 are "
        "registered levels (they read one cycle late)"),
    Reg("FRAMES", 0x08, "R", "frames finished (last output block pushed)"),
    Reg("SEQS", 0x0C, "R", "sequences finished"),
    Reg("CYCLES", 0x10, "R", "cycles the engine was working (sequencer issuing, or a frame in "
        "flight)"),
    Reg("BEATS", 0x14, "R", "MAC beats issued (PE-array busy cycles)"),
    Reg("IN_STALL", 0x18, "R", "cycles with s_axis_tvalid and not tready"),
    Reg("OUT_STALL", 0x1C, "R", "cycles with m_axis_tvalid and not tready"),
    Reg("CFG_K", 0x20, "R", "K, WPAR << 8, N_PE << 16"),
    Reg("CFG_CELL", 0x24, "R", "CELL (0 LSTM, 1 GRU), PEEP << 4, LAYERS << 8, HLANES << 16"),
    Reg("CFG_IN", 0x28, "R", "IN_SIZE"),
    Reg("CFG_HID", 0x2C, "R", "HIDDEN, PROJ << 16"),
    Reg("FMT_DATA", 0x30, "R", "data width, frac << 8, weight width << 16, frac << 24"),
    Reg("FMT_SPEC", 0x34, "R", "spec, pre (same packing)"),
    Reg("FMT_BIAS", 0x38, "R", "bias, peep"),
    Reg("FMT_GATE", 0x3C, "R", "gate, cell"),
    Reg("FMT_MISC", 0x40, "R", "TW_WIDTH, ACT_SEG_BITS << 8"),
    Reg("ID", 0x44, "R", '0x45524E31 ("ERN1")'),
    Reg("LAST_FRAME_CYCLES", 0x48, "R", "working cycles between the previous frame's end and the "
        "last one's: with frames overlapped and input ready this is the steady-state cycles per "
        "frame"),
    Reg("IN_WAIT", 0x4C, "R", "idle cycles waiting for input in the middle of a sequence"),
)
# bit positions of the CTRL and STATUS fields
BITS: dict[str, tuple[tuple[str, int], ...]] = {
    "CTRL": (("RUN", 0), ("SOFT_RESET", 1), ("CLEAR", 2)),
    "STATUS": (("BUSY", 0), ("DONE", 1), ("FRAME_ERROR", 2), ("IDLE", 4), ("SEQ_START", 5),
               ("LOAD_ERROR", 6)),
}
ADDR = {r.name: r.addr for r in REGISTERS}
MASK = {f: 1 << b for fields in BITS.values() for f, b in fields}

# the Python constants host and testbench code use, each taken from the table
CTRL, STATUS, FRAMES, SEQS, CYCLES, BEATS, IN_STALL, OUT_STALL = (
    ADDR[n] for n in ("CTRL", "STATUS", "FRAMES", "SEQS", "CYCLES", "BEATS", "IN_STALL", "OUT_STALL"))
CFG_K, CFG_CELL, CFG_IN, CFG_HID = (ADDR[n] for n in ("CFG_K", "CFG_CELL", "CFG_IN", "CFG_HID"))
FMT_DATA, FMT_SPEC, FMT_BIAS, FMT_GATE, FMT_MISC, ID, LAST_FRAME_CYCLES, IN_WAIT = (
    ADDR[n] for n in ("FMT_DATA", "FMT_SPEC", "FMT_BIAS", "FMT_GATE", "FMT_MISC", "ID",
                      "LAST_FRAME_CYCLES", "IN_WAIT"))
RUN, SOFT_RESET, CLEAR = (MASK[n] for n in ("RUN", "SOFT_RESET", "CLEAR"))
BUSY, DONE, FRAME_ERROR, IDLE, SEQ_START, LOAD_ERROR = (
    MASK[n] for n in ("BUSY", "DONE", "FRAME_ERROR", "IDLE", "SEQ_START", "LOAD_ERROR"))
ENGINE_ID = 0x45524E31          # "ERN1"
# the registers that describe the build (read once by the host)
CONFIG_REGISTERS = (CFG_K, CFG_CELL, CFG_IN, CFG_HID, FMT_DATA, FMT_SPEC, FMT_BIAS, FMT_GATE,
                    FMT_MISC, ID)


def expected_registers(ep: EngineParams) -> dict[int, int]:
    """What the configuration registers of an engine built for ``ep`` read."""
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
            ID: ENGINE_ID}


def params_from_registers(regs: dict[int, int]) -> EngineParams:
    """The EngineParams of the build whose configuration registers read ``regs`` (address ->
    value).  ValueError when ID is not the engine's or a field cannot be an engine's."""
    if regs.get(ID) != ENGINE_ID:
        got = regs.get(ID)
        raise ValueError(f"register ID reads {got:#010x}, not the engine's {ENGINE_ID:#010x}: "
                         "not an ERN1 engine at this address" if got is not None else
                         "register ID was not read")

    def fmt(word: int, hi: bool) -> str:
        w = (word >> (16 if hi else 0)) & 0xFF
        f = (word >> (24 if hi else 8)) & 0xFF
        return f"s{w}.{f}"

    names = {FMT_DATA: ("data", "weight"), FMT_SPEC: ("spec", "pre"), FMT_BIAS: ("bias", "peep"),
             FMT_GATE: ("gate", "cell")}
    fm = {}
    for addr, (a, b) in names.items():
        fm[a], fm[b] = fmt(regs[addr], False), fmt(regs[addr], True)
    misc = regs[FMT_MISC]
    formats = Formats(**fm, tw_width=misc & 0xFF, act_seg_bits=(misc >> 8) & 0xFF)
    k, cell, hid = regs[CFG_K], regs[CFG_CELL], regs[CFG_HID]
    return EngineParams(k=k & 0xFF, wpar=(k >> 8) & 0xFF, n_pe=(k >> 16) & 0xFFFF,
                        cell="gru" if cell & 1 else "lstm", peephole=bool((cell >> 4) & 1),
                        num_layers=(cell >> 8) & 0xFF, hlanes=(cell >> 16) & 0xFF,
                        input_size=regs[CFG_IN], hidden_size=hid & 0xFFFF,
                        proj_size=(hid >> 16) & 0xFFFF, formats=formats)
