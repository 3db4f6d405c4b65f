"""PWL sigmoid/tanh: generated tables, error bounds, symmetry, monotonicity, memory files."""
import numpy as np
import pytest

from golden.activations import act_fixed, act_table, error_report, write_act_mem, _pwl_magnitude
from golden.fixed import Fmt, to_float
from golden.memfile import from_words, read_memh, to_words

PRE, GATE = Fmt.parse("s16.12"), Fmt.parse("s16.14")
Z = np.arange(PRE.min_int, PRE.max_int + 1, dtype=np.int64)


def test_error_report_within_documented_bounds():
    rep = error_report(PRE, GATE, 8)      # measured: 6.5e-5 / 1.3e-4 max, 1.8e-5 / 2.0e-5 mean
    assert rep["sigmoid"]["max_abs_err"] < 1e-4 and rep["tanh"]["max_abs_err"] < 2e-4
    assert rep["sigmoid"]["mean_abs_err"] < 3e-5 and rep["tanh"]["mean_abs_err"] < 3e-5


@pytest.mark.parametrize("func", ["sigmoid", "tanh"])
def test_monotone_and_bounded(func):
    y = act_fixed(func, Z, PRE, GATE, 7)
    assert np.all(np.diff(y) >= 0)
    one = 1 << GATE.frac
    assert y.max() <= one and y.min() >= (0 if func == "sigmoid" else -one)


def test_symmetries_are_exact():
    zp = np.arange(1, PRE.max_int + 1)
    one = 1 << GATE.frac
    assert np.array_equal(act_fixed("tanh", -zp, PRE, GATE, 7), -act_fixed("tanh", zp, PRE, GATE, 7))
    assert np.array_equal(act_fixed("sigmoid", -zp, PRE, GATE, 7), one - act_fixed("sigmoid", zp, PRE, GATE, 7))
    # the most negative code behaves like -(max positive)
    assert act_fixed("tanh", np.array([PRE.min_int]), PRE, GATE, 7)[0] == -act_fixed("tanh", np.array([PRE.max_int]), PRE, GATE, 7)[0]


@pytest.mark.parametrize("seg_bits", [4, 6, 8])
def test_fast_lookup_equals_defining_formula(seg_bits):
    for func in ("sigmoid", "tanh"):
        a = np.abs(Z).clip(max=PRE.max_int)
        ref = _pwl_magnitude(act_table(func, PRE, GATE, seg_bits), a, PRE.width - 1 - seg_bits)
        ref = np.where(Z < 0, -ref if func == "tanh" else (1 << GATE.frac) - ref, ref)
        assert np.array_equal(act_fixed(func, Z, PRE, GATE, seg_bits), ref)


def test_knots_are_function_samples():
    T = act_table("tanh", PRE, GATE, 7)
    x = to_float(np.arange(129) << 8, PRE)
    assert len(T) == 129
    assert np.abs(to_float(T, GATE) - np.tanh(x)).max() <= 0.5 * GATE.lsb


def test_memory_file_round_trip(tmp_path):
    p = tmp_path / "sig.mem"
    write_act_mem(p, "sigmoid", PRE, GATE, 7)
    T = act_table("sigmoid", PRE, GATE, 7)
    w = GATE.width
    lines = to_words(read_memh(p, 2 * w), 2 * w)   # line i: T[i] (low bits), T[i+1] (high bits)
    assert len(lines) == len(T) - 1 == 128
    assert np.array_equal(from_words(lines & ((1 << w) - 1), w), T[:-1])
    assert np.array_equal(from_words(lines >> w, w), T[1:])


def test_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        act_table("relu", PRE, GATE, 7)
