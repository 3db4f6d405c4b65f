"""``Driver`` over the RTL in a cocotb simulation: the runtime's blocking calls become the
engine's pin-level coroutines (``runtime.cocotb_engine``) through cocotb's ``resume``; the
runtime itself runs in a ``bridge`` thread (``runtime.cocotb_main``), as host code would run
beside a board.  Exact clock: ``cycles()`` is the simulator's time over the clock period."""
from __future__ import annotations

from collections.abc import Sequence

from cocotb.task import resume

from .cocotb_engine import CocotbEngine
from .driver import Beat, Driver, LoadWrite


class SimDriver(Driver):
    def __init__(self, engine: CocotbEngine):
        self.engine = engine

    def read(self, addr: int) -> int:
        return resume(self.engine.read)(addr)

    def write(self, addr: int, value: int) -> None:
        resume(self.engine.write)(addr, value)

    def load(self, writes: Sequence[LoadWrite]) -> int:
        c0 = self.engine.cycle()
        resume(self.engine.load)(list(writes))
        return self.engine.cycle() - c0

    def stream(self, beats: Sequence[Beat], n_out: int) -> tuple[list[int], list[int]]:
        return resume(self.engine.stream_words)(list(beats), n_out)

    def cycles(self) -> int:
        return self.engine.cycle()
