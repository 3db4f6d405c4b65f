"""engine_cell vs golden.cells (LSTMLayer / GRULayer .step, fixed point): every word and tag exact.

The reference is the golden layers' own ``step`` with the matrix products replaced by the
given pre-activations (``_Given``), so the element-wise arithmetic under test is
golden.cells' code, not a copy.  Activation tables are written at build time by
golden.activations.write_act_mem.

Vectors: each input (pre-activations, peepholes, state) is an edge code (most negative, full
scale, 0, +-1) with probability P_EDGE, else a seeded uniform code of its format, so every
saturation point is reached (the test asserts that it is).  in_valid drops at random (those
cycles carry random data), every input carries a random tag, and each output word and tag is
checked at its cycle: out_valid must rise exactly LATENCY cycles after its input, and never
otherwise.  Inputs a cell type does not use carry random codes.
"""
from __future__ import annotations

import numpy as np
import pytest

from tb.common.sim import ROOT, run_cocotb, sim_cases, tag

TOP = "engine_cell"
LATENCY = {0: 30, 1: 25}          # LSTM, GRU (engine_cell header)
DEFAULT = dict(DATA_WIDTH=16, DATA_FRAC=12, PRE_WIDTH=16, PRE_FRAC=12, PEEP_WIDTH=16, PEEP_FRAC=14,
               GATE_WIDTH=16, GATE_FRAC=14, CELL_WIDTH=16, CELL_FRAC=12, ACT_SEG_BITS=8)
# cell wider than pre (tanh input rounds and saturates), data below 1.0 (m and h saturate)
NARROW = dict(DATA_WIDTH=10, DATA_FRAC=9, PRE_WIDTH=14, PRE_FRAC=10, PEEP_WIDTH=10, PEEP_FRAC=9,
              GATE_WIDTH=12, GATE_FRAC=10, CELL_WIDTH=18, CELL_FRAC=14, ACT_SEG_BITS=6)
SETS = [dict(CELL=c, TAG_WIDTH=12, **f) for f in (DEFAULT, NARROW) for c in (0, 1)]


def _formats(p: dict):
    from golden.formats import Formats
    return Formats(data=f"s{p['DATA_WIDTH']}.{p['DATA_FRAC']}", pre=f"s{p['PRE_WIDTH']}.{p['PRE_FRAC']}",
                   bias=f"s{p['PRE_WIDTH']}.{p['PRE_FRAC']}",
                   peep=f"s{p['PEEP_WIDTH']}.{p['PEEP_FRAC']}", gate=f"s{p['GATE_WIDTH']}.{p['GATE_FRAC']}",
                   cell=f"s{p['CELL_WIDTH']}.{p['CELL_FRAC']}", act_seg_bits=p["ACT_SEG_BITS"])


def _run(sim: str, params: dict, n: int, seed: int, prim: str | None = None) -> None:
    from golden.activations import write_act_mem

    t = tag(params)
    build = ROOT / "build" / "sim" / sim / f"{TOP}-{t}"
    F = _formats(params)
    hdl = dict(params)
    for func, key in (("sigmoid", "SIG_FILE"), ("tanh", "TANH_FILE")):
        write_act_mem(build / f"{func}.mem", func, F.fmt("pre"), F.fmt("gate"), F.act_seg_bits)
        hdl[key] = f'"{build / (func + ".mem")}"'
    run_cocotb(TOP, "test_engine_cell", sim, hdl, {**params, "N": n, "SEED": seed,
                                                    "P_EDGE": 0.3, "P_GAP": 0.3}, tagname=t,
               prim=prim)


@pytest.mark.parametrize("sim,params", sim_cases(SETS, SETS))
def test_engine_cell(sim, params):
    _run(sim, params, 3000, 1)


@pytest.mark.parametrize("sim,params", sim_cases(SETS[:2], SETS[:2]))
def test_engine_cell_ecp5(sim, params):
    """As built for ECP5: every multiply a MULT18X18D (rtl/mul_reg.v), default formats."""
    _run(sim, params, 3000, 1, prim="ecp5")


