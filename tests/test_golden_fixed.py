"""Fixed-point helpers: rounding modes, saturation, quantization (property tests)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.fixed import (RND, RND_CONV, TRN, Fmt, quantize, requantize, round_shift, saturate,
                          to_float, wrap)
from tests.reference import rshift_round

ints = st.integers(min_value=-(1 << 40), max_value=(1 << 40))


@settings(max_examples=300, deadline=None)
@given(v=ints, s=st.integers(min_value=0, max_value=20), mode=st.sampled_from([TRN, RND, RND_CONV]))
def test_round_shift_matches_reference(v, s, mode):
    assert int(round_shift(np.array([v]), s, mode)[0]) == rshift_round(v, s, mode)


def test_rounding_modes_at_halves():
    x = np.array([-5, -3, -1, 1, 3, 5])            # halves when shifted by 1: -2.5 ... 2.5
    assert round_shift(x, 1, TRN).tolist() == [-3, -2, -1, 0, 1, 2]
    assert round_shift(x, 1, RND).tolist() == [-2, -1, 0, 1, 2, 3]
    assert round_shift(x, 1, RND_CONV).tolist() == [-2, -2, 0, 0, 2, 2]


@settings(max_examples=200, deadline=None)
@given(v=ints, w=st.integers(min_value=2, max_value=40))
def test_saturate_and_wrap_stay_in_range(v, w):
    f = Fmt(w, 0)
    s = int(saturate(np.array([v]), f)[0])
    r = int(wrap(np.array([v]), f)[0])
    assert f.min_int <= s <= f.max_int and f.min_int <= r <= f.max_int
    assert (s == v) == (f.min_int <= v <= f.max_int)
    assert (r - v) % (1 << w) == 0


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=-100, max_value=100, allow_nan=False), frac=st.integers(0, 20))
def test_quantize_error_at_most_half_lsb(x, frac):
    f = Fmt(32, frac)
    q = quantize(np.array([x]), f)
    assert abs(float(to_float(q, f)[0]) - x) <= 0.5 * f.lsb + 1e-12


def test_quantize_saturates_and_rejects_nan():
    f = Fmt.parse("s8.4")
    assert quantize(np.array([1e9, -1e9]), f).tolist() == [127, -128]
    with pytest.raises(ValueError, match="NaN"):
        quantize(np.array([np.nan]), f)


def test_requantize_rounds_then_saturates():
    assert requantize(np.array([1 << 20, 3]), 4, Fmt(8, 2)).tolist() == [127, 1]


@pytest.mark.parametrize("text", ["q16.12", "s16", "16.12", "s0.0", "s99.1", "s1.0"])
def test_bad_format_strings_are_rejected(text):
    with pytest.raises(ValueError):
        Fmt.parse(text)


def test_format_parse_and_str():
    f = Fmt.parse("s16.12")
    assert (f.width, f.frac, f.signed, str(f)) == (16, 12, True, "s16.12")
    assert (f.min_int, f.max_int) == (-32768, 32767)
