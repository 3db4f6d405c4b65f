"""engine_seq (the engine's sequencer) vs the documented schedule: every issued beat, in order,
with every field, never before its operand block exists.

The reference is a Python walk of docs/engine.md "Schedule" written independently of the RTL:
per frame, per layer, the gate pass (row groups of N_PE rows; layer 0: the x_t blocks of the
frame's input slot, then r_{t-1}; layers > 0: r_{t-1}, then x = r^{l-1}_t) and the projection
pass (the m blocks, HC per row, split over PS PEs); per block its K/(2 WPAR) beats.  The
weight address of every beat is computed from golden.engine_layout's address order
(``(g*qt + j)*nwb + b`` per layer, the projection pass after the gate pass, the layers one after
another) and must walk 0..wdepth-1 once per frame.  Shapes: the engine testbench's SETS
(LSTM with projection, split projection PS = 4, GRU, one and two layers, WPAR 1, 2, 4).

The testbench plays the rest of the engine around the module, with random delays:
* input frames load (frames_loaded, in_seq_end) only into a free input slot (frames_xdone);
  sequences of random length (tlast), so the first frame of each masks r_{t-1};
* RUN and the output FIFO's room drop at random;
* the recurrence FFT: after a step's last beat has issued its r blocks are written (in order,
  block 0 with the frame id) into the step's slot, after a gate pass its m blocks, one block
  per cycle at most with random gaps (the engine's results come after the beats that make
  them, so this order is one the engine can produce);
* the element-wise context queue (4 steps): ctx_push counts, no pops until it
  is full, then pops at random rates (phases of 100..2000 cycles from stalled to free-running);
  ctx_full when 4 steps are in it.

Checked: every b_valid beat's fields (kind, xin, mask, first, last, w, saddr, waddr, row,
layer, fid, send) against the schedule; the scoreboard condition of each beat held in the
registered scoreboard the gate saw (writes presented at least 3 cycles before b_valid: x/r
beats: slot frame id and count > block; projection beats: m blocks >= (block+1)*PS); a step's
first beat never issued while ctx_full, and ctx_push (with layer, frame id, first step,
sequence end) exactly in its issue cycle; accumulation ends (b_last on the block's last
beat) at least SPACING cycles apart; frame_start only when idle with RUN, a loaded frame and
room, first_step at each start, frames_started and frames_xdone counting one cycle later;
after the last frame no further beat and the sequencer idle.
"""
from __future__ import annotations

import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, selected_sims

TOP = "engine_seq"
SHAPES = ("lstmp2", "gru2", "lstm1", "lstmp-split")


def engine_params(name: str):
    from golden.engine_layout import EngineParams
    from tb.engine.test_engine import SETS
    s = SETS[name]
    return EngineParams(k=s["k"], n_pe=s["n_pe"], wpar=s.get("wpar", 1), cell=s["cell"],
                        num_layers=s["num_layers"], input_size=s["input_size"],
                        hidden_size=s["hidden_size"], proj_size=s["proj_size"],
                        peephole=s["peephole"])


def hdl_params(ep) -> dict:
    """The engine_seq parameters rtl/engine.v passes down (its derived sizes)."""
    return dict(N_PE=ep.n_pe, NWB=ep.nwb, CELL=int(ep.cell == "gru"), LAYERS=ep.num_layers,
                QIN=ep.qin, RB=ep.rb, HB=ep.hb, PS=ep.ps, HC=ep.hc, GG=ep.gg, GP=ep.gp,
                WDEPTH=ep.wdepth, XIN_DEPTH=2 * ep.qin, SDEPTH=ep.num_layers * 2 * ep.rb,
                MDEPTH=ep.hc if ep.proj_size else 1, SPACING=ep.spacing)


