"""engine_spack vs golden.circulant.pack_half_spectrum: every packed word, exact.

Vectors: per K, random full-range bins (imaginary parts of bins 0 and K/2 random too: they
must be dropped) and edge values (all ones, most negative, a single bin set), each driven on
the combinational input and the K packed lanes compared with ``pack_half_spectrum``.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from tb.common.sim import assert_mutant_fails, mutant_sim, run_cocotb, sim_cases, tag

TOP = "engine_spack"
ICARUS = [dict(K=k, XW=xw) for k, xw in ((2, 17), (4, 18), (8, 19), (16, 20), (32, 21))]
VERILATOR = [dict(K=4, XW=18), dict(K=16, XW=20)]


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_engine_spack(sim, params):
    run_cocotb(TOP, "test_engine_spack", sim, params, {**params, "N": 300, "SEED": 1})


MUTANTS = {
    # bins 0 and K/2 swapped in word 0
    "pair-swapped": {"engine_spack.v": ("{fft_bins[K2*SPW+:XW], fft_bins[0+:XW]}",
                                        "{fft_bins[0+:XW], fft_bins[K2*SPW+:XW]}")},
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_spack_mutant_fails(mutant):
    sim = mutant_sim("icarus")
    params = dict(K=8, XW=19)
    n_tests, n_fail = run_cocotb(TOP, "test_engine_spack", sim, params,
                                 {**params, "N": 20, "SEED": 1},
                                 tagname=f"mutant-{mutant}-{tag(params)}",
                                 mutation=MUTANTS[mutant], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the spectrum packing test")


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.triggers import Timer

    from golden.circulant import pack_half_spectrum
    from tb.common.stream import pack, tb_cfg, uint

    @cocotb.test()
    async def spack_random(dut):
        cfg = tb_cfg()
        k, xw = cfg["K"], cfg["XW"]
        rng = random.Random(cfg["SEED"])
        lo, hi = -(1 << (xw - 1)), (1 << (xw - 1)) - 1
        vectors = [np.full((2, k // 2 + 1), v) for v in (hi, lo, -1)]
        for b in range(k // 2 + 1):
            one = np.zeros((2, k // 2 + 1), dtype=np.int64)
            one[0, b], one[1, b] = hi, lo
            vectors.append(one)
        vectors += [np.array([[rng.randint(lo, hi) for _ in range(k // 2 + 1)] for _ in range(2)])
                    for _ in range(cfg["N"])]
        for i, v in enumerate(vectors):
            re, im = v[0], v[1]
            bins = np.stack([re, im], axis=-1).reshape(-1)   # bin b = {im, re}
            dut.fft_bins.value = pack(bins, xw)
            await Timer(1, unit="ns")
            got = uint(dut.pk_words.value)
            exp = pack(pack_half_spectrum(re, im), xw)
            assert got == exp, f"vector {i}: packed {got:#x}, expected {exp:#x} (re {re}, im {im})"
        dut._log.info("engine_spack K=%d: %d vectors exact", k, len(vectors))
