"""fft_bfly vs the butterfly of golden.fft._dit, one constant twiddle per build, random ce.

Vectors: every combination of edge codes (most negative, full scale, 0, +-1) for a and b, then
seeded uniform random operands.  Twiddles: the three wired ones (1, -i, +i), each with and
without CONJ_B (the b port holds conj(b)) at LATENCY 1, 2 and 6; a general one (W_8^1, also
with a split cmul operand), and the most negative code on both parts (|w| > 1: the widest t,
and a +- t saturates often).  ce toggles at random; the output on an enabled cycle is the
input of LATENCY enabled cycles earlier, so a wrong latency fails every word.
"""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from tb.common.sim import run_cocotb, sim_cases

TOP = "fft_bfly"


def _set(iw: int, tw: int, w: tuple[int, int], lat: int = 6, conj: int = 0) -> dict:
    return dict(IN_WIDTH=iw, OUT_WIDTH=iw + 1, TW_WIDTH=tw, TW_RE=w[0], TW_IM=w[1],
                LATENCY=lat, CONJ_B=conj)


_ONE = 1 << 16                                     # 1.0 in s18.16
_W81 = (46341, -46341)                             # golden.fft.twiddles(8, 18), n = 1
_WIRED = [((_ONE, 0), 2, 0), ((_ONE, 0), 1, 1), ((0, -_ONE), 1, 0), ((0, -_ONE), 6, 1),
          ((0, _ONE), 6, 0), ((0, _ONE), 2, 1)]
ICARUS = [_set(16, 18, w, lat, conj) for w, lat, conj in _WIRED] + \
         [_set(16, 18, _W81), _set(16, 18, (-(1 << 17), -(1 << 17))),
          _set(20, 18, _W81),                     # operand above 18 bits: cmul splits it
          _set(12, 8, (-128, 127))]
VERILATOR = [_set(16, 18, (0, _ONE), 1, 1), _set(20, 18, _W81)]


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_fft_bfly(sim, params):
    run_cocotb(TOP, "test_fft_bfly", sim, params, {**params, "N": 10000, "SEED": 1})


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_fft_bfly_slow(sim, params):
    run_cocotb(TOP, "test_fft_bfly", sim, params, {**params, "N": 100000, "SEED": 2})


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, ReadOnly

    from golden.fixed import RND, Fmt, round_shift, saturate
    from tb.common.stream import tb_cfg

    def _expected(v: np.ndarray, cfg: dict) -> np.ndarray:
        """(n, 4) columns a_re, a_im, b_re, b_im -> (n, 4) x0_re, x0_im, x1_re, x1_im."""
        ar, ai, br, bi = v.T
        if cfg["CONJ_B"]:
            bi = -bi                  # the port holds conj(b)
        wr, wi, twf = cfg["TW_RE"], cfg["TW_IM"], cfg["TW_WIDTH"] - 2
        tr = round_shift(br * wr - bi * wi, twf, RND)
        ti = round_shift(br * wi + bi * wr, twf, RND)
        out = Fmt(cfg["OUT_WIDTH"], 0)
        return np.stack([saturate(ar + tr, out), saturate(ai + ti, out),
                         saturate(ar - tr, out), saturate(ai - ti, out)], axis=1)

    @cocotb.test()
    async def fft_bfly_golden(dut):
        cfg = tb_cfg()
        iw, ow, lat = cfg["IN_WIDTH"], cfg["OUT_WIDTH"], cfg["LATENCY"]
        rng = random.Random(cfg["SEED"])
        lo, hi = -(1 << (iw - 1)), (1 << (iw - 1)) - 1
        edge = [lo, hi, 0, 1, -1]
        vec = np.array(list(itertools.product(edge, repeat=4)) +
                       np.random.default_rng(cfg["SEED"]).integers(lo, hi + 1,
                                                                  size=(cfg["N"], 4)).tolist(),
                       dtype=np.int64)
        exp = _expected(vec, cfg) & ((1 << ow) - 1)
        ports = (dut.a_re, dut.a_im, dut.b_re, dut.b_im)
        outs = (dut.x0_re, dut.x0_im, dut.x1_re, dut.x1_im)
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        got = []
        n_in = 0                      # inputs taken by an enabled edge
        while len(got) < len(vec):
            await FallingEdge(dut.clk)
            ce = int(rng.random() >= 0.25)
            dut.ce.value = ce
            word = vec[n_in] if n_in < len(vec) else np.zeros(4, dtype=np.int64)
            for port, val in zip(ports, word):
                port.value = int(val) & ((1 << iw) - 1)
            await ReadOnly()
            if ce:
                # the output registers hold the butterfly of the input LATENCY enabled edges ago
                if n_in >= lat:
                    got.append([o.value.to_unsigned() for o in outs])
                n_in += 1
        bad = np.argwhere(np.array(got) != exp)
        assert not len(bad), (f"{len(bad)} words differ; first at vector {bad[0][0]} "
                              f"{vec[bad[0][0]].tolist()}: got {got[bad[0][0]]} "
                              f"expected {exp[bad[0][0]].tolist()}")
        dut._log.info("fft_bfly %s: %d butterflies exact", cfg, len(vec))
