"""engine_array (operand registers, broadcast, N_PE engine_pe, hand-off chains) vs an exact
model of the accumulations, every drain cycle.

The test plays the sequencer and the memories.  Row groups (accumulations) of a random kind
(0 / 1 gate passes, 2 the projection pass), 1..QMAX blocks of K/(2 WPAR) beats each, random
idle cycles between beats, the ends of two accumulations at least NPC + 2 cycles apart (the
sequencer's SPACING); idle cycles carry random beat fields.  Per block a random source (x or
spectrum memory) and now and then a masked operand (zero in gate passes; the projection's m
words are not masked).  Memory reads: for every beat the
x and spectrum blocks and the PS m banks one cycle after it and the weight line two cycles
after it, all random, full range (the unused ones too).  ``rst`` is pulsed between groups now
and then, sometimes while one is in flight (it is lost).

The model: PE n's sums for the group, from the words the beat selects (gate passes: the
broadcast block's words b_w*WPAR ..; projection: m bank (n / HLANES) % PS) times its weight
lanes n*WPAR .., word 0 of a block as the real pair; exact integers, in the chain's
pack_half_spectrum lane order.  Checked every cycle: ch_shift, and in the NPC drain cycles of
each group (PE_LATENCY + 4 cycles after its last beat) every lane's sums (lane c: PE c + j
HLANES in drain cycle j), ch_row, ch_pos, ch_bbase and the tags.
"""
from __future__ import annotations

import math
import random

import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_array"
QMAX = 4


def _p(k, n_pe, wpar, hlanes, ps, mul_pipe=1, data=16, ww=16, mul_width=18) -> dict:
    xw = data + k.bit_length() - 1
    acc = xw + ww + 1 + math.ceil(math.log2(QMAX)) + 1     # rtl/engine.v's ACC_W at QMAX
    return dict(K=k, N_PE=n_pe, WPAR=wpar, HLANES=hlanes, PS=ps, X_WIDTH=xw, WEIGHT_WIDTH=ww,
                ACC_WIDTH=acc, MUL_WIDTH=mul_width, MUL_PIPE=mul_pipe, ROWS=12, BROWS=24)


ICARUS = [_p(4, 2, 1, 1, 1), _p(8, 4, 2, 2, 2, mul_pipe=0, mul_width=27), _p(4, 4, 2, 4, 1),
          _p(16, 8, 1, 1, 4)]
VERILATOR = [_p(4, 2, 1, 1, 1), _p(8, 4, 2, 2, 2, mul_pipe=0, mul_width=27)]


def _cfg(params: dict, groups: int, seed: int) -> dict:
    return {**params, "GROUPS": groups, "SEED": seed, "QMAX": QMAX}


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_array(sim, params):
    run_cocotb(TOP, "test_engine_array", sim, params, _cfg(params, 60, 1))


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_array_slow(sim, params):
    run_cocotb(TOP, "test_engine_array", sim, params, _cfg(params, 600, 2))