def _run(sim: str, name: str, frames: int, seed: int, suffix: str = "", **kw) -> tuple[int, int]:
    ep = engine_params(name)
    cfg = {"SHAPE": dict(k=ep.k, n_pe=ep.n_pe, wpar=ep.wpar, cell=ep.cell, num_layers=ep.num_layers,
                         input_size=ep.input_size, hidden_size=ep.hidden_size,
                         proj_size=ep.proj_size, peephole=ep.peephole),
           "FRAMES": frames, "SEED": seed}
    return run_cocotb(TOP, "test_engine_seq", sim, hdl_params(ep), cfg, tagname=name + suffix, **kw)


CASES = [pytest.param(sim, name, id=f"{sim}-{name}") for sim in selected_sims() for name in SHAPES]


@pytest.mark.parametrize("sim,name", CASES)
def test_engine_seq(sim, name):
    _run(sim, name, 24, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,name", CASES)
def test_engine_seq_slow(sim, name):
    _run(sim, name, 80, 2)


# Mutants: (the shape that shows it, the edit); each must make the test fail, or the test
# proves nothing.
MUTANTS = {
    # a beat reads block j of an r slot when only j blocks are written
    "scoreboard-ge": ("lstmp2", {"engine_seq.v": ("sfid == efid && scnt > blk", "sfid == efid && scnt >= blk")}),
    # a segment ends one block early
    "seg-end-early": ("lstmp-split", {"engine_seq.v": ("seg_end <= (sblk + 1'b1 == cur_len_m1);",
                                                       "seg_end <= (sblk + 2'd2 == cur_len_m1);")}),
    # accumulation ends closer than SPACING: the spacing register shifts three places a cycle
    # (split projection: 2-beat accumulations)
    "spacing-short": ("lstmp-split", {"engine_seq.v": ("wire [SPACING-1:0] sp_sh = sp >> 1;",
                                                       "wire [SPACING-1:0] sp_sh = sp >> 3;")}),
    # a layer step starts with the element-wise context queue full
    "ctx-full-ignored": ("lstmp-split", {"engine_seq.v": ("wire ctx_wait = ctx_full;", "wire ctx_wait = 1'b0;")}),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_seq_mutant_fails(mutant):
    """A broken sequencer must fail the test (Icarus: the faster build; Verilator when only it
    is selected)."""
    sim = mutant_sim("icarus")
    shape, mutation = MUTANTS[mutant]
    n_tests, n_fail = _run(sim, shape, 12, 1, suffix=f"-mutant-{mutant}", mutation=mutation, check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the sequencer test")


# ---- schedule model ------------------------------------------------------------------------
def schedule(ep, sends: list[bool]) -> tuple[list[dict], list[tuple]]:
    """The beats of ``len(sends)`` frames (frame n ends a sequence when sends[n]) in issue order,
    and the layer steps (frame, layer, first step of a sequence, sequence end).

    Each beat: its fields (the b_* registers), ``need`` (None, ("r", slot, frame id, block) or
    ("m", blocks)), and flags: ``step`` (a layer step's first beat), ``end`` (an accumulation
    end), ``xdone`` (the frame's layer-0 gate pass is issued), ``gate_end`` / ``step_end`` (the
    last beat of a gate pass / of a layer step)."""
    gru = ep.cell == "gru"
    nwb, rb, qin = ep.nwb, ep.rb, ep.qin
    beats, steps = [], []
    first = True                         # the frame starts a sequence
    for n, send in enumerate(sends):
        fid, par = n % 4, n % 2
        lbase = 0                        # weight address of the layer's first word
        for l in range(ep.num_layers):
            steps.append((n, l, first, send))
            r_seg = dict(kind=1 if gru else 0, xin=0, mask=int(first), base=(2 * l + 1 - par) * rb,
                         blocks=rb, need=None if first else ("r", 2 * l + 1 - par, (n - 1) % 4))
            if l == 0:
                x_seg = dict(kind=0, xin=1, mask=0, base=par * qin, blocks=qin, need=None)
                segs = (x_seg, r_seg)
            else:
                x_seg = dict(kind=0, xin=0, mask=0, base=(2 * (l - 1) + par) * rb, blocks=rb,
                             need=("r", 2 * (l - 1) + par, fid))
                segs = (r_seg, x_seg)
            qt = ep.qx(l) + rb
            for g in range(ep.gg):
                j0 = 0                   # input block index within the row (layout order)
                for si, seg in enumerate(segs):
                    for j in range(seg["blocks"]):
                        for b in range(nwb):
                            first_f = j == 0 and (si == 0 or gru)
                            last_f = j == seg["blocks"] - 1 and (si == 1 or gru)
                            need = None if seg["need"] is None else (*seg["need"], j)
                            beats.append(dict(
                                kind=seg["kind"], xin=seg["xin"], mask=seg["mask"], first=int(first_f),
                                last=int(last_f), w=b, saddr=seg["base"] + j,
                                waddr=lbase + ((g * qt + j0 + j) * nwb + b), row=g * ep.n_pe, layer=l,
                                fid=fid, send=int(send), need=need,
                                step=g == 0 and si == 0 and j == 0 and b == 0,
                                end=last_f and b == nwb - 1, xdone=False, gate_end=False,
                                step_end=False, frame=n))
                    j0 += seg["blocks"]
            beats[-1]["gate_end"] = True
            beats[-1]["xdone"] = l == 0
            pbase = lbase + ep.gg * qt * nwb
            for g in range(ep.gp):
                for j in range(ep.hc):
                    for b in range(nwb):
                        beats.append(dict(
                            kind=2, xin=0, mask=0, first=int(j == 0), last=int(j == ep.hc - 1), w=b,
                            saddr=j, waddr=pbase + (g * ep.hc + j) * nwb + b, row=g * ep.n_pe,
                            layer=l, fid=fid, send=int(send), need=("m", (j + 1) * ep.ps),
                            step=False, end=j == ep.hc - 1 and b == nwb - 1, xdone=False,
                            gate_end=False, step_end=False, frame=n))
            beats[-1]["step_end"] = True
            lbase += ep.layer_words(l)
        assert lbase == ep.wdepth
        first = bool(send)
    return beats, steps


FIELDS = ("kind", "xin", "mask", "first", "last", "w", "saddr", "waddr", "row", "layer", "fid", "send")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from collections import deque

    import numpy as np
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, RisingEdge, Timer

    from tb.common.stream import tb_cfg, uint

    CTX_DEPTH = 4

    @cocotb.test()
    async def engine_seq_schedule(dut):
        from golden.engine_layout import EngineParams
        cfg = tb_cfg()
        ep = EngineParams(**cfg["SHAPE"])
        rng = np.random.default_rng(cfg["SEED"])
        n_frames = cfg["FRAMES"]
        nslot = 2 * ep.num_layers
        spacing = ep.spacing
        # sequences of 1..4 frames
        sends, left = [], 0
        for n in range(n_frames):
            if left == 0:
                left = int(rng.integers(1, 5))
            left -= 1
            sends.append(left == 0 or n == n_frames - 1)
        beats, steps = schedule(ep, sends)
        for n in range(n_frames):      # the weight address walks 0..wdepth-1 once per frame
            wa = [b["waddr"] for b in beats if b["frame"] == n]
            assert wa == list(range(ep.wdepth)), f"frame {n}: weight addresses out of order"

        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        ins = dict(run=0, frames_loaded=0, in_seq_end=0, of_room=0, r_we=0, r_slot=0, r_blk0=0,
                   r_fid=0, m_we=0, ctx_full=0)
        for name, v in ins.items():
            getattr(dut, name).value = v
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        dut.rst.value = 0

        # scoreboard as the module holds it after each cycle's writes (index: cycle)
        sb_cnt, sb_fid, m_cnt = [0] * nslot, [0] * nslot, 0
        sb_hist = {}                   # cycle -> (counts, fids, m)
        writes = deque()               # pending block writes: ("r", slot, fid, block) / ("m",)
        loaded, seq_end_bits = 0, 0
        starts, xdone_seen = 0, 0
        ctx_cnt, push_prev, pop_prev = 0, 0, 0
        ctx_full_hist = {}
        ctx_max = 0
        idx, step_idx = 0, 0
        last_end, min_gap = None, None
        push_cycles, step_obs = [], []
        frame_start_cycle = {}
        p_pop, p_gap, p_room, p_load, p_run = 0.0, 0.3, 0.9, 0.3, 1.0
        limit = 60 * len(beats) + 5000
        c, phase_end = 0, None
        done_at = None
        while True:
            if c > limit:
                raise AssertionError(f"stuck: {idx} of {len(beats)} beats issued after {c} cycles")
            if phase_end is None and ctx_max == CTX_DEPTH:
                phase_end = c + 200    # the first phase (no pops) ran until the queue filled
            if c == phase_end:         # a new phase of the environment's rates
                phase_end = c + int(rng.integers(100, 2000))
                p_pop = float(rng.choice([0.0, 0.01, 0.1, 1.0]))
                p_gap = float(rng.choice([0.0, 0.3, 0.8]))
                p_room = float(rng.choice([1.0, 0.9, 0.3]))
                p_load = float(rng.choice([1.0, 0.3, 0.05]))
                p_run = float(rng.choice([1.0, 1.0, 0.7]))
            # ---- registered outputs of the cycle now starting (cycle c)
            if dut.b_valid.value == 1:
                assert idx < len(beats), f"cycle {c}: a beat after the last expected one"
                e = beats[idx]
                got = {f: uint(getattr(dut, "b_" + f).value) for f in FIELDS}
                want = {f: int(e[f]) for f in FIELDS}
                assert got == want, f"cycle {c}: beat {idx} (frame {e['frame']} layer {e['layer']}): " \
                    f"{ {f: (got[f], want[f]) for f in FIELDS if got[f] != want[f]} } (got, want)"
                assert frame_start_cycle.get(e["frame"], c) < c, f"beat {idx} before its frame started"
                # the gate saw the scoreboard of cycle c-2, holding the writes of cycles <= c-3
                cnts, fids, mc = sb_hist.get(c - 3, ([0] * nslot, [0] * nslot, 0))
                need = e["need"]
                if need is not None and need[0] == "r":
                    _, s, f, j = need
                    assert fids[s] == f and cnts[s] > j, \
                        f"cycle {c}: beat {idx} reads block {j} of slot {s} (frame id {f}) " \
                        f"before it is written (slot: frame id {fids[s]}, {cnts[s]} blocks)"
                elif need is not None:
                    assert mc >= need[1], f"cycle {c}: beat {idx} needs {need[1]} m blocks, {mc} written"
                if e["step"]:
                    assert not ctx_full_hist[c - 1], f"cycle {c}: step started with the context queue full"
                    step_obs.append(c)
                if e["end"]:
                    if last_end is not None:
                        gap = c - last_end
                        min_gap = gap if min_gap is None else min(min_gap, gap)
                        assert gap >= spacing, f"cycle {c}: accumulation ends {gap} < {spacing} cycles apart"
                    last_end = c
                if e["xdone"]:
                    xdone_seen += 1
                if e["gate_end"] and ep.gp > 0:
                    writes.extend([("m",)] * ep.hb)
                if e["step_end"]:
                    slot = 2 * e["layer"] + e["frame"] % 2
                    writes.extend(("r", slot, e["fid"], j) for j in range(ep.rb))
                idx += 1
            assert uint(dut.frames_xdone.value) == xdone_seen % 256, f"cycle {c}: frames_xdone"
            assert uint(dut.frames_started.value) == starts % 256, f"cycle {c}: frames_started"
            # ---- the environment's inputs for cycle c
            ctx_cnt += push_prev - pop_prev
            ctx_max = max(ctx_max, ctx_cnt)
            assert 0 <= ctx_cnt <= CTX_DEPTH
            ctx_full = int(ctx_cnt >= CTX_DEPTH)
            ctx_full_hist[c] = ctx_full
            pop = int(ctx_cnt > 0 and rng.random() < p_pop)
            run = int(rng.random() < p_run)
            room = int(rng.random() < p_room)
            if loaded < n_frames and loaded - xdone_seen < 2 and rng.random() < p_load:
                slot = loaded % 2
                seq_end_bits = (seq_end_bits & ~(1 << slot)) | (int(sends[loaded]) << slot)
                loaded += 1
            wr = None
            if writes and rng.random() >= p_gap:
                wr = writes.popleft()
            dut.run.value = run
            dut.of_room.value = room
            dut.frames_loaded.value = loaded % 256
            dut.in_seq_end.value = seq_end_bits
            dut.ctx_full.value = ctx_full
            dut.r_we.value = int(wr is not None and wr[0] == "r")
            dut.m_we.value = int(wr is not None and wr[0] == "m")
            if wr is not None and wr[0] == "r":
                _, s, f, j = wr
                dut.r_slot.value = s   # {layer, parity} = 2*layer + parity
                dut.r_blk0.value = int(j == 0)
                dut.r_fid.value = f
            else:                      # don't-care fields: random
                dut.r_slot.value = int(rng.integers(0, nslot))
                dut.r_blk0.value = int(rng.integers(0, 2))
                dut.r_fid.value = int(rng.integers(0, 4))
            # ---- the combinational outputs of cycle c
            await Timer(1, unit="ns")
            push = int(dut.ctx_push.value)
            if push:
                n, l, fst, snd = steps[step_idx]
                got = (uint(dut.ctx_layer.value), uint(dut.ctx_fid.value), int(dut.ctx_first.value),
                       int(dut.ctx_send.value))
                assert got == (l, n % 4, int(fst), int(snd)), \
                    f"cycle {c}: context of step {step_idx}: {got}, expected {(l, n % 4, int(fst), int(snd))}"
                step_idx += 1
                push_cycles.append(c)
            if int(dut.frame_start.value):
                assert int(dut.idle.value) and run and room and loaded > starts, \
                    f"cycle {c}: frame_start without idle / RUN / room / a loaded frame"
                fst = starts == 0 or sends[starts - 1]
                assert int(dut.first_step.value) == int(fst), f"cycle {c}: first_step at frame {starts}"
                frame_start_cycle[starts] = c
                starts += 1
            elif int(dut.idle.value) and run and room and loaded > starts:
                raise AssertionError(f"cycle {c}: idle with a loaded frame, RUN and room, no frame_start")
            # scoreboard after this cycle's edge
            if wr is not None and wr[0] == "r":
                _, s, f, j = wr
                if j == 0:
                    sb_cnt[s], sb_fid[s] = 1, f
                else:
                    sb_cnt[s] += 1
            if push:
                m_cnt = 0
            elif wr is not None and wr[0] == "m":
                m_cnt += 1
            sb_hist[c] = (list(sb_cnt), list(sb_fid), m_cnt)
            sb_hist.pop(c - 8, None)
            ctx_full_hist.pop(c - 8, None)
            push_prev, pop_prev = push, pop
            await FallingEdge(dut.clk)
            c += 1
            if idx == len(beats) and not writes and done_at is None:
                done_at = c
            if done_at is not None and c >= done_at + 40:
                break
        assert step_idx == len(steps), f"{step_idx} contexts pushed, {len(steps)} steps"
        assert push_cycles == [o - 1 for o in step_obs], "ctx_push not in the issue cycle of a step's first beat"
        assert starts == n_frames and int(dut.idle.value) == 1
        assert ctx_max == CTX_DEPTH, "the element-wise context queue never filled"
        dut._log.info("engine_seq %s: %d frames, %d beats in %d cycles (%.2f beats/cycle), "
                      "min gap between accumulation ends %s (SPACING %d)",
                      ep.cell, n_frames, len(beats), c, len(beats) / c, min_gap, spacing)
