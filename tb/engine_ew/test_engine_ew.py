"""engine_ew (the element-wise unit, K units on K/SHARE shared lanes) vs golden.cells: every word
and tag exact, at its cycle.

The reference is tb/engine_cell's: the golden layers' own ``step`` with the matrix products
replaced by the given pre-activations (``golden_lstm`` / ``golden_gru``), over all the units of
all blocks at once (unit u of block b is unit b*K + u of one wide layer).  Activation tables
are written at build time by golden.activations.write_act_mem.

Vectors: every input word is an edge code (most negative, full scale, 0, +-1) with
probability P_EDGE, else a seeded uniform code of its format.  The source offers a block in a
cycle only when the unit's timing contract allows it (at least SHARE cycles after the
previous one; ``in_ready_next`` says so a cycle ahead), and then with probability 1 - P_GAP.
Every other cycle carries random data and a random tag on every input; with probability P_VIOL
it also raises in_valid against the contract, which the unit must ignore.  Checked every cycle:
``in_ready_next`` against the contract, ``out_valid`` high exactly LAT + SHARE cycles after
each accepted block and never otherwise, and then every word of out_a, out_b and out_tag.
"""
from __future__ import annotations

import numpy as np
import pytest

from tb.common.sim import ROOT, assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag
from tb.engine_cell.test_engine_cell import DEFAULT, LATENCY, NARROW, _formats

TOP = "engine_ew"
SETS = ([dict(CELL=c, K=8, SHARE=s, TAG_WIDTH=12, **DEFAULT) for c in (0, 1) for s in (1, 2, 4)]
        # one lane (SHARE = K) and narrow formats (every saturation point of engine_cell's test)
        + [dict(CELL=0, K=4, SHARE=4, TAG_WIDTH=5, **NARROW), dict(CELL=1, K=4, SHARE=2, TAG_WIDTH=5, **NARROW)])


def _run(sim: str, params: dict, n_blocks: int, seed: int, **kw) -> tuple[int, int]:
    from golden.activations import write_act_mem

    t = tag(params) + ("-mutant-" + kw["tagname"] if "tagname" in kw else "")
    kw.pop("tagname", None)
    build = ROOT / "build" / "sim" / sim / f"{TOP}-{t}"
    F = _formats(params)
    hdl = dict(params)
    for func, key in (("sigmoid", "SIG_FILE"), ("tanh", "TANH_FILE")):
        write_act_mem(build / f"{func}.mem", func, F.fmt("pre"), F.fmt("gate"), F.act_seg_bits)
        hdl[key] = f'"{build / (func + ".mem")}"'
    return run_cocotb(TOP, "test_engine_ew", sim, hdl,
                      {**params, "N_BLOCKS": n_blocks, "SEED": seed, "P_EDGE": 0.3, "P_GAP": 0.3,
                       "P_VIOL": 0.2}, tagname=t, **kw)


@pytest.mark.parametrize("sim,params", sim_cases(SETS, SETS))
def test_engine_ew(sim, params):
    _run(sim, params, 400, 1)