MUTANTS = {
    # the projection pass reads m bank n % PS instead of the bank of its split-row part
    "mbank-of-pe": {"engine_array.v": ("o_m[((n / HLANES) % PS)*BPW+:BPW]", "o_m[(n % PS)*BPW+:BPW]")},
    # the mask is ignored
    "mask-ignored": {"engine_array.v": ("d1_mask ? {BPW{1'b0}} : x_blk", "x_blk")},
    # the drain one cycle short
    "drain-short": {"engine_array.v": ("ch_shift <= (ch_cnt != 1);", "ch_shift <= (ch_cnt > 2);")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_array_mutant_fails(mutant):
    sim = mutant_sim("icarus")
    params = ICARUS[1]
    n_tests, n_fail = run_cocotb(TOP, "test_engine_array", sim, params, _cfg(params, 20, 1),
                                 tagname=f"mutant-{mutant}-{tag(params)}",
                                 mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the PE array test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, RisingEdge

    from tb.common.stream import pack, tb_cfg, uint, unpack

    def _beat_sums(cfg, sums, xwords, wline, n_pe, wpar, bw):
        """Add one beat's products to every PE's sums (xwords[n]: PE n's WPAR (lo, hi) words)."""
        for n in range(n_pe):
            for m in range(wpar):
                c = bw * wpar + m
                xlo, xhi = xwords[n][m]
                wlo, whi = wline[n * wpar + m]
                s = sums[n]
                if c == 0:                          # the real pair {Re K/2, Re 0}
                    s[0] += xlo * wlo
                    s[1] += xhi * whi
                else:
                    s[2 * c] += xlo * wlo - xhi * whi
                    s[2 * c + 1] += xlo * whi + xhi * wlo

    @cocotb.test()
    async def array_random(dut):
        cfg = tb_cfg()
        k, n_pe, wpar, hl, ps = cfg["K"], cfg["N_PE"], cfg["WPAR"], cfg["HLANES"], cfg["PS"]
        xw, ww, aw = cfg["X_WIDTH"], cfg["WEIGHT_WIDTH"], cfg["ACC_WIDTH"]
        rows, brows = cfg["ROWS"], cfg["BROWS"]
        nwb = k // 2 // wpar
        npc = n_pe // hl
        delay = 1 + 4 + 2 * cfg["MUL_PIPE"] + 4      # last beat -> first drain cycle
        rng = random.Random(cfg["SEED"])
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        beat_names = ("b_valid", "b_xin", "b_mask", "b_first", "b_last", "b_send", "b_kind",
                      "b_fid", "b_w", "b_row", "b_layer")
        for name in beat_names + ("xin_rd", "spec_rd", "m_rd", "w_line"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)

        def rand_block():
            return [(rng.randint(-(1 << (xw - 1)), (1 << (xw - 1)) - 1),
                     rng.randint(-(1 << (xw - 1)), (1 << (xw - 1)) - 1)) for _ in range(k // 2)]

        def block_word(blk):
            return pack([v for pair in blk for v in pair], xw)

        # the schedule: a list of cycles, each a beat (dict) or None, and resets
        drains: dict[int, tuple[dict, int]] = {}   # cycle -> (group, drain step)
        pending_ops: dict[int, dict] = {}          # cycle -> memory outputs of that cycle
        cyc = 0
        last_end = -100
        stats = dict(kinds=set(), masked=0, drains=0, lost=0)
        for gi in range(cfg["GROUPS"]):
            kind = rng.choice([0, 1, 2])
            stats["kinds"].add(kind)
            g = dict(kind=kind, row=rng.randrange(1 << 16), layer=rng.randrange(4),
                     fid=rng.randrange(4), send=rng.randrange(2),
                     sums=[[0] * k for _ in range(n_pe)])
            q = rng.randint(1, cfg["QMAX"])
            beats = []
            for j in range(q):
                xin, mask = rng.randrange(2), int(rng.random() < 0.1)
                stats["masked"] += mask
                for bw in range(nwb):
                    beats.append(dict(xin=xin, mask=mask, first=int(j == 0), last=int(j == q - 1),
                                      w=bw))
            lost = rng.random() < 0.05              # a reset while this group is in flight
            for bi, b in enumerate(beats):
                # idle cycles: random gaps; the end beat at least NPC + 2 after the last end
                gaps = rng.choice([0, 0, 0, 1, 3])
                if bi == len(beats) - 1:
                    gaps = max(gaps, last_end + npc + 2 - (cyc + 1))
                for _ in range(gaps):
                    cyc += 1
                    await _drive(dut, rng, beat_names, None, cyc, pending_ops, drains, cfg, stats)
                cyc += 1
                # the memory outputs this beat reads
                blk = rand_block()
                mblks = [rand_block() for _ in range(ps)]
                wline = [(rng.randint(-(1 << (ww - 1)), (1 << (ww - 1)) - 1),
                          rng.randint(-(1 << (ww - 1)), (1 << (ww - 1)) - 1)) for _ in range(n_pe * wpar)]
                other = rand_block()
                pending_ops.setdefault(cyc + 1, {}).update(
                    xin_rd=block_word(blk if b["xin"] else other),
                    spec_rd=block_word(other if b["xin"] else blk),
                    m_rd=sum(block_word(mb) << (i * xw * k) for i, mb in enumerate(mblks)))
                pending_ops.setdefault(cyc + 2, {})["w_line"] = pack(
                    [v for pair in wline for v in pair], ww)
                # the model
                xwords = []
                for n in range(n_pe):
                    src = mblks[(n // hl) % ps] if kind == 2 else blk
                    words = [src[b["w"] * wpar + m] for m in range(wpar)]
                    # (the mask zeroes the broadcast word of gate passes; m words are not masked)
                    xwords.append([(0, 0)] * wpar if b["mask"] and kind != 2 else words)
                _beat_sums(cfg, g["sums"], xwords, wline, n_pe, wpar, b["w"])
                beat = dict(b, kind=kind, row=g["row"], layer=g["layer"], fid=g["fid"],
                            send=g["send"], valid=1)
                if bi == len(beats) - 1:
                    last_end = cyc
                    for jd in range(npc):
                        drains[cyc + delay + jd] = (g, jd)
                    if lost:
                        # a reset in the group's pipeline or drain: the drain cycles visible
                        # after the reset cycle are lost
                        beat["reset_after"] = rng.randint(1, delay + npc)
                await _drive(dut, rng, beat_names, beat, cyc, pending_ops, drains, cfg, stats)
                if beat.get("reset_after"):
                    # hold rst for a cycle within the group's pipeline / drain: it is lost
                    for _ in range(beat["reset_after"]):
                        cyc += 1
                        await _drive(dut, rng, beat_names, None, cyc, pending_ops, drains, cfg, stats)
                    cyc += 1
                    for c in [c for c in drains if c > cyc]:
                        del drains[c]
                    await _drive(dut, rng, beat_names, None, cyc, pending_ops, drains, cfg, stats,
                                 rst=1)
                    stats["lost"] += 1
                    last_end = cyc
        for _ in range(delay + npc + 4):
            cyc += 1
            await _drive(dut, rng, beat_names, None, cyc, pending_ops, drains, cfg, stats)
        # every expected drain cycle was checked (a reset also cuts an earlier group's drain)
        assert not drains, f"drain cycles never reached: {sorted(drains)[:5]}"
        assert stats["drains"] >= cfg["GROUPS"] * 3 // 4, f"coverage: {stats}"
        assert len(stats["kinds"]) == 3 and stats["masked"] > 0, f"coverage: {stats}"
        dut._log.info("engine_array: %d groups (%d lost to resets), %s", cfg["GROUPS"],
                      stats["lost"], stats)

    async def _drive(dut, rng, names, beat, cyc, pending_ops, drains, cfg, stats, rst=0):
        """Check the registered outputs visible in cycle ``cyc``, then drive its inputs."""
        await FallingEdge(dut.clk)
        _check(dut, cfg, cyc, drains, stats)
        dut.rst.value = rst
        if beat is None:
            dut.b_valid.value = 0
            for name in names[1:]:                  # idle: random fields
                sig = getattr(dut, name)
                sig.value = rng.getrandbits(len(sig))
        else:
            dut.b_valid.value = 1
            for f in ("xin", "mask", "first", "last", "send", "kind", "fid", "w", "row", "layer"):
                getattr(dut, f"b_{f}").value = beat[f]
        ops = pending_ops.pop(cyc, {})
        for name in ("xin_rd", "spec_rd", "m_rd", "w_line"):
            sig = getattr(dut, name)
            sig.value = ops[name] if name in ops else rng.getrandbits(len(sig))

    def _check(dut, cfg, cyc, drains, stats):
        """The registered drain outputs visible in cycle ``cyc`` (after the edge ending cyc - 1)."""
        k, aw, hl, n_pe = cfg["K"], cfg["ACC_WIDTH"], cfg["HLANES"], cfg["N_PE"]
        exp = drains.pop(cyc, None)
        shift = uint(dut.ch_shift.value)
        assert shift == int(exp is not None), \
            f"cycle {cyc}: ch_shift {shift}, expected {int(exp is not None)}"
        if exp is None:
            return
        g, j = exp
        acc = dut.ch_acc.value
        for c in range(hl):
            n = c + j * hl
            got = unpack((uint(acc) >> (c * k * aw)) & ((1 << (k * aw)) - 1), aw, k).tolist()
            assert got == g["sums"][n], (f"cycle {cyc}: drain step {j} lane {c} (PE {n}, kind "
                                         f"{g['kind']}): sums {got}, expected {g['sums'][n]}")
        brows, rows = cfg["BROWS"], cfg["ROWS"]
        got = (uint(dut.ch_row.value), uint(dut.ch_pos.value), uint(dut.ch_bbase.value),
               uint(dut.ch_kind.value), uint(dut.ch_layer.value), uint(dut.ch_fid.value),
               uint(dut.ch_send.value))
        want = (g["row"] + j * hl, j, g["layer"] * brows + (rows if g["kind"] == 1 else 0),
                g["kind"], g["layer"], g["fid"], g["send"])
        assert got == want, f"cycle {cyc}: drain (row, pos, bbase, kind, layer, fid, send) {got}, expected {want}"
        stats["drains"] += j == 0
