"""engine_handoff vs golden.circulant.CirculantFixed.finish: every output word and tag exact, at its cycle.

The reference is golden's own code: ``CirculantFixed.finish`` (accumulator -> spec RND/SAT ->
ifft_fixed -> pre RND/SAT -> + bias SAT) on the exact row sums, the projection result
``requantize(finish(A), pre.frac, data)`` as in ``golden.cells.LSTMLayer.step``, and the bias
words re-aligned to pre's fractional bits with ``round_shift`` as ``golden.engine_layout`` does.

Vectors: groups of chain blocks (positions 0, 1, ...) as the engine's chain emits them, gate
rows (bias added; rows >= ROWS are padding, no bias) or projection rows (no bias; with PS > 1
each row arrives as PS partial sums, a group may end with an incomplete row, which must leave
nothing).  Accumulator lanes: edge codes (full scale, the spec saturation and rounding
boundaries, 0, +-1) with probability P_EDGE, else uniform at a random scale, so spec, pre and
the bias add saturate on both rails (asserted).  in_valid drops at random between any two
blocks (those cycles carry random data); the bias memory is modelled as a synchronous read of
bias_addr.  Checked every cycle: out_valid exactly LATENCY cycles after a row's last block and
never otherwise, out_tag / out_row / out_z / out_data of each row, bias_addr one cycle after it.
"""
from __future__ import annotations

import numpy as np
import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, selected_sims

TOP = "engine_handoff"
DEFAULT = dict(DATA_WIDTH=16, DATA_FRAC=12, WEIGHT_WIDTH=16, WEIGHT_FRAC=14, SPEC_WIDTH=20, SPEC_FRAC=12,
               PRE_WIDTH=16, PRE_FRAC=12, BIAS_WIDTH=16, BIAS_FRAC=12, TW_WIDTH=18)
# pre finer than spec (exact left shift), data narrower than pre (data saturates), bias coarser
# than pre (BMW = bias + 2 + 1 bits)
NARROW = dict(DATA_WIDTH=12, DATA_FRAC=10, WEIGHT_WIDTH=12, WEIGHT_FRAC=10, SPEC_WIDTH=16, SPEC_FRAC=9,
              PRE_WIDTH=14, PRE_FRAC=10, BIAS_WIDTH=10, BIAS_FRAC=8, TW_WIDTH=14)
# bias finer than pre (rounded offline to pre's frac)
BIAS14 = {**DEFAULT, "BIAS_WIDTH": 16, "BIAS_FRAC": 14}
QMAX = 8      # longest accumulation (blocks) the accumulator width is sized for


def hdl_params(k: int, ps: int, fmts: dict) -> dict:
    """Module parameters (and WEIGHT_WIDTH for the test); ACC_WIDTH derived from the formats exactly as rtl/engine.v does."""
    acc = (fmts["DATA_WIDTH"] + (k.bit_length() - 1)) + fmts["WEIGHT_WIDTH"] + 1 + (QMAX - 1).bit_length() + 1
    return dict(K=k, ACC_WIDTH=acc, PS=ps, ROWS=20, ROW_WIDTH=8, BADDR_WIDTH=9, TAG_WIDTH=12, **fmts)


SETS = {"k4-ps1": hdl_params(4, 1, DEFAULT), "k4-ps4-narrow": hdl_params(4, 4, NARROW),
        "k8-ps2": hdl_params(8, 2, DEFAULT), "k16-ps4-bias14": hdl_params(16, 4, BIAS14)}
CASES = [pytest.param(sim, name, id=f"{sim}-{name}") for sim in selected_sims() for name in SETS]


def _run(sim: str, name: str, n: int, seed: int, **kw) -> tuple[int, int]:
    params = SETS[name]
    hdl = {key: v for key, v in params.items() if key != "WEIGHT_WIDTH"}  # it sizes ACC_WIDTH only
    return run_cocotb(TOP, "test_engine_handoff", sim, hdl,
                      {**params, "N": n, "SEED": seed, "P_EDGE": 0.2, "P_GAP": 0.3, "P_PROJ": 0.5},
                      tagname=name + kw.pop("suffix", ""), **kw)


