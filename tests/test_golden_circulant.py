"""Block-circulant matvec (float vs scipy dense), the exactness of the fast fixed path against a
naive loop, projection and packing properties."""
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from golden.circulant import (CirculantFixed, CirculantFloat, dense_from_vectors, n_blocks,
                              pack_half_spectrum, project_dense, quantize_freq_weights,
                              unpack_half_spectrum)
from golden.fixed import Fmt, quantize, to_float
from golden.formats import Formats
from tests.reference import fft_ref, ifft_ref, rshift_round, sat

KS = [1, 2, 4, 8, 16, 32]


def scipy_dense(w, n):
    p, q, _ = w.shape
    return np.block([[scipy.linalg.circulant(w[i, j]) for j in range(q)] for i in range(p)])[:, :n]


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("extra", [0, 1, -1])
def test_float_matvec_equals_scipy_dense(k, extra):
    rng = np.random.default_rng(k * 7 + extra)
    p, n = 3, max(1, 5 * k + extra)               # odd sizes needing padding
    q = n_blocks(n, k)
    w = rng.standard_normal((p, q, k))
    D = scipy_dense(w, n)
    x = rng.standard_normal((9, n))
    C = CirculantFloat(w, p * k, n)
    assert np.allclose(C(x), x @ D.T, atol=1e-9, rtol=0)
    assert np.allclose(dense_from_vectors(w, p * k, n), D, atol=0)


def naive_fixed_matvec(re, im, x, n, F: Formats):
    """Loops over blocks with the naive FFT/IFFT and exact Python integer accumulation."""
    p, q, kh = re.shape
    k = 1 if kh == 1 else 2 * (kh - 1)
    d, w, sp, pre = (F.fmt(a) for a in ("data", "weight", "spec", "pre"))
    xp = list(x) + [0] * (q * k - n)
    X = [fft_ref(xp[j * k:(j + 1) * k], d.width, F.tw_width) for j in range(q)]
    out = []
    for i in range(p):
        acc = []
        for b in range(kh):
            ar = sum(int(re[i, j, b]) * X[j][b][0] - int(im[i, j, b]) * X[j][b][1] for j in range(q))
            ai = sum(int(re[i, j, b]) * X[j][b][1] + int(im[i, j, b]) * X[j][b][0] for j in range(q))
            s = d.frac + w.frac - sp.frac
            acc.append((sat(rshift_round(ar, s, "RND"), sp.width), sat(rshift_round(ai, s, "RND"), sp.width)))
        y = ifft_ref(acc, sp.width, F.tw_width)
        out += [sat(rshift_round(v, sp.frac - pre.frac, "RND"), pre.width) for v in y]
    return out


@pytest.mark.parametrize("k", KS)
def test_fixed_matvec_is_exact_against_naive_loops(k):
    rng = np.random.default_rng(50 + k)
    F = Formats()
    p, n = 2, 3 * k + (1 if k > 1 else 0)
    q = n_blocks(n, k)
    w = rng.uniform(-1.5, 1.5, (p, q, k))
    C = CirculantFixed.from_vectors(w, p * k, n, F)
    x = rng.integers(-32768, 32768, (6, n))
    x[0] = -32768
    x[1] = 32767
    y = C(x)
    for row, out in zip(x, y):
        assert out.tolist() == naive_fixed_matvec(C.re, C.im, row.tolist(), n, F)


@pytest.mark.parametrize("k", [2, 8, 32])
def test_fixed_matvec_close_to_float(k):
    rng = np.random.default_rng(k)
    F = Formats()
    n, p = 4 * k, 4
    w = rng.uniform(-0.5, 0.5, (p, n // k, k))
    x = rng.uniform(-1, 1, (20, n))
    xq = quantize(x, F.fmt("data"))
    yq = to_float(CirculantFixed.from_vectors(w, p * k, n, F)(xq), F.fmt("pre"))
    yf = CirculantFloat(w, p * k, n)(to_float(xq, F.fmt("data")))
    # weight quantization (<= 2**-15 per real number, k*q terms) + spectrum/IFFT rounding
    bound = n * 2.0 ** -15 * 1.0 + k * 2.0 ** -12 * (np.log2(k) + 2)
    assert np.abs(yq - yf).max() <= bound


def test_exactness_bound_is_enforced():
    F = Formats(data="s32.12", weight="s32.14")
    w = np.zeros((1, 64, 8))
    with pytest.raises(ValueError, match="not exact"):
        CirculantFixed.from_vectors(w, 8, 512, F)


def test_weights_that_do_not_fit_are_rejected():
    F = Formats()
    re = np.full((1, 1, 5), 40000)
    with pytest.raises(ValueError, match="weight format"):
        CirculantFixed(re, np.zeros_like(re), 8, 8, F)


def test_shape_mismatch_is_rejected():
    w = np.zeros((2, 3, 8))
    with pytest.raises(ValueError, match="do not describe"):
        CirculantFloat(w, 16, 30)
    C = CirculantFloat(w, 16, 24)
    with pytest.raises(ValueError, match="input must have shape"):
        C(np.zeros((4, 23)))


# ---- projection and packing (properties) ---------------------------------------------------

mats = st.tuples(st.sampled_from([1, 2, 4, 8]), st.integers(1, 3), st.integers(1, 20)).flatmap(
    lambda t: st.tuples(st.just(t[0]), arrays(np.float64, (t[0] * t[1], t[2]),
                                              elements=st.floats(-10, 10, allow_nan=False))))


@settings(max_examples=80, deadline=None)
@given(mats)
def test_projection_is_idempotent_and_orthogonal(km):
    k, W = km
    m, n = W.shape
    w = project_dense(W, k)
    P = dense_from_vectors(w, m, n)
    # idempotent: projecting a block-circulant matrix returns it
    assert np.allclose(project_dense(P, k), w, atol=1e-9)
    # residual is orthogonal to every block-circulant matrix (Euclidean projection)
    rng = np.random.default_rng(0)
    C = dense_from_vectors(rng.standard_normal(w.shape), m, n)
    assert abs(np.sum((W - P) * C)) <= 1e-7 * (1 + np.abs(W).sum() * np.abs(C).max())
    # and it is never farther than the original
    assert np.linalg.norm(W - P) <= np.linalg.norm(W - C) + 1e-9


def test_projection_of_a_circulant_matrix_recovers_its_first_columns():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((2, 3, 8))
    assert np.allclose(project_dense(scipy_dense(w, 24), 8), w)


@settings(max_examples=80, deadline=None)
@given(k=st.sampled_from([1, 2, 4, 8, 16, 32]), seed=st.integers(0, 1000))
def test_pack_unpack_round_trip(k, seed):
    rng = np.random.default_rng(seed)
    w = rng.uniform(-1, 1, (2, 3, k))
    re, im = quantize_freq_weights(w, Fmt.parse("s16.14"))
    words = pack_half_spectrum(re, im)
    assert words.shape == (2, 3, k)                  # k real numbers per block, not k + 2
    r2, i2 = unpack_half_spectrum(words)
    assert np.array_equal(r2, re) and np.array_equal(i2, im)


def test_project_rejects_bad_rows():
    with pytest.raises(ValueError, match="multiple of the block size"):
        project_dense(np.zeros((10, 8)), 4)
