"""The driver interface: everything the host runtime needs from one engine.

A driver moves words; it knows nothing of models.  Four operations:

``read(addr)`` / ``write(addr, value)``
    one 32-bit AXI4-Lite register access (the map is ``runtime.regs``, docs/engine.md).
``load(writes)``
    the run-time load port: ``(sel, lane, addr, data)`` tuples, in order (sel 0 weights,
    1 bias, 2 peepholes; ``golden.engine_layout.load_writes``).  The engine accepts them only
    while CTRL.RUN = 0 and nothing is in flight; the runtime clears RUN first.  Returns the
    clock cycles the load took when the driver can count them, else None.
``stream(beats, n_out)``
    send ``beats`` (``(tdata, tlast)``: one K-word block per beat, packed by
    ``golden.memfile.pack_lanes``) on s_axis while receiving ``n_out`` output beats from
    m_axis; returns ``(tdata words, tlast bits)`` of the outputs in order.  Both directions run
    at once: the engine holds at most two frames of output, so a driver that sent everything
    before reading would deadlock on any sequence longer than two frames.

and one optional clock: ``cycles()`` returns a free-running count of engine clock cycles (the
simulator's is exact; a board without a cycle counter returns None and the runtime reports the
engine's own counters only).

Implementations
---------------
``runtime.sim_driver.SimDriver`` drives the RTL in a cocotb simulation (Icarus or Verilator);
the tests and ``make run`` use it.

A board driver implements the same four methods over the engine's ports as the FPGA shell
connects them: ``read``/``write`` as 32-bit loads and stores to the AXI4-Lite window
(e.g. ``mmap`` of ``/dev/mem`` or a UIO device at the register base); ``stream`` as two DMA
transfers started together, memory-to-stream with the packed beats (tlast on the last beat of
each sequence, as the DMA's end-of-packet) and stream-to-memory into a buffer of ``n_out``
beats, waiting for both; ``load`` as writes through whatever bridges the ``ld_*`` port to the
bus (an AXI4-Lite-to-load-port shim taking sel/lane/addr/data, or a DMA into it).  Buffers
must hold the longest sequence the runtime sends (``Runtime(max_frames=...)``).
"""
from __future__ import annotations

import abc
from collections.abc import Sequence

LoadWrite = tuple[int, int, int, int]          # (sel, lane, addr, data)
Beat = tuple[int, int]                         # (tdata, tlast)


class Driver(abc.ABC):
    """One engine, as the host runtime sees it (see the module docstring)."""

    @abc.abstractmethod
    def read(self, addr: int) -> int:
        """The 32-bit register at byte address ``addr``."""

    @abc.abstractmethod
    def write(self, addr: int, value: int) -> None:
        """Write ``value`` to the register at ``addr``."""

    @abc.abstractmethod
    def load(self, writes: Sequence[LoadWrite]) -> int | None:
        """Put ``writes`` through the load port; the cycles it took, or None."""

    @abc.abstractmethod
    def stream(self, beats: Sequence[Beat], n_out: int) -> tuple[list[int], list[int]]:
        """Send ``beats``, receive ``n_out`` output beats: (tdata words, tlast bits)."""

    def cycles(self) -> int | None:
        """A free-running count of engine clock cycles, if the driver has one."""
        return None