# Mutants: each must make the test fail, or the test proves nothing.
MUTANTS = {
    # the slice counter one ahead: the lanes take slice j + 1 (mod SHARE) of the block
    "slice-off-by-one": ("assign cur[sl*UW+:UW] = slices_l[{{(32 - CB) {1'b0}}, cnt_l}*UW+:UW];",
                         "assign cur[sl*UW+:UW] = slices_l[{{(32 - CB) {1'b0}}, cnt_l + 1'b1}*UW+:UW];"),
    # the collector puts slice c's outputs into slot c + 1
    "collector-slot": ("col_a[c*ADW+:ADW] <= lane_a;", "col_a[((c+1)%(SHARE-1))*ADW+:ADW] <= lane_a;"),
    # ready one cycle early: the next block is announced while the last slice is still to come
    "ready-early": ("&& ((cnt_next == LAST)", "&& ((cnt_next == LAST - 1'b1)"),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_ew_mutant_fails(mutant):
    """A broken unit must fail (Verilator, or Icarus when only it is selected; LSTM, SHARE 4)."""
    sim = mutant_sim("verilator")
    n_tests, n_fail = _run(sim, SETS[2], 60, 3, tagname=mutant,
                           mutation={"engine_ew.v": MUTANTS[mutant]}, check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the engine_ew test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    import random

    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import first_mismatch, pack, tb_cfg, uint
    from tb.engine_cell.test_engine_cell import _codes, golden_gru, golden_lstm

    @cocotb.test()
    async def engine_ew_golden(dut):
        cfg = tb_cfg()
        F = _formats(cfg)
        fpre, fpeep, fdata, fcell = F.fmt("pre"), F.fmt("peep"), F.fmt("data"), F.fmt("cell")
        lstm = cfg["CELL"] == 0
        fs = fcell if lstm else fdata           # state: c_prev / h_prev
        k, share, nb, tw = cfg["K"], cfg["SHARE"], cfg["N_BLOCKS"], cfg["TAG_WIDTH"]
        n = nb * k                              # units; unit u of block b is b*k + u
        rng = np.random.default_rng(cfg["SEED"])
        pe = cfg["P_EDGE"]
        z = _codes(rng, fpre, (6, n), pe)        # LSTM zi zf zg zo (z[4:6] unused) / GRU gx, gh
        p = _codes(rng, fpeep, (3, n), pe)       # LSTM p_i p_f p_o
        s = _codes(rng, fs, n, pe)
        tags = rng.integers(0, 1 << tw, size=nb)
        if lstm:
            exp_a, exp_b = golden_lstm(F, z[:4], p, s)
        else:
            exp_a = exp_b = golden_gru(F, z[:3], z[3:], s)
        # input words of block b (unit u at [u*W +: W])
        blk = [{**{f"in_z{i}": pack(z[i, b * k:(b + 1) * k], fpre.width) for i in range(6)},
                "in_p": pack(p[:, b * k:(b + 1) * k], fpeep.width),
                "in_s": pack(s[b * k:(b + 1) * k], fs.width), "in_tag": int(tags[b])}
               for b in range(nb)]
        widths = {**{f"in_z{i}": k * fpre.width for i in range(6)}, "in_p": 3 * k * fpeep.width,
                  "in_s": k * fs.width, "in_tag": tw}
        ports = {name: getattr(dut, name) for name in widths}
        lat = LATENCY[cfg["CELL"]] + share  # input register + slices
        pick = random.Random(cfg["SEED"])

        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        dut.rst.value = 1
        dut.in_valid.value = 0
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0
        # inputs written at falling edge c are sampled by the next rising edge; a block taken
        # there is out at falling edge c + lat
        sent_cyc, got_cyc, got = [], [], []
        last = -share                            # cycle of the last block taken
        c = 0
        while len(sent_cyc) < nb or c <= sent_cyc[-1] + lat + 2:
            await FallingEdge(dut.clk)
            if dut.out_valid.value == 1:
                got_cyc.append(c)
                got.append((uint(dut.out_a.value), uint(dut.out_b.value), uint(dut.out_tag.value)))
            allowed = c >= last + share
            send = allowed and len(sent_cyc) < nb and pick.random() >= cfg["P_GAP"]
            viol = not allowed and pick.random() < cfg["P_VIOL"]
            words = blk[len(sent_cyc)] if send else {name: pick.getrandbits(w) for name, w in widths.items()}
            dut.in_valid.value = int(send or viol)
            for name, port in ports.items():
                port.value = words[name]
            if send:
                sent_cyc.append(c)
                last = c
            await ReadOnly()
            ready = uint(dut.in_ready_next.value)
            assert ready == int(c + 1 >= last + share), \
                f"cycle {c}: in_ready_next {ready}, the last block taken at {last}, SHARE {share}"
            c += 1
        assert len(got) == nb, f"{len(got)} outputs for {nb} blocks"
        assert np.array_equal(np.array(got_cyc), np.array(sent_cyc) + lat), \
            f"out_valid not {lat} cycles after in_valid (outputs at {got_cyc[:4]}, inputs at {sent_cyc[:4]})"
        ma, mb = (1 << fdata.width) - 1, (1 << fs.width) - 1
        exp = [(pack(exp_a[b * k:(b + 1) * k] & ma, fdata.width), pack(exp_b[b * k:(b + 1) * k] & mb, fs.width),
                int(tags[b])) for b in range(nb)]
        # compare word by word: (block, unit) rows of (out_a, out_b), then the tags
        def words(rows):
            return np.array([[(a >> (u * fdata.width)) & ma for u in range(k)]
                             + [(bb >> (u * fs.width)) & mb for u in range(k)] + [t] for a, bb, t in rows],
                            dtype=np.int64)
        msg = first_mismatch(words(got), words(exp), np.arange(nb)[:, None])
        assert not msg, f"(out_a[0..K-1], out_b[0..K-1], tag) per block: {msg}"
        dut._log.info("engine_ew %s K=%d SHARE=%d: %d blocks exact over %d cycles",
                      "LSTM" if lstm else "GRU", k, share, nb, c)