@pytest.mark.parametrize("sim,name", CASES)
def test_engine_handoff(sim, name):
    _run(sim, name, 3000, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,name", CASES)
def test_engine_handoff_slow(sim, name):
    _run(sim, name, 40000, 2)


# Mutants: each must make the test fail, or the test proves nothing.
MUTANTS = {
    # the reduction's last flag one partial early: a split row leaves after PS - 1 partial sums
    "red-last-early": {"engine_handoff.v": ("(part == PS_R - 1'b1)", "(part == PS_R - 2'd2)")},
    # the reduction's first flag one partial late: a row adds into the previous row's sum
    "red-first-late": {"engine_handoff.v": ("(part == {ROW_WIDTH{1'b0}})", "(part == 1'b1)")},
    # the first padding row (row == ROWS) gets a bias
    "bias-padding": {"engine_handoff.v": ("(row < ROWS_R)", "(row <= ROWS_R)")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_handoff_mutant_fails(mutant):
    """A broken lane must fail the test (PS = 4; Icarus: the faster build; Verilator when only it
    is selected)."""
    sim = mutant_sim("icarus")
    n_tests, n_fail = _run(sim, "k4-ps4-narrow", 500, 3, suffix=f"-mutant-{mutant}",
                           mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the hand-off test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, RisingEdge

    from golden.circulant import CirculantFixed, unpack_half_spectrum
    from golden.fixed import RND, Fmt, requantize, round_shift
    from golden.formats import Formats
    from tb.common.stream import first_mismatch, pack, tb_cfg, uint, unpack
    from tb.ifft_herm.test_ifft_herm import dit_latency

    def _formats(c: dict) -> Formats:
        f = {name: f"s{c[name.upper() + '_WIDTH']}.{c[name.upper() + '_FRAC']}"
             for name in ("data", "weight", "spec", "pre", "bias")}
        return Formats(**f, tw_width=c["TW_WIDTH"])

    def golden_rows(F: Formats, k: int, acc: np.ndarray, bias: np.ndarray):
        """Exact row sums (n, k) in pack_half_spectrum order, biases (n, k) at pre frac ->
        (spec codes, pre without bias, z = pre + bias, data) from golden's own finish."""
        n = acc.shape[0]
        kh = k // 2 + 1
        mat = CirculantFixed(np.zeros((n, 1, kh), np.int64), np.zeros((n, 1, kh), np.int64), n * k, k, F)
        re, im = unpack_half_spectrum(acc)
        A = np.empty((kh, 1, n), dtype=np.complex128)
        A.real = re.T[:, None, :]
        A.imag = im.T[:, None, :]
        spec = mat.round_acc(A)
        y = mat.finish(A).reshape(n, k)
        z = mat.finish(A, bias.reshape(1, n * k)).reshape(n, k)
        data = requantize(y, F.fmt("pre").frac, F.fmt("data"), RND)
        return spec, y, z, data

    def _acc_codes(rng, cfg: dict, shape, lim: int) -> np.ndarray:
        """Accumulator codes in [-lim, lim - 1]: edge codes with probability P_EDGE, else uniform
        at a random scale (2^b, b uniform over the bits)."""
        sh = cfg["DATA_FRAC"] + cfg["WEIGHT_FRAC"] - cfg["SPEC_FRAC"]
        fs = Fmt(cfg["SPEC_WIDTH"], cfg["SPEC_FRAC"])
        half = 1 << (sh - 1) if sh > 0 else 0
        edge = [-lim, lim - 1, 0, 1, -1, half, half - 1, -half, -half - 1,
                (fs.max_int << sh) + half - 1, (fs.max_int << sh) + half,
                (fs.min_int << sh) - half, (fs.min_int << sh) - half - 1]
        edge = np.array([min(max(e, -lim), lim - 1) for e in edge], dtype=np.int64)
        bits = rng.integers(0, lim.bit_length(), size=shape)
        mag = np.minimum(np.int64(1) << bits, lim)
        x = (rng.random(shape) * 2.0 - 1.0) * mag
        x = np.clip(np.floor(x), -lim, lim - 1).astype(np.int64)
        pick = rng.random(shape) < cfg["P_EDGE"]
        x[pick] = rng.choice(edge, size=int(pick.sum()))
        return x

    def _split(rng, total: np.ndarray, ps: int, lim: int) -> np.ndarray:
        """Row sums (k,) -> ps partial sums (ps, k), each in [-lim, lim - 1], summing exactly."""
        parts = np.zeros((ps, total.size), dtype=np.int64)
        rem = total.astype(np.int64).copy()
        for i in range(ps - 1):
            r = ps - 1 - i                      # partials after this one
            lo = np.maximum(-lim, rem - r * (lim - 1))
            hi = np.minimum(lim - 1, rem + r * lim)
            scale = np.int64(1) << rng.integers(0, lim.bit_length(), size=total.size)
            centre = np.clip(rem // (r + 1), lo, hi)
            a = np.maximum(lo, centre - scale)
            b = np.minimum(hi, centre + scale)
            parts[i] = a + np.floor(rng.random(total.size) * (b - a + 1)).astype(np.int64)
            rem -= parts[i]
        parts[ps - 1] = rem
        return parts

    @cocotb.test()
    async def engine_handoff_golden(dut):
        cfg = tb_cfg()
        F = _formats(cfg)
        k, ps, n_rows, tw = cfg["K"], cfg["PS"], cfg["N"], cfg["TAG_WIDTH"]
        acc_w, rows, rw, bw = cfg["ACC_WIDTH"], cfg["ROWS"], cfg["ROW_WIDTH"], cfg["BADDR_WIDTH"]
        fpre, fdata, fbias = F.fmt("pre"), F.fmt("data"), F.fmt("bias")
        bmw = fbias.width + abs(fpre.frac - fbias.frac) + 1
        rng = np.random.default_rng(cfg["SEED"])
        lat = dit_latency(k) + 4
        acc_lim = 1 << (acc_w - 1)

        # bias memory: random codes of the bias format (edges too), re-aligned to pre's frac
        depth = 1 << bw
        bcodes = rng.integers(fbias.min_int, fbias.max_int + 1, size=(depth, k))
        pick = rng.random((depth, k)) < cfg["P_EDGE"]
        bcodes[pick] = rng.choice([fbias.min_int, fbias.max_int, 0], size=int(pick.sum()))
        bmem = round_shift(bcodes, fbias.frac - fpre.frac, RND)
        bwords = [pack(b, bmw) for b in bmem]

        # blocks: (proj, pos, row, bbase, tag, acc lanes); expected rows from the last block of each
        blocks, exp_rows = [], []           # exp_rows: (block index, row, bbase, tag, acc sum, bias on)
        while len(exp_rows) < n_rows:
            proj = rng.random() < cfg["P_PROJ"]
            split = proj and ps > 1
            n_pos = int(rng.integers(1, 3 * ps + 3))
            bbase = int(rng.integers(0, depth - (1 << rw)))
            pos = 0
            while pos < n_pos:
                if split and pos + ps <= n_pos:
                    total = _acc_codes(rng, cfg, k, acc_lim)
                    parts = _split(rng, total, ps, acc_lim)
                    for s in range(ps):
                        t = int(rng.integers(0, 1 << tw))
                        blocks.append((1, pos + s, int(rng.integers(0, 1 << rw)), bbase, t, parts[s]))
                    exp_rows.append((len(blocks) - 1, (pos + ps - 1) // ps, bbase, t, total, False))
                    pos += ps
                elif split:                 # a partial of an incomplete row: leaves nothing
                    blocks.append((1, pos, int(rng.integers(0, 1 << rw)), bbase, int(rng.integers(0, 1 << tw)),
                                   _acc_codes(rng, cfg, k, acc_lim // ps)))
                    pos += 1
                else:
                    row = int(rng.integers(0, rows + 4))
                    t = int(rng.integers(0, 1 << tw))
                    a = _acc_codes(rng, cfg, k, acc_lim)
                    blocks.append((int(proj), pos, row, bbase, t, a))
                    exp_rows.append((len(blocks) - 1, row, bbase, t, a, not proj and row < rows))
                    pos += 1
        n_blk = len(blocks)
        exp_blk = np.array([r[0] for r in exp_rows])
        exp_row = np.array([r[1] for r in exp_rows], dtype=np.int64)
        exp_addr = np.array([r[2] + r[1] for r in exp_rows], dtype=np.int64)
        exp_tag = np.array([r[3] for r in exp_rows], dtype=np.int64)
        acc = np.stack([r[4] for r in exp_rows])
        bias = np.where(np.array([r[5] for r in exp_rows])[:, None], bmem[exp_addr % depth], 0)
        spec, y, z, data = golden_rows(F, k, acc, bias)

        # coverage: spec, pre and the bias add saturate on both rails; data too when it is narrower
        fspec = F.fmt("spec")
        sc = np.concatenate(spec, axis=None)
        assert (sc == fspec.max_int).any() and (sc == fspec.min_int).any(), "spec never saturates"
        assert (y == fpre.max_int).any() and (y == fpre.min_int).any(), "pre never saturates"
        s = y + bias
        assert (s > fpre.max_int).any() and (s < fpre.min_int).any(), "the bias add never saturates"
        if fdata.max_value < fpre.max_value:
            assert (data == fdata.max_int).any() and (data == fdata.min_int).any(), "data never saturates"

        # cycle schedule: an idle cycle before a block with probability P_GAP (repeatedly)
        gaps = rng.geometric(1 - cfg["P_GAP"], size=n_blk) - 1
        slot = np.cumsum(gaps + 1) - 1
        total_cyc = int(slot[-1]) + lat + 4
        valid = np.zeros(total_cyc, dtype=np.int64)
        valid[slot] = 1
        cols = {"in_proj": rng.integers(0, 2, total_cyc), "in_pos": rng.integers(0, 1 << rw, total_cyc),
                "in_row": rng.integers(0, 1 << rw, total_cyc), "in_bbase": rng.integers(0, depth, total_cyc),
                "in_tag": rng.integers(0, 1 << tw, total_cyc)}
        acc_words = [pack(rng.integers(-acc_lim, acc_lim, k), acc_w) for _ in range(total_cyc)]
        for i, (proj, pos, row, bbase, t, a) in enumerate(blocks):
            c = slot[i]
            for name, v in (("in_proj", proj), ("in_pos", pos), ("in_row", row), ("in_bbase", bbase),
                            ("in_tag", t)):
                cols[name][c] = v
            acc_words[c] = pack(a, acc_w)
        out_cyc = slot[exp_blk] + lat     # read at falling edge c + lat (as in tb/engine_cell)
        addr_cyc = slot[exp_blk] + 1

        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        dut.rst.value = 1
        dut.in_valid.value = 0
        dut.bias_word.value = 0
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0
        ports = [(getattr(dut, name), col) for name, col in cols.items()]
        got_cyc, got, addr = [], [], {}
        want_addr = set(addr_cyc.tolist())
        prev_addr = 0
        for c in range(total_cyc):
            await FallingEdge(dut.clk)
            if dut.out_valid.value == 1:
                got_cyc.append(c)
                got.append((uint(dut.out_tag.value), uint(dut.out_row.value), uint(dut.out_z.value),
                            uint(dut.out_data.value)))
            a_val = dut.bias_addr.value
            a_now = uint(a_val) if a_val.is_resolvable else 0     # unknown before the first input
            if c in want_addr:
                addr[c] = uint(a_val)
            # the bias memory: a synchronous read of the address seen one cycle earlier
            dut.bias_word.value = bwords[prev_addr % depth]
            prev_addr = a_now
            dut.in_valid.value = int(valid[c])
            dut.in_acc.value = acc_words[c]
            for port, col in ports:
                port.value = int(col[c])
        n = len(exp_rows)
        assert len(got) == n, f"{len(got)} outputs for {n} rows"
        assert np.array_equal(np.array(got_cyc), out_cyc), \
            f"out_valid not {lat} cycles after a row's last block (outputs at {got_cyc[:4]}, expected {out_cyc[:4]})"
        got_addr = np.array([addr[c] for c in addr_cyc.tolist()])
        bad = np.nonzero(got_addr != exp_addr)[0]
        assert bad.size == 0, f"bias_addr of row {bad[0]}: {got_addr[bad[0]]}, expected {exp_addr[bad[0]]}"
        g = np.array([[t, r] for t, r, _, _ in got], dtype=np.int64)
        msg = first_mismatch(g, np.stack([exp_tag, exp_row], axis=1), acc)
        assert not msg, f"(tag, row) {msg}"
        gz = np.stack([unpack(w, fpre.width, k) for _, _, w, _ in got])
        msg = first_mismatch(gz, z, acc)
        assert not msg, f"out_z {msg}"
        gd = np.stack([unpack(w, fdata.width, k) for _, _, _, w in got])
        msg = first_mismatch(gd, data, acc)
        assert not msg, f"out_data {msg}"
        dut._log.info("engine_handoff K=%d PS=%d: %d rows from %d blocks exact over %d cycles (latency %d)",
                      k, ps, n, n_blk, total_cyc, lat)
