"""engine_rec (the recurrence path) vs a model, every cycle: the output FIFO push, the
scoreboard strobes and every spectrum and m-bank word read back.

Source: in each cycle at random nothing, an element-wise output (e_*: an r block without
projection, an m block with one) or a projection result (p_*: an r block; never both), with
random layer, frame id, sequence end, block (with the source's block-0 and last-block flags)
and full-range data words.  ``rst`` is pulsed
now and then: blocks in flight are lost.  Read port: a random address each cycle (sometimes
beyond the depth: word 0).

Checked every cycle: ``of_push`` (the last layer's r blocks, a cycle after the source) with
its data, ``of_end`` and ``of_last``; ``r_we`` with ``r_slot`` = {layer, fid[0]}, ``r_blk0`` and
``r_fid``, and ``m_we``, fft_real's LATENCY + 1 cycles after the source; ``spec_rd`` and every
m bank's word of ``m_rd`` the cycle after the address, against a model of the memories in
which each block is golden.fft.fft_fixed of its data packed as the engine packs spectra
(tb/engine_input's ``expected_block``), written at its strobe.  Coverage: both sources, FIFO
pushes, reads of written words in every memory, resets.
"""
from __future__ import annotations

import random

import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_rec"


def _p(k, layers, rb, proj, ps, hb, dw=16, tw=18) -> dict:
    mdepth = max(1, hb // ps) if proj else 1
    return dict(K=k, DATA_WIDTH=dw, TW_WIDTH=tw, LAYERS=layers, RB=rb, PROJ=proj, PS=ps,
                SDEPTH=layers * 2 * rb, MDEPTH=mdepth, ADDR_WIDTH=32)


ICARUS = [_p(4, 1, 2, 0, 1, 2), _p(8, 2, 3, 24, 2, 8), _p(2, 3, 1, 0, 1, 1),
          _p(16, 1, 2, 32, 4, 8, 12, 16)]
VERILATOR = [_p(4, 1, 2, 0, 1, 2), _p(8, 2, 3, 24, 2, 8)]


def _cfg(params: dict, n: int, seed: int) -> dict:
    hb = params["MDEPTH"] * params["PS"] if params["PROJ"] else params["RB"]
    return {**params, "HB": hb, "N": n, "SEED": seed}


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_rec(sim, params):
    run_cocotb(TOP, "test_engine_rec", sim, params, _cfg(params, 3000, 1))


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_rec_slow(sim, params):
    run_cocotb(TOP, "test_engine_rec", sim, params, _cfg(params, 40000, 2))


MUTANTS = {
    # the slot ignores the frame id: frames t and t + 1 share one slot
    "slot-no-fid": {"engine_rec.v": ("wire [8:0] rq_slot = {rq_layer, rq_fid[0]};",
                                     "wire [8:0] rq_slot = {rq_layer, 1'b0};")},
    # m block h in bank (h + 1) % PS
    "mbank-off-by-one": {"engine_rec.v": ("({16'd0, rfo_addr} % PS) == mb",
                                          "(({16'd0, rfo_addr} + 1) % PS) == mb")},
    # every layer's r blocks go to the output FIFO
    "push-every-layer": {"engine_rec.v": ("&& rf_top && !rst", "&& !rst")},
    # the frame's last block flag taken from the other source
    "end-from-e": {"engine_rec.v": ("wire rf_end = p_valid ? p_last : e_last;",
                                    "wire rf_end = e_last;")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_rec_mutant_fails(mutant):
    sim = mutant_sim("icarus")
    params = ICARUS[1]
    n_tests, n_fail = run_cocotb(TOP, "test_engine_rec", sim, params, _cfg(params, 400, 1),
                                 tagname=f"mutant-{mutant}-{tag(params)}",
                                 mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the recurrence path test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

    from tb.common.stream import TimedMem, pack, tb_cfg, uint
    from tb.engine_input.test_engine_input import expected_block
    from tb.fft_real.test_fft_real import dit_latency

    @cocotb.test()
    async def rec_random(dut):
        cfg = tb_cfg()
        k, dw, tw, layers, rb = cfg["K"], cfg["DATA_WIDTH"], cfg["TW_WIDTH"], cfg["LAYERS"], cfg["RB"]
        proj, ps, sdepth, mdepth, hb = cfg["PROJ"], cfg["PS"], cfg["SDEPTH"], cfg["MDEPTH"], cfg["HB"]
        xw = dw + k.bit_length() - 1
        sbw = xw * k
        delay = dit_latency(k) + 1   # source cycle -> strobe cycle (register + fft_real)
        rng = random.Random(cfg["SEED"])
        lo, hi = -(1 << (dw - 1)), (1 << (dw - 1)) - 1
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        for name in ("e_valid", "e_layer", "e_fid", "e_send", "e_blk", "e_blk0", "e_last",
                     "e_data", "p_valid", "p_layer", "p_fid", "p_send", "p_blk", "p_blk0", "p_last",
                     "p_data", "rd_addr"):
            getattr(dut, name).value = 0
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)

        spec, mbanks = TimedMem(), TimedMem()
        inflight: dict[int, dict] = {}   # strobe cycle -> block
        push_next = None                 # the FIFO push expected in the next cycle
        read = None                      # (cycle of the address, address)
        stats = dict(e=0, p=0, push=0, r=0, m=0, spec_reads=0, m_reads=0, resets=0)
        rst_left = 0
        for cyc in range(1, cfg["N"] + 1):
            await FallingEdge(dut.clk)
            # registered outputs
            exp_push = push_next is not None
            assert uint(dut.of_push.value) == int(exp_push), \
                f"cycle {cyc}: of_push {uint(dut.of_push.value)}, expected {int(exp_push)}"
            if exp_push:
                b = push_next
                got = (uint(dut.of_data.value), uint(dut.of_end.value), uint(dut.of_last.value),
                       uint(dut.of_send.value))
                exp = (b["word"], int(b["blk"] == rb - 1), int(b["send"] and b["blk"] == rb - 1),
                       b["send"])
                assert got == exp, f"cycle {cyc}: of (data, end, last, send) {got}, expected {exp}"
                stats["push"] += 1
            if read is not None:
                c, a = read
                exp = spec.read(c, a if a < sdepth else 0)
                if exp is not None:
                    assert uint(dut.spec_rd.value) == exp, \
                        f"cycle {cyc}: spectrum word {a}: {uint(dut.spec_rd.value):#x}, expected {exp:#x}"
                    stats["spec_reads"] += 1
                if proj:
                    mv = str(dut.m_rd.value)      # MSB first; unwritten banks read x
                    for bank in range(ps):
                        exp = mbanks.read(c, (bank, a if a < mdepth else 0))
                        if exp is not None:
                            got = int(mv[(ps - 1 - bank) * sbw:(ps - bank) * sbw], 2)
                            assert got == exp, (f"cycle {cyc}: m bank {bank} word {a}: {got:#x}, "
                                                f"expected {exp:#x}")
                            stats["m_reads"] += 1
            # inputs
            if rst_left == 0 and rng.random() < 0.002:
                rst_left = rng.randint(1, 2)
                stats["resets"] += 1
            rst = rst_left > 0
            rst_left = max(0, rst_left - 1)
            src = rng.choice(["none", "e", "p"] if proj else ["none", "e", "e"])
            dut.e_valid.value = int(src == "e")
            dut.p_valid.value = int(src == "p")
            blk = None
            for s in ("e", "p"):       # the idle source carries random data
                is_r = s == "p" or proj == 0
                b = dict(layer=rng.randrange(layers), fid=rng.randrange(4),
                         send=int(rng.random() < 0.3),
                         blk=rng.randrange(rb if is_r else hb), is_r=is_r,
                         data=[rng.randint(lo, hi) for _ in range(k)])
                b["word"] = pack(b["data"], dw)
                getattr(dut, f"{s}_layer").value = b["layer"]
                getattr(dut, f"{s}_fid").value = b["fid"]
                getattr(dut, f"{s}_send").value = b["send"]
                getattr(dut, f"{s}_blk").value = b["blk"]
                # the source's flags: block 0, and its last block (r: RB - 1, m: HB - 1)
                getattr(dut, f"{s}_blk0").value = int(b["blk"] == 0)
                getattr(dut, f"{s}_last").value = int(b["blk"] == (rb if is_r else hb) - 1)
                getattr(dut, f"{s}_data").value = b["word"]
                if s == src:
                    blk = b
            a = rng.randrange(sdepth + 2) if rng.random() < 0.9 else rng.randrange(1 << 16)
            dut.rd_addr.value = a
            dut.rst.value = int(rst)
            read = (cyc, a)
            await ReadOnly()
            # the strobes of this cycle
            due = inflight.pop(cyc, None)
            exp_r = int(due is not None and due["is_r"])
            exp_m = int(due is not None and not due["is_r"])
            assert uint(dut.r_we.value) == exp_r, f"cycle {cyc}: r_we {uint(dut.r_we.value)}, expected {exp_r}"
            assert uint(dut.m_we.value) == exp_m, f"cycle {cyc}: m_we {uint(dut.m_we.value)}, expected {exp_m}"
            if due is not None:
                spectrum = expected_block(due["data"], k, dw, tw)
                if due["is_r"]:
                    slot = (due["layer"] << 1) | (due["fid"] & 1)
                    got = (uint(dut.r_slot.value), uint(dut.r_blk0.value), uint(dut.r_fid.value))
                    exp = (slot, int(due["blk"] == 0), due["fid"])
                    assert got == exp, f"cycle {cyc}: r (slot, blk0, fid) {got}, expected {exp}"
                    spec.write(cyc, slot * rb + due["blk"], spectrum)
                    stats["r"] += 1
                else:
                    mbanks.write(cyc, (due["blk"] % ps, due["blk"] // ps), spectrum)
                    stats["m"] += 1
            # the rising edge
            if rst:
                # blocks in the register stage or the FFT are lost; a strobe due in this very
                # cycle has been written (above)
                inflight, push_next = {}, None
                continue
            push_next = blk if (blk is not None and blk["is_r"] and blk["layer"] == layers - 1) else None
            if blk is not None:
                inflight[cyc + delay] = blk
                stats[src] += 1
        for key in ("e", "push", "r", "spec_reads", "resets") + (("p", "m", "m_reads") if proj else ()):
            assert stats[key] > 0, f"coverage: no {key} in {cfg['N']} cycles ({stats})"
        dut._log.info("engine_rec: %s", stats)
