"""Bit-accurate FFT / IFFT: the fast golden code equals the naive reference bit for bit, stays
within a bound derived from the formats of the exact transform, and saturates, never wraps."""
import numpy as np
import pytest

from golden.fft import check_k, fft_fixed, fft_float, ifft_fixed, ifft_float, twiddles
from golden.fixed import Fmt
from tests.reference import fft_ref, ifft_ref

KS = [1, 2, 4, 8, 16, 32]
DATA = Fmt.parse("s16.12")


def edge_blocks(k: int, fmt: Fmt) -> np.ndarray:
    lo, hi = fmt.min_int, fmt.max_int
    rows = [np.full(k, lo), np.full(k, hi), np.zeros(k, dtype=np.int64),
            np.where(np.arange(k) % 2 == 0, hi, lo), np.where(np.arange(k) % 2 == 0, lo, hi)]
    for i in range(k):
        imp = np.zeros(k, dtype=np.int64)
        imp[i] = lo
        rows.append(imp)
        imp = np.zeros(k, dtype=np.int64)
        imp[i] = hi
        rows.append(imp)
    return np.array(rows, dtype=np.int64)


@pytest.mark.parametrize("k", KS)
def test_fft_matches_naive_reference(k):
    rng = np.random.default_rng(k)
    x = np.concatenate([edge_blocks(k, DATA), rng.integers(DATA.min_int, DATA.max_int + 1, (200, k))])
    re, im = fft_fixed(x, k, DATA)
    for row, r, i in zip(x, re, im):
        assert list(zip(r.tolist(), i.tolist())) == fft_ref(row.tolist(), DATA.width)


@pytest.mark.parametrize("k", KS)
def test_ifft_matches_naive_reference(k):
    rng = np.random.default_rng(100 + k)
    fmt = Fmt.parse("s20.12")
    kh = k // 2 + 1
    n = 200
    yr = rng.integers(fmt.min_int, fmt.max_int + 1, (n, kh))
    yi = rng.integers(fmt.min_int, fmt.max_int + 1, (n, kh))
    yr[:4] = fmt.min_int
    yi[:2] = fmt.max_int
    yr[4:8] = fmt.max_int
    y = ifft_fixed(yr, yi, k, fmt)
    for a, b, out in zip(yr, yi, y):
        assert out.tolist() == ifft_ref(list(zip(a.tolist(), b.tolist())), fmt.width)


@pytest.mark.parametrize("k", KS)
def test_fft_error_bound_against_numpy(k):
    """Each stage adds at most 0.5 LSB of rounding per product component plus the twiddle
    quantization error (|dw| <= 2**-(TW-1) per component) times the stage's magnitude; the
    bound below sums those over the log2(k) stages."""
    rng = np.random.default_rng(7 + k)
    x = rng.integers(-30000, 30000, (2000, k))
    re, im = fft_fixed(x, k, DATA)
    ref = np.fft.rfft(x, axis=-1)
    stages = check_k(k)
    tw_err = 2.0 ** -(18 - 2) * np.sqrt(2)
    bound = sum(2 ** (stages - s) * (np.sqrt(2) * 0.5 + tw_err * 2 ** (s - 1) * 30000 * np.sqrt(2))
                for s in range(1, stages + 1))
    err = np.abs(re + 1j * im - ref).max()
    assert err <= bound, (err, bound)


@pytest.mark.parametrize("k", KS)
def test_round_trip_error_bound(k):
    """IFFT(FFT(x)) = k * x up to rounding: bound k * (FFT error bound) + IFFT's own rounding."""
    rng = np.random.default_rng(11 + k)
    x = rng.integers(-20000, 20000, (2000, k))
    re, im = fft_fixed(x, k, DATA)
    y = ifft_fixed(re, im, k, DATA.grow(check_k(k)))
    err = np.abs(y - k * x).max()
    stages = check_k(k)
    bound = 2 * k * stages + 2 * k * stages * 20000 * k * 2.0 ** -16
    assert err <= max(bound, 0), (err, bound)


@pytest.mark.parametrize("k", KS)
def test_saturation_never_wraps(k):
    x = edge_blocks(k, DATA)
    re, im = fft_fixed(x, k, DATA)
    out = DATA.grow(check_k(k))
    assert re.min() >= out.min_int and re.max() <= out.max_int
    # all most-negative: DC is exactly -k * 2**15, the most negative code of the output format
    assert re[0, 0] == -k * 32768 == out.min_int
    # all full-scale positive: DC = k * 32767, no wrap to negative
    assert re[1, 0] == k * 32767
    # the sign of the DC bin always matches the sign of the input sum (wrap would flip it)
    assert np.all(np.sign(re[:, 0]) == np.sign(x.sum(axis=1)))
    # IFFT of full-scale bins saturates at the stage formats and never flips sign
    fmt = Fmt.parse("s20.12")
    kh = k // 2 + 1
    yr = np.full((1, kh), fmt.min_int)
    y = ifft_fixed(yr, np.zeros_like(yr), k, fmt)
    big = fmt.grow(check_k(k))
    assert y.min() >= big.min_int and y.max() <= big.max_int
    assert y[0, 0] < 0


def test_float_paths_are_exact_transforms():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((10, 8))
    X = fft_float(x, 8)
    assert np.allclose(ifft_float(X, 8), 8 * x)


@pytest.mark.parametrize("k", [0, 3, 6, 64, 2.0])
def test_bad_k_is_rejected(k):
    with pytest.raises(ValueError, match="block size"):
        check_k(k)


def test_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match="last axis"):
        fft_fixed(np.zeros((3, 4), dtype=np.int64), 8, DATA)
    with pytest.raises(ValueError, match="bins"):
        ifft_fixed(np.zeros((3, 4), dtype=np.int64), np.zeros((3, 4), dtype=np.int64), 8, DATA)


def test_twiddles_are_quantized_exactly_at_the_axes():
    wr, wi = twiddles(8, 18)
    assert wr[0] == 1 << 16 and wi[0] == 0
    assert wr[2] == 0 and wi[2] == -(1 << 16)
