"""engine_pe vs golden.circulant.CirculantFixed.accumulate: every chain word of every cycle, exact.

Rows: each row has a random number of blocks q (1..QMAX); a block is one input spectrum and one
weight spectrum (half spectra, bins 0..K/2, imaginary parts of bins 0 and K/2 zero as golden's
spectra are), streamed as K/2 packed words (pack_half_spectrum / pe_weight_words: word 0 =
{Re bin K/2, Re bin 0}, a real pair) in K/2 / WPAR beats of WPAR words (beat b: words
b*WPAR .. b*WPAR + WPAR-1 on lanes 0..WPAR-1).  Codes: half the rows uniform
over the full formats, the rest edge codes (most negative, full scale, 0, +-1) or the
extreme-growth patterns (q = QMAX blocks of the largest positive / most negative product).
The expected sum of a row is golden's exact frequency-domain accumulation, packed the same way.

Drive: operands every cycle (random codes when idle); the beat's control (acc_valid,
acc_first on every beat of a row's first block, acc_end on the last beat of the last block)
LATENCY = 4 + 2*MUL_PIPE cycles later (6 by default), as rtl/engine.v delays it; idle control
cycles carry random acc_first / acc_end.  Random idle cycles between beats (none between some rows).  chain_in is a
random word every cycle, chain_shift random whenever no chain load is pending.  The model
tracks chain_out after every rising edge: a row's sums one cycle after its acc_end beat,
chain_in after a shift, unchanged otherwise; every cycle is compared, bit for bit.
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_pe"


def latency(params: dict) -> int:
    """rtl/engine_pe.v LATENCY: cmul's 4 cycles + 2 * MUL_PIPE (default 1)."""
    return 4 + 2 * params.get("MUL_PIPE", 1)

QMAX = 8                 # a power of two, so the extreme rows reach the top of the exact width
W_WIDTH = 16


def acc_width(x_width: int, w_width: int, qmax: int) -> int:
    """rtl/engine.v's ACC_W: product width X+W+1 plus the growth of qmax accumulations (+1)."""
    return x_width + w_width + 1 + math.ceil(math.log2(qmax)) + 1


def formats(k: int, x_width: int, w_width: int):
    """golden Formats whose spectrum words (data grown by log2 k) are x_width bits."""
    from golden.formats import Formats
    return Formats(data=f"s{x_width - (k.bit_length() - 1)}.12", weight=f"s{w_width}.14")


def _p(k: int, exact: bool = False, **extra) -> dict:
    """Engine formats at block size k: spectrum words of s16 data grown by log2 k.  ``exact``:
    the narrowest accumulator instead of the engine's: |re of a product| <= 2^(X-1) (2^W - 1)
    < 2^(X+W-1), so QMAX sums need X+W+log2 QMAX bits; a narrower one fails the extreme rows."""
    x = 16 + k.bit_length() - 1
    aw = x + W_WIDTH + QMAX.bit_length() - 1 if exact else acc_width(x, W_WIDTH, QMAX)
    return dict(K=k, X_WIDTH=x, W_WIDTH=W_WIDTH, ACC_WIDTH=aw, **extra)


# K=2 is the one-word (pair-only) branch; MUL_WIDTH 27 takes X whole (18: split, cmul.v);
# WPAR 2 and 4 (K/2: a whole block per beat, one accumulator per multiplier) are the wide PEs.
# Verilator builds cost ~20 s each: K=4 (the same RTL path as K=8) runs on Icarus only.
ENGINE = [_p(8), _p(4), _p(2), _p(8, MUL_WIDTH=27), _p(8, WPAR=4), _p(16, WPAR=2)]
ICARUS = ENGINE + [_p(8, exact=True), _p(8, exact=True, WPAR=4), _p(8, MUL_PIPE=0),
                   _p(8, exact=True, WPAR=4, MUL_WIDTH=27, MUL_PIPE=0, MUL_MULTS=3)]
VERILATOR = [_p(8), _p(2), _p(8, MUL_WIDTH=27), _p(8, WPAR=4)]


def _cfg(params: dict, rows: int, seed: int) -> dict:
    return {**params, "QMAX": QMAX, "ROWS": rows, "SEED": seed, "P_GAP": 0.3, "P_SHIFT": 0.3}


