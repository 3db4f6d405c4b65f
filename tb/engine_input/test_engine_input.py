"""engine_input vs a cycle model of the input path, every cycle, and its x memory vs golden.

Source: random frames of random full-range words (the padding words of a frame's last beat
random too: they must read as zero), tvalid at random, tlast on a random share of frame ends
and, rarely, on a beat inside a frame (``tlast_err``, the frame goes on).  RUN drops for a
while now and then; ``rst`` is pulsed a few times mid-run (in-flight frames are lost).
Consumer (the sequencer's part): once a frame is loaded it reads the frame's QIN blocks
through the read port (one-cycle latency) and frees the slot (``frames_xdone``) after a
random delay, sometimes a long one, so both slots fill and tready must drop.

Every cycle: tready == RUN && !rst && (a slot free, the model's registered test), and
``tlast_err`` and ``mid_frame``; at every edge ``frames_accepted``; ``frames_loaded`` a fixed
latency after each frame's last beat; ``slot_seq_end`` of each loaded frame.  Every block read
== golden.fft.fft_fixed of the block (padding zeroed), packed as the engine packs spectra
(word 0 = {re(K/2), re(0)}, word w = {im, re} of bin w).  An address beyond the two slots
reads block 0.  Coverage: both slots full, a stall, a tlast error, a reset, every frame
checked.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_input"


def _p(k: int, in_size: int, dw: int = 16, tw: int = 18) -> dict:
    return dict(K=k, DATA_WIDTH=dw, IN_SIZE=in_size, TW_WIDTH=tw, ADDR_WIDTH=32)


# QIN 4 (full last beat), 4 (one word in the last beat), 1, 2 (K = 2), 3 (K = 16, 12-bit)
ICARUS = [_p(4, 16), _p(4, 13), _p(8, 5), _p(2, 3), _p(16, 40, 12, 16)]
VERILATOR = [_p(4, 13), _p(8, 5)]


def _cfg(params: dict, frames: int, seed: int) -> dict:
    return {**params, "FRAMES": frames, "SEED": seed}


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_input(sim, params):
    run_cocotb(TOP, "test_engine_input", sim, params, _cfg(params, 300, 1))


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_input_slow(sim, params):
    run_cocotb(TOP, "test_engine_input", sim, params, _cfg(params, 3000, 2))


# Mutants: each must fail the test, or the test proves nothing.
MUTANTS = {
    # the padding words of a frame's last beat are not zeroed
    "padding-kept": {"engine_input.v": ("(pm < LASTN) || !in_frame_end", "1'b1")},
    # a frame may start with one slot still held (the slot test one frame too generous)
    "slot-off-by-one": {"engine_input.v": ("slot_if_end = (in_occ < 8'd1)",
                                           "slot_if_end = (in_occ < 8'd2)")},
    # beats are taken during a reset
    "reset-not-gated": {"engine_input.v": ("wire in_ok = run && !rst && in_slot;",
                                           "wire in_ok = run && in_slot;")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_input_mutant_fails(mutant):
    """A broken input path must fail (Icarus: the faster build; Verilator when only it runs)."""
    sim = mutant_sim("icarus")
    params = _p(4, 13)
    n_tests, n_fail = run_cocotb(TOP, "test_engine_input", sim, params, _cfg(params, 120, 1),
                                 tagname=f"mutant-{mutant}-{tag(params)}",
                                 mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the input path test")


def expected_block(x: np.ndarray, k: int, dw: int, tw: int) -> int:
    """One input block (k words) -> the packed spectrum block engine_input stores: the K
    lanes of ``pack_half_spectrum`` of ``fft_fixed``, (dw + log2 k) bits each."""
    from golden.circulant import pack_half_spectrum
    from golden.fft import fft_fixed
    from golden.fixed import Fmt
    from tb.common.stream import pack

    re, im = fft_fixed(np.asarray(x, dtype=np.int64), k, Fmt(dw, dw - 4), tw)
    return pack(pack_half_spectrum(re, im), dw + k.bit_length() - 1)


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import pack, tb_cfg, uint

    @cocotb.test()
    async def input_random(dut):
        from tb.fft_real.test_fft_real import dit_latency

        cfg = tb_cfg()
        k, dw, tw, in_size = cfg["K"], cfg["DATA_WIDTH"], cfg["TW_WIDTH"], cfg["IN_SIZE"]
        qin = -(-in_size // k)
        lastn = in_size - (qin - 1) * k
        # a frame whose last beat is taken in cycle c counts as loaded from cycle c + latency:
        # fft_real's LATENCY, then the memory write and frames_loaded at the same edge
        latency = dit_latency(k) + 1
        n_frames = cfg["FRAMES"]
        rng = random.Random(cfg["SEED"])
        lo, hi = -(1 << (dw - 1)), (1 << (dw - 1)) - 1
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in ("run", "s_axis_tvalid", "s_axis_tlast", "s_axis_tdata", "frames_xdone",
                     "rd_addr"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)

        # the model: registers after the last edge, and the frames since the last reset
        slot_free, beat, acc, xdone = False, 0, 0, 0
        frames: list[dict] = []      # accepted frames: packed blocks, tlast, loaded-from cycle
        cur: list[np.ndarray] = []   # blocks of the frame being taken (padding zeroed)
        reads: list[tuple[int, int]] = []   # reads in flight: (frame, block)
        checked = free_at = 0
        stats = dict(full=0, stall=0, tlast_err=0, resets=0, reads=0, beyond=0)
        rst_left, run_left, run = 0, 0, 1
        word = None
        p_valid, p_slow = 1.0, 0.0
        cyc = 0
        while checked < n_frames:
            cyc += 1
            assert cyc < 200 * n_frames * (qin + 4) + 5000, \
                f"stuck: {checked} of {n_frames} frames checked after {cyc} cycles"
            await FallingEdge(dut.clk)
            # registered outputs after the edge
            loaded = sum(1 for f in frames if f["at"] <= cyc)
            got = uint(dut.frames_accepted.value)
            assert got == acc % 256, f"cycle {cyc}: frames_accepted {got}, expected {acc % 256}"
            got = uint(dut.frames_loaded.value)
            assert got == loaded % 256, \
                (f"cycle {cyc}: frames_loaded {got}, expected {loaded} ({latency} cycles after "
                 f"a frame's last beat)")
            for fi in range(max(0, loaded - 2), loaded):
                got = str(dut.slot_seq_end.value)[-1 - fi % 2]   # the other slot may be x
                assert got == str(frames[fi]["last"]), \
                    f"cycle {cyc}: slot_seq_end[{fi % 2}] {got}, frame {fi} tlast {frames[fi]['last']}"
            if reads:
                fi, b = reads.pop(0)
                got, exp = uint(dut.rd_data.value), frames[fi]["spec"][b]
                assert got == exp, \
                    f"cycle {cyc}: read of frame {fi} block {b}: {got:#x}, expected {exp:#x}"
                stats["reads"] += 1

            # inputs of this cycle
            if cyc % 500 == 0:
                p_valid = rng.choice([0.2, 0.7, 1.0])
                p_slow = rng.choice([0.0, 0.1, 0.5])
            if rst_left == 0 and rng.random() < 0.0015:
                rst_left = rng.randint(1, 3)
                stats["resets"] += 1
            rst = rst_left > 0
            rst_left = max(0, rst_left - 1)
            if run_left == 0 and rng.random() < 0.003:
                run_left, run = rng.randint(5, 60), 0
            elif run_left > 0:
                run_left -= 1
                run = int(run_left == 0)
            if word is None and rng.random() < p_valid:
                raw = np.array([rng.randint(lo, hi) for _ in range(k)], dtype=np.int64)
                tl = (rng.random() < 0.3) if beat == qin - 1 else (rng.random() < 0.01)
                word = (raw, tl)
            valid = word is not None
            dut.rst.value = int(rst)
            dut.run.value = run
            dut.s_axis_tvalid.value = int(valid)
            dut.s_axis_tdata.value = pack(word[0], dw) if valid else 0
            dut.s_axis_tlast.value = int(word[1]) if valid else 0
            # the consumer: reads the oldest loaded frame, then frees its slot after a delay
            if not rst and xdone < loaded and frames[xdone].get("read") and cyc >= free_at \
                    and not reads:
                xdone += 1
            dut.frames_xdone.value = xdone % 256
            rd = 0
            if not rst and xdone < loaded and not frames[xdone].get("read"):
                f = frames[xdone]
                b = f.setdefault("next", 0)
                rd = (xdone % 2) * qin + b
                reads.append((xdone, b))
                f["next"] = b + 1
                if b + 1 == qin:
                    f["read"] = True
                    checked += 1
                    slow = rng.random() < p_slow + 0.02
                    free_at = cyc + (rng.randint(0, 200) if slow else rng.randint(0, 4))
            elif not rst and rng.random() < 0.05:
                # an address beyond the two slots reads block 0: check it while a loaded
                # frame holds slot 0
                held = [fi for fi in range(xdone, loaded) if fi % 2 == 0]
                if held:
                    rd = 2 * qin + rng.randint(0, 5)
                    reads.append((held[0], 0))
                    stats["beyond"] += 1
            dut.rd_addr.value = rd
            await ReadOnly()
            ready = uint(dut.s_axis_tready.value)
            exp_ready = int(bool(run) and not rst and slot_free)
            assert ready == exp_ready, \
                (f"cycle {cyc}: tready {ready}, expected {exp_ready} (run {run}, rst {int(rst)}, "
                 f"slot free {slot_free}, {acc - xdone} frames held)")
            fire = valid and ready == 1
            frame_end = beat == qin - 1
            exp_err = int(fire and word[1] and not frame_end)
            assert uint(dut.tlast_err.value) == exp_err, \
                f"cycle {cyc}: tlast_err {uint(dut.tlast_err.value)}, expected {exp_err}"
            assert uint(dut.mid_frame.value) == int(beat != 0), f"cycle {cyc}: mid_frame"
            stats["stall"] += valid and not ready and bool(run) and not rst
            stats["full"] += (acc - xdone) >= 2
            # the rising edge
            if rst:
                slot_free, beat, acc, xdone = False, 0, 0, 0
                frames, cur, reads = [], [], []
                continue
            slot_free = ((acc - xdone) < 1) if (fire and frame_end) else ((acc - xdone) < 2)
            if fire:
                raw, tl = word
                word = None
                blk = raw.copy()
                if frame_end:
                    blk[lastn:] = 0
                stats["tlast_err"] += exp_err
                cur.append(blk)
                if frame_end:
                    frames.append(dict(spec=[expected_block(x, k, dw, tw) for x in cur],
                                       last=int(tl), at=cyc + latency))
                    cur = []
                    acc += 1
                beat = 0 if frame_end else beat + 1
        for key, n in stats.items():
            # (with one beat per frame every beat ends a frame: no tlast error is possible)
            assert n > 0 or (key == "tlast_err" and qin == 1), f"coverage: no {key} in {cyc} cycles ({stats})"
        dut._log.info("engine_input K=%d IN_SIZE=%d: %d frames checked in %d cycles (%s)",
                      k, in_size, checked, cyc, stats)