@pytest.mark.slow
@pytest.mark.parametrize("sim,params", sim_cases(SETS, SETS))
def test_engine_cell_slow(sim, params):
    _run(sim, params, 60000, 2)


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None:
    from types import SimpleNamespace

    from cocotb.clock import Clock
    from cocotb.triggers import FallingEdge, RisingEdge

    from golden.cells import GRULayer, LSTMLayer
    from golden.fixed import RND, Fmt, round_shift
    from tb.common.stream import first_mismatch, tb_cfg, uint

    class _Given:
        """Stands in for a circulant matrix whose product (+ bias) is the given pre-activations."""

        def __init__(self, z: np.ndarray):
            self.z = z

        def spectra(self, x):
            return None

        def accumulate(self, spectra):
            return 0

        def finish(self, acc, bias=None):
            return self.z

    def _layer(cls, F, n: int, **attrs):
        """A golden layer of n units with fixed-point formats F and the given matrices."""
        layer = object.__new__(cls)
        layer.__dict__.update(H=n, fixed=True, cfg=SimpleNamespace(formats=F),
                              f={k: F.fmt(k) for k in ("data", "pre", "bias", "peep", "gate", "cell")},
                              **attrs)
        return layer

    def golden_lstm(F, z, p, c_prev):
        """z (4, n) zi zf zg zo, p (3, n) p_i p_f p_o, c_prev (n,) -> m, c."""
        n = z.shape[1]
        layer = _layer(LSTMLayer, F, n, Wr=_Given(z.reshape(1, 4 * n)), b=None, Wp=None, peep=list(p))
        (m, c), _, _ = layer.step(0, (np.zeros((1, 1), np.int64), c_prev[None, :]), False)
        return m[0], c[0]

    def golden_gru(F, gx, gh, h_prev):
        """gx, gh (3, n) r z n, h_prev (n,) -> h."""
        n = gx.shape[1]
        layer = _layer(GRULayer, F, n, Wx=_Given(gx.reshape(1, 3 * n)), Wh=_Given(gh.reshape(1, 3 * n)),
                       bx=None, bh=None)
        h, _, _ = layer.step(0, h_prev[None, :], False)
        return h[0]

    def _codes(rng, fmt: Fmt, shape, p_edge: float) -> np.ndarray:
        edge = np.array([fmt.min_int, fmt.max_int, 0, 1, -1], dtype=np.int64)
        x = rng.integers(fmt.min_int, fmt.max_int + 1, size=shape)
        pick = rng.random(shape) < p_edge
        x[pick] = rng.choice(edge, size=int(pick.sum()))
        return x

    @cocotb.test()
    async def engine_cell_golden(dut):
        cfg = tb_cfg()
        F = _formats(cfg)
        fpre, fpeep, fdata, fcell = F.fmt("pre"), F.fmt("peep"), F.fmt("data"), F.fmt("cell")
        lstm = cfg["CELL"] == 0
        fs = fcell if lstm else fdata           # state: c_prev / h_prev
        n, tw = cfg["N"], cfg["TAG_WIDTH"]
        rng = np.random.default_rng(cfg["SEED"])
        pe = cfg["P_EDGE"]
        z = _codes(rng, fpre, (4, n), pe)        # LSTM zi zf zg zo / GRU gx r z n (z[3] unused)
        w = _codes(rng, fpre, (3, n), pe)        # GRU gh r z n
        p = _codes(rng, fpeep, (3, n), pe)       # LSTM p_i p_f p_o
        s = _codes(rng, fs, n, pe)
        tags = rng.integers(0, 1 << tw, size=n)
        # coverage: the sums saturate (peephole sum, cell state / gx + gh) on both rails, and so
        # do m / h when the data format ends below 1.0 (|o*tanh| and |h| reach 1.0 only)
        if lstm:
            exp_a, exp_b = golden_lstm(F, z, p, s)
            zi = z[0] + round_shift(p[0] * s, fpeep.frac + fcell.frac - fpre.frac, RND)
            rails = {"c": (exp_b, fcell), "m": (exp_a, fdata)}
            pre_sum = ("zi + rnd(p_i*c_prev)", zi)
        else:
            exp_a = exp_b = golden_gru(F, z[:3], w, s)
            rails = {"h": (exp_a, fdata)}
            pre_sum = ("gx_r + gh_r", z[0] + w[0])
        for name, (v, f) in rails.items():
            if name != "c" and f.max_value >= 1.0:
                continue
            assert (v == f.max_int).any() and (v == f.min_int).any(), f"{name} never saturates"
        v = pre_sum[1]
        assert (v > fpre.max_int).any() and (v < fpre.min_int).any(), f"{pre_sum[0]} never saturates"

        # cycle schedule: idle cycles (in_valid 0, random data) with probability P_GAP
        n_cyc = n + int(rng.binomial(n, cfg["P_GAP"] / (1 - cfg["P_GAP"])))
        slot = np.sort(rng.choice(n_cyc, size=n, replace=False))
        lat = LATENCY[cfg["CELL"]]
        total = n_cyc + lat + 2
        word = {name: rng.integers(0, 1 << width, size=total) for name, width in
                [(f"in_z{i}", fpre.width) for i in range(4)] + [(f"in_w{i}", fpre.width) for i in range(3)]
                + [(f"in_p{i}", fpeep.width) for i in range(3)]
                + [("in_s", fs.width), ("in_tag", tw)]}
        valid = np.zeros(total, dtype=np.int64)
        valid[slot] = 1
        for i in range(4):
            word[f"in_z{i}"][slot] = z[i] & ((1 << fpre.width) - 1)
        for i in range(3):
            word[f"in_w{i}"][slot] = w[i] & ((1 << fpre.width) - 1)
            word[f"in_p{i}"][slot] = p[i] & ((1 << fpeep.width) - 1)
        word["in_s"][slot] = s & ((1 << fs.width) - 1)
        word["in_tag"][slot] = tags

        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        dut.rst.value = 1
        dut.in_valid.value = 0
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0
        ports = [getattr(dut, name) for name in word]
        cols = list(word.values())
        got_cyc, got = [], []
        # inputs written at falling edge c are sampled by the next rising edge; their result is
        # registered LATENCY rising edges later and read at falling edge c + LATENCY
        for c in range(total):
            await FallingEdge(dut.clk)
            if dut.out_valid.value == 1:
                got_cyc.append(c)
                got.append((uint(dut.out_a.value), uint(dut.out_b.value), uint(dut.out_tag.value)))
            dut.in_valid.value = int(valid[c])
            for port, col in zip(ports, cols):
                port.value = int(col[c])
        assert len(got) == n, f"{len(got)} outputs for {n} inputs"
        assert np.array_equal(np.array(got_cyc), slot + lat), \
            f"out_valid not {lat} cycles after in_valid (first outputs at {got_cyc[:4]}, inputs at {slot[:4]})"
        exp = np.stack([exp_a & ((1 << fdata.width) - 1), exp_b & ((1 << fs.width) - 1), tags], axis=1)
        msg = first_mismatch(np.array(got, dtype=np.int64), exp,
                             np.concatenate([z, w, p, s[None, :]], axis=0).T)
        assert not msg, f"(out_a, out_b, tag) {msg}"
        dut._log.info("engine_cell %s: %d updates exact over %d cycles", "LSTM" if lstm else "GRU", n, n_cyc)