@pytest.mark.parametrize("params", ENGINE)
def test_acc_width_holds_golden_bound(params):
    """The engine's accumulator width holds golden's bound on the exact sum of QMAX blocks."""
    from golden.circulant import CirculantFixed
    k = params["K"]
    zero = np.zeros((1, QMAX, k // 2 + 1), dtype=np.int64)
    bound = CirculantFixed(zero, zero, k, QMAX * k,
                           formats(k, params["X_WIDTH"], params["W_WIDTH"])).acc_bound
    assert bound < 1 << (params["ACC_WIDTH"] - 1), f"ACC_WIDTH {params['ACC_WIDTH']}: bound {bound}"


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_pe(sim, params):
    run_cocotb(TOP, "test_engine_pe", sim, params, _cfg(params, 150, 1))


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_pe_slow(sim, params):
    run_cocotb(TOP, "test_engine_pe", sim, params, _cfg(params, 3000, 2))


# Mutants: each must fail the test, or the test proves nothing.
MUTANTS = {
    # accumulators never restart: a row adds into the previous row's sums
    "no-first": {"engine_pe.v": ("acc_first ? {ACC_WIDTH{1'b0}} : acc_reg[0+:ACC_WIDTH]",
                                 "acc_reg[0+:ACC_WIDTH]")},
    # acc_end not qualified by acc_valid: an idle cycle's acc_end loads the chain
    "end-ungated": {"engine_pe.v": ("end_d1 <= acc_valid && acc_end;", "end_d1 <= acc_end;")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_pe_mutant_fails(mutant):
    """A broken PE must fail (Icarus: the faster build; Verilator when only it is selected)."""
    sim = mutant_sim("icarus")
    params = ICARUS[0]
    n_tests, n_fail = run_cocotb(TOP, "test_engine_pe", sim, params, _cfg(params, 40, 1),
                                 tagname=f"mutant-{mutant}-{tag(params)}",
                                 mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the engine_pe test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge

    from golden.circulant import CirculantFixed, pack_half_spectrum, pe_weight_words
    from tb.common.stream import pack, tb_cfg, unpack

    def _codes(rng: np.random.Generator, mode: str, width: int, shape: tuple) -> np.ndarray:
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        if mode == "edge":
            return rng.choice(np.array([lo, hi, 0, 1, -1]), size=shape)
        return rng.integers(lo, hi + 1, size=shape)

    def _row(rng: np.random.Generator, cfg: dict) -> tuple:
        """One row: x and w half spectra (q, K/2+1) as (re, im) codes each."""
        k, xw, ww, qmax = cfg["K"], cfg["X_WIDTH"], cfg["W_WIDTH"], cfg["QMAX"]
        kh = k // 2 + 1
        mode = rng.choice(["rand", "rand", "rand", "rand", "edge", "edge", "max", "min"])
        if mode in ("max", "min"):
            # re = ar*br - ai*bi and the pair products at their extremes: x all most negative,
            # w (most negative, full scale) for the largest sum, (full scale, most negative) for
            # the most negative one
            q = qmax
            xmin, wmin, wmax = -(1 << (xw - 1)), -(1 << (ww - 1)), (1 << (ww - 1)) - 1
            x_re = np.full((q, kh), xmin)
            x_im = np.full((q, kh), xmin)
            w_re = np.full((q, kh), wmin if mode == "max" else wmax)
            w_im = np.full((q, kh), wmax if mode == "max" else wmin)
            w_re[:, [0, -1]] = wmin if mode == "max" else wmax
        else:
            q = int(rng.integers(1, qmax + 1))
            x_re, x_im = (_codes(rng, mode, xw, (q, kh)) for _ in range(2))
            w_re, w_im = (_codes(rng, mode, ww, (q, kh)) for _ in range(2))
        for a in (x_im, w_im):
            a[:, [0, -1]] = 0
        return x_re, x_im, w_re, w_im

    def _golden(cfg: dict, x_re, x_im, w_re, w_im) -> list[int]:
        """The row's exact accumulation (CirculantFixed.accumulate), packed: K lanes of
        ACC_WIDTH in pack_half_spectrum order = the chain layout ({im, re} per word)."""
        k, q = cfg["K"], x_re.shape[0]
        mat = CirculantFixed(w_re[None], w_im[None], k, q * k,
                             formats(k, cfg["X_WIDTH"], cfg["W_WIDTH"]))
        acc = mat.accumulate((x_re + 1j * x_im).T[:, None, :])[:, 0, 0]      # (K/2+1,)
        lanes = pack_half_spectrum(acc.real.astype(np.int64), acc.imag.astype(np.int64))
        return lanes.tolist()

    @cocotb.test()
    async def engine_pe_golden(dut):
        cfg = tb_cfg()
        k, xw, ww, aw = cfg["K"], cfg["X_WIDTH"], cfg["W_WIDTH"], cfg["ACC_WIDTH"]
        k2 = k // 2
        wpar = cfg.get("WPAR", 1)
        nw = k2 // wpar
        lat = latency(cfg)
        rng = np.random.default_rng(cfg["SEED"])
        prng = random.Random(cfg["SEED"])
        # beats: (x lo, x hi, w lo, w hi, pair, first, end, row)
        beats, sums = [], []
        for r in range(cfg["ROWS"]):
            x_re, x_im, w_re, w_im = _row(rng, cfg)
            q = x_re.shape[0]
            xwd = pack_half_spectrum(x_re, x_im).reshape(q, k2, 2).tolist()
            wwd = pe_weight_words(w_re[None], w_im[None]).reshape(q, k2, 2).tolist()
            sums.append(_golden(cfg, x_re, x_im, w_re, w_im))
            for j in range(q):
                for b in range(nw):
                    ws = range(b * wpar, (b + 1) * wpar)
                    beats.append((pack([xwd[j][w][0] for w in ws], xw),
                                  pack([xwd[j][w][1] for w in ws], xw),
                                  pack([wwd[j][w][0] for w in ws], ww),
                                  pack([wwd[j][w][1] for w in ws], ww), int(b == 0), int(j == 0),
                                  int(j == q - 1 and b == nw - 1), r))
        # cycle schedule: operands at cycle c, control at c + lat; then a drain
        n_cyc = len(beats) + int(rng.binomial(len(beats), cfg["P_GAP"] / (1 - cfg["P_GAP"])))
        slot = np.sort(rng.choice(n_cyc, size=len(beats), replace=False))
        total = n_cyc + lat + 8
        ops = [(prng.getrandbits(wpar * xw), prng.getrandbits(wpar * xw),
                prng.getrandbits(wpar * ww), prng.getrandbits(wpar * ww), prng.getrandbits(1))
               for _ in range(total)]
        ctl = [(0, prng.getrandbits(1), prng.getrandbits(1), -1) for _ in range(total)]
        for s, b in zip(slot.tolist(), beats):
            ops[s] = b[:5]
            ctl[s + lat] = (1, b[5], b[6], b[7])
        # chain model: exp[c] = chain_out after rising edge c (None: not yet defined)
        shift = [0] * total
        chain_in = [prng.getrandbits(k * aw) for _ in range(total)]
        exp, cur, loads = [None] * total, None, 0
        for c in range(total):
            pending = c > 0 and ctl[c - 1][0] and ctl[c - 1][2]
            if pending:
                cur = ("row", ctl[c - 1][3])
                loads += 1
            elif prng.random() < cfg["P_SHIFT"]:
                shift[c] = 1
                cur = ("in", c)
            exp[c] = cur
        assert loads == cfg["ROWS"], f"schedule loads {loads} of {cfg['ROWS']} rows"

        def expected(e) -> int:
            return pack(sums[e[1]], aw) if e[0] == "row" else chain_in[e[1]]

        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        bad = []
        # written at falling edge c, sampled by rising edge c, read back at falling edge c + 1
        for c in range(total + 1):
            await FallingEdge(dut.clk)
            if c > 0 and exp[c - 1] is not None:
                v = dut.chain_out.value
                got = v.to_unsigned() if v.is_resolvable else None
                if got != expected(exp[c - 1]):
                    bad.append((c - 1, exp[c - 1], got))
            if c == total:
                break
            dut.x_re.value, dut.x_im.value, dut.w_re.value, dut.w_im.value, dut.pair.value = ops[c]
            dut.acc_valid.value, dut.acc_first.value, dut.acc_end.value, _ = ctl[c]
            dut.chain_shift.value = shift[c]
            dut.chain_in.value = chain_in[c]
        if bad:
            c, e, got = bad[0]
            what = f"row {e[1]}'s sums" if e[0] == "row" else f"chain_in of cycle {e[1]}"
            got_s = "unresolved (X/Z)" if got is None else unpack(got, aw, k).tolist()
            raise AssertionError(f"{len(bad)} chain words differ; first after edge {c}: expected "
                                 f"{what} {unpack(expected(e), aw, k).tolist()}, got {got_s}")
        dut._log.info("engine_pe %s: %d rows (%d beats), %d shifts, %d cycles exact", cfg,
                      cfg["ROWS"], len(beats), sum(shift), total)
