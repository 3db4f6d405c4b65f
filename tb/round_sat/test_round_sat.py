"""round_sat vs golden.fixed.round_shift + saturate/wrap: every rounding mode, exact.

Vectors: edge codes (most negative, full scale, 0, +-1), every tie pattern around several
quotients (x = q*2**s + 2**(s-1) + {-1, 0, 1}, even and odd q), and seeded uniform random
codes over the full input range.  Checks out_data and out_ovf.
"""
from __future__ import annotations

import numpy as np
import pytest

from tb.common.sim import run_cocotb, sim_cases

TOP = "round_sat"
MODES = {"TRN": 0, "RND": 1, "RND_CONV": 2}
ICARUS = [dict(IN_WIDTH=24, SHIFT=8, OUT_WIDTH=16, MODE=m, SAT=1) for m in (0, 1, 2)] + [
    dict(IN_WIDTH=24, SHIFT=8, OUT_WIDTH=12, MODE=2, SAT=0),
    dict(IN_WIDTH=20, SHIFT=0, OUT_WIDTH=16, MODE=0, SAT=1),
    dict(IN_WIDTH=16, SHIFT=-3, OUT_WIDTH=20, MODE=0, SAT=1),
    dict(IN_WIDTH=37, SHIFT=16, OUT_WIDTH=20, MODE=1, SAT=1),
    dict(IN_WIDTH=16, SHIFT=1, OUT_WIDTH=16, MODE=2, SAT=1),
    dict(IN_WIDTH=12, SHIFT=4, OUT_WIDTH=10, MODE=1, SAT=0),
    dict(IN_WIDTH=18, SHIFT=4, OUT_WIDTH=20, MODE=1, SAT=1),
]
VERILATOR = [dict(IN_WIDTH=24, SHIFT=8, OUT_WIDTH=16, MODE=2, SAT=1),
             dict(IN_WIDTH=37, SHIFT=16, OUT_WIDTH=20, MODE=1, SAT=1)]


@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_round_sat(sim, params):
    run_cocotb(TOP, "test_round_sat", sim, params, {**params, "N": 10000, "SEED": 1})


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(ICARUS, VERILATOR))
def test_round_sat_slow(sim, params):
    run_cocotb(TOP, "test_round_sat", sim, params, {**params, "N": 100000, "SEED": 2})


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from cocotb.triggers import Timer

    from golden.fixed import Fmt, overflow, round_shift
    from tb.common.stream import tb_cfg

    def _vectors(cfg: dict) -> np.ndarray:
        w, s = cfg["IN_WIDTH"], cfg["SHIFT"]
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        rng = np.random.default_rng(cfg["SEED"])
        v = [lo, lo + 1, -1, 0, 1, hi - 1, hi]
        if s > 0:
            half = 1 << (s - 1)
            for q in (-(1 << (w - 1 - s)), -3, -2, -1, 0, 1, 2, 3, (1 << (w - 1 - s)) - 1):
                for d in (-1, 0, 1):
                    v.append(q * (1 << s) + half + d)
            ties = rng.integers(lo >> s, (hi >> s) + 1, size=cfg["N"] // 4) * (1 << s) + half
            v += ties.tolist()
        v += rng.integers(lo, hi + 1, size=cfg["N"]).tolist()
        a = np.array(v, dtype=np.int64)
        return a[(a >= lo) & (a <= hi)]

    @cocotb.test()
    async def round_sat_golden(dut):
        cfg = tb_cfg()
        w, s, ow = cfg["IN_WIDTH"], cfg["SHIFT"], cfg["OUT_WIDTH"]
        mode = {v: k for k, v in MODES.items()}[cfg["MODE"]]
        x = _vectors(cfg)
        r = round_shift(x, s, mode)
        fmt = Fmt(ow, 0)
        exp = overflow(r, fmt, "SAT" if cfg["SAT"] else "WRAP")
        exp_ovf = (r != overflow(r, fmt, "SAT")).astype(np.int64)
        mask, omask = (1 << w) - 1, (1 << ow) - 1
        bad = 0
        for xi, e, eo in zip(x.tolist(), exp.tolist(), exp_ovf.tolist()):
            dut.in_data.value = xi & mask
            await Timer(1, "ns")
            got, got_ovf = dut.out_data.value.to_unsigned(), int(dut.out_ovf.value)
            if got != (e & omask) or got_ovf != eo:
                bad += 1
                if bad <= 5:
                    dut._log.error("in %d: got %d ovf %d, expected %d ovf %d",
                                   xi, got, got_ovf, e & omask, eo)
        assert bad == 0, f"{bad} of {len(x)} words differ ({mode}, shift {s})"
        dut._log.info("round_sat %s: %d words exact", cfg, len(x))
