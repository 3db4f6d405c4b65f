"""The engine's AXI4-Lite register map (docs/engine.md, "Interfaces") as Python constants,
what an engine build's configuration registers read, and the engine shape they describe.

The host runtime reads the configuration registers to learn what the engine it talks to was
built for (``params_from_registers``); the testbenches compare them with ``expected_registers``.
"""
from __future__ import annotations

from golden.engine_layout import EngineParams
from golden.formats import Formats

CTRL, STATUS, FRAMES, SEQS, CYCLES, BEATS, IN_STALL, OUT_STALL = (0x00, 0x04, 0x08, 0x0C, 0x10,
                                                                  0x14, 0x18, 0x1C)
CFG_K, CFG_CELL, CFG_IN, CFG_HID = 0x20, 0x24, 0x28, 0x2C
FMT_DATA, FMT_SPEC, FMT_BIAS, FMT_GATE, FMT_MISC, ID, LAST_FRAME_CYCLES, IN_WAIT = (
    0x30, 0x34, 0x38, 0x3C, 0x40, 0x44, 0x48, 0x4C)
RUN, SOFT_RESET, CLEAR = 1, 2, 4
# STATUS bits
BUSY, DONE, FRAME_ERROR, IDLE, SEQ_START, LOAD_ERROR = 1, 2, 4, 16, 32, 64
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
