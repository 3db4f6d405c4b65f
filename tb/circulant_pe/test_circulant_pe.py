"""circulant_pe vs golden.circulant.CirculantFixed: every output word of every block, exact.

Weights: seeded random codes over the full weight range (imaginary parts of bins 0 and k/2
zero, as quantize_freq_weights makes them), packed with pe_weight_words and written with
write_memh_lanes at build time; biases random over the full bias range.  Inputs: edge frames
(zeros, full scale, most negative, an impulse, alternating signs) plus seeded random frames,
half over the full data range (exercises spec/pre saturation), half small; spectra from
golden.fft.fft_fixed, streamed one packed word per beat, replayed for every output row.
First at full throughput, then with random idles and stalls; finally new weights and biases
are written through cfg_w_* / cfg_b_* and checked the same way.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from tb.common.sim import ROOT, run_cocotb, sim_cases, tag

TOP = "circulant_pe"
DEFAULT = dict(X_WIDTH=None, X_FRAC=12, W_WIDTH=16, W_FRAC=14, SPEC_WIDTH=20, SPEC_FRAC=12,
               PRE_WIDTH=16, PRE_FRAC=12, BIAS_WIDTH=16, TW_WIDTH=18)
NARROW = dict(X_WIDTH=None, X_FRAC=8, W_WIDTH=10, W_FRAC=8, SPEC_WIDTH=16, SPEC_FRAC=8,
              PRE_WIDTH=12, PRE_FRAC=8, BIAS_WIDTH=12, TW_WIDTH=12)


def _p(k: int, q: int, rows: int, fmts: dict, data_width: int) -> dict:
    p = dict(K=k, Q=q, ROWS=rows, **fmts)
    p["X_WIDTH"] = data_width + k.bit_length() - 1
    return p


ICARUS = [_p(2, 3, 2, DEFAULT, 16), _p(4, 2, 3, DEFAULT, 16), _p(8, 3, 2, DEFAULT, 16),
          _p(16, 2, 2, DEFAULT, 16), _p(32, 2, 1, DEFAULT, 16), _p(8, 1, 4, NARROW, 12)]
VERILATOR = [_p(8, 3, 2, DEFAULT, 16)]


def _run(sim: str, params: dict, min_words: int, seed: int) -> None:
    from golden.circulant import pe_weight_words
    from golden.memfile import write_memh_lanes

    t = tag(params)
    bdir = ROOT / "build" / "sim" / sim / f"{TOP}-{t}"
    k, q, rows = params["K"], params["Q"], params["ROWS"]
    rng = np.random.default_rng(seed)
    sets = []
    for s in range(2):                       # set 0: memory files, set 1: loaded via cfg_*
        wl, wh = -(1 << (params["W_WIDTH"] - 1)), (1 << (params["W_WIDTH"] - 1)) - 1
        re = rng.integers(wl, wh + 1, size=(rows, q, k // 2 + 1))
        im = rng.integers(wl, wh + 1, size=(rows, q, k // 2 + 1))
        im[..., 0] = 0
        im[..., k // 2] = 0
        bl, bh = -(1 << (params["BIAS_WIDTH"] - 1)), (1 << (params["BIAS_WIDTH"] - 1)) - 1
        bias = rng.integers(bl, bh + 1, size=(rows, k))
        np.savez(bdir / f"set{s}.npz" if bdir.exists() else _mk(bdir) / f"set{s}.npz",
                 re=re, im=im, bias=bias)
        if s == 0:
            write_memh_lanes(bdir / "weights.hex", pe_weight_words(re, im), params["W_WIDTH"])
            write_memh_lanes(bdir / "bias.hex", bias, params["BIAS_WIDTH"])
        sets.append(str(bdir / f"set{s}.npz"))
    hdl = {**params, "WEIGHT_FILE": f'"{bdir / "weights.hex"}"', "BIAS_FILE": f'"{bdir / "bias.hex"}"'}
    cfg = {**params, "DATA_WIDTH": params["X_WIDTH"] - (k.bit_length() - 1), "SETS": sets,
           "WORDS": min_words, "SEED": seed}
    run_cocotb(TOP, "test_circulant_pe", sim, hdl, cfg, tagname=t)


def _mk(d):
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_circulant_pe(sim, params):
    _run(sim, params, 10000, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_circulant_pe_slow(sim, params):
    _run(sim, params, 100000, 2)


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.triggers import FallingEdge

    from golden.circulant import CirculantFixed, pack_half_spectrum, pe_weight_words
    from golden.fft import fft_fixed
    from golden.fixed import Fmt
    from golden.formats import Formats
    from tb.common.stream import first_mismatch, pack, run_stream, start, tb_cfg, unpack

    def _formats(cfg: dict) -> Formats:
        return Formats(data=f"s{cfg['DATA_WIDTH']}.{cfg['X_FRAC']}",
                       weight=f"s{cfg['W_WIDTH']}.{cfg['W_FRAC']}",
                       spec=f"s{cfg['SPEC_WIDTH']}.{cfg['SPEC_FRAC']}",
                       pre=f"s{cfg['PRE_WIDTH']}.{cfg['PRE_FRAC']}",
                       bias=f"s{cfg['BIAS_WIDTH']}.{cfg['PRE_FRAC']}",
                       tw_width=cfg["TW_WIDTH"], act_seg_bits=4)

    def _frames(cfg: dict, n: int, nrng) -> np.ndarray:
        k, q, dw = cfg["K"], cfg["Q"], cfg["DATA_WIDTH"]
        lo, hi = -(1 << (dw - 1)), (1 << (dw - 1)) - 1
        nn = q * k
        edge = [np.zeros(nn), np.full(nn, hi), np.full(nn, lo), np.eye(1, nn, 0)[0] * hi,
                np.where(np.arange(nn) % 2 == 0, hi, lo)]
        big = nrng.integers(lo, hi + 1, size=(n // 2, nn))
        small = nrng.integers(lo >> 5, (hi >> 5) + 1, size=(n - n // 2, nn))
        return np.concatenate([np.array(edge, dtype=np.int64), big, small])

    async def _check(dut, cfg, data, x, rng, p_idle, p_stall):
        k, q, rows = cfg["K"], cfg["Q"], cfg["ROWS"]
        xw, pw = cfg["X_WIDTH"], cfg["PRE_WIDTH"]
        fm = _formats(cfg)
        re, im = fft_fixed(x.reshape(len(x), q, k), k, fm.fmt("data"), cfg["TW_WIDTH"])
        words = pack_half_spectrum(re, im).reshape(len(x), q * k // 2, 2)   # (N, q*k/2, 2)
        per_frame = [pack(w, xw) for w in words.reshape(-1, 2)]
        kh = q * k // 2
        items = []
        for f in range(len(x)):
            items += per_frame[f * kh:(f + 1) * kh] * rows
        circ = CirculantFixed(data["re"], data["im"], rows * k, q * k, fm)
        exp = circ(x, data["bias"].reshape(-1)).reshape(len(x) * rows, k)
        out, user = await run_stream(dut, items, len(x) * rows, rng=rng, p_idle=p_idle,
                                     p_stall=p_stall, users=[])
        got = np.array([unpack(o, pw, k) for o in out])
        assert user == [i % rows for i in range(len(out))] or rows == 1, "m_axis_tuser is not the row"
        msg = first_mismatch(got, exp)
        assert not msg, msg

    async def _load(dut, cfg, data):
        """Write a weight/bias set through the cfg_* ports."""
        words = pe_weight_words(data["re"], data["im"])
        for a, wd in enumerate(words):
            await FallingEdge(dut.clk)
            dut.cfg_w_we.value = 1
            dut.cfg_w_addr.value = a
            dut.cfg_w_data.value = pack(wd, cfg["W_WIDTH"])
        for r, b in enumerate(data["bias"]):
            await FallingEdge(dut.clk)
            dut.cfg_w_we.value = 0
            dut.cfg_b_we.value = 1
            dut.cfg_b_addr.value = r
            dut.cfg_b_data.value = pack(b, cfg["BIAS_WIDTH"])
        await FallingEdge(dut.clk)
        dut.cfg_w_we.value = 0
        dut.cfg_b_we.value = 0

    @cocotb.test()
    async def circulant_pe_golden(dut):
        cfg = tb_cfg()
        k, q, rows = cfg["K"], cfg["Q"], cfg["ROWS"]
        dut.cfg_w_we.value = 0
        dut.cfg_b_we.value = 0
        await start(dut)
        rng = random.Random(cfg["SEED"])
        nrng = np.random.default_rng(cfg["SEED"])
        sets = [dict(np.load(p)) for p in cfg["SETS"]]
        words_per_frame = rows * q * k // 2
        n = max(8, -(-cfg["WORDS"] // words_per_frame))
        x = _frames(cfg, n, nrng)
        # latency: one frame, sink always ready, from the last input word to the first output
        t0 = cocotb.utils.get_sim_time("ns")
        await _check(dut, cfg, sets[0], x[:1], rng, 0.0, 0.0)
        lat = (cocotb.utils.get_sim_time("ns") - t0) / 10 - words_per_frame
        half = len(x) // 2
        await _check(dut, cfg, sets[0], x[:half], rng, 0.0, 0.0)
        await _check(dut, cfg, sets[0], x[half:], rng, 0.3, 0.3)
        await _load(dut, cfg, sets[1])
        await _check(dut, cfg, sets[1], x[: max(8, len(x) // 10)], rng, 0.2, 0.2)
        dut._log.info("circulant_pe K=%d Q=%d ROWS=%d: %d frames, %d input words exact "
                      "(about %d cycles from the last word to the first output)",
                      k, q, rows, len(x), len(x) * words_per_frame, lat)
