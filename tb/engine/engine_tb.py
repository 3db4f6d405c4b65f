"""cocotb-side helpers for the engine tests: the pins (``runtime.cocotb_engine``, AXI4-Lite
master, load port, frame streams with tlast) and the register map (``runtime.regs``), under
the names the testbenches use."""
from __future__ import annotations

from runtime.cocotb_engine import CocotbEngine as EngineTB  # noqa: F401
from runtime.regs import (BEATS, BUSY, CFG_CELL, CFG_HID, CFG_IN, CFG_K, CLEAR,  # noqa: F401
                          CTRL, CYCLES, DONE, FMT_BIAS, FMT_DATA, FMT_GATE, FMT_MISC, FMT_SPEC,
                          FRAME_ERROR, FRAMES, ID, IDLE, IN_STALL, IN_WAIT, LAST_FRAME_CYCLES,
                          LOAD_ERROR, OUT_STALL, RUN, SEQ_START, SEQS, SOFT_RESET, STATUS,
                          expected_registers)
