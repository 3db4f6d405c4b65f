"""Block-circulant matrices: dense view, Euclidean projection, frequency-domain weights and the
float and bit-accurate matrix-vector products.

Convention (docs/design.md section 1): W (m x n) is split into p x q blocks of k x k (n zero-padded to
q*k); block (i, j) is ``scipy.linalg.circulant(w[i, j])``, i.e. its FIRST COLUMN is the stored
time-domain vector.  Then ``block @ x_j == ifft(fft(w_ij) * fft(x_j))``.

Frequency-domain weights are stored as ``FFT(w_ij) / k`` (bins 0..k/2; the 1/k of the inverse
transform is folded in so the hardware IFFT is unscaled and ``|FFT(w)/k| <= max|w|``).

Bit-accurate product (one output block i), see docs/numerics.md:

1. ``X_j = fft_fixed(x_j)`` for each input block (``data`` -> ``data.grow(log2 k)``);
2. ``A_i[b] = sum_j Wq_ij[b] * X_j[b]``, exact complex integer accumulation
   (fractional bits ``data.frac + weight.frac``; no rounding, no saturation);
3. ``S_i = sat_spec(round_RND(A_i))`` to the ``spec`` format;
4. ``y_i = ifft_fixed(S_i)`` (unscaled), then ``sat_pre(round_RND(y_i))`` to ``pre``;
5. ``+ bias`` with saturation to ``pre``.

Steps 2-3 may sum several (matrix, input) pairs before the single rounding (the LSTM adds the
input and recurrent parts in the frequency domain).  The golden model evaluates step 2 with
float64 BLAS; ``CirculantFixed`` proves in code that every partial sum is an integer below 2**53.
"""
from __future__ import annotations

import math

import numpy as np

from . import pointstats
from .fft import check_k, fft_fixed_t, fft_float, fft_out_fmt, ifft_fixed_t, ifft_float
from .fixed import RND, RND_CONV, Fmt, quantize, requantize, round_shift, saturate
from .formats import Formats

EXACT_LIMIT = 2 ** 53


def n_blocks(n: int, k: int) -> int:
    return -(-int(n) // int(k))


def dense_from_vectors(w: np.ndarray, m: int | None = None, n: int | None = None) -> np.ndarray:
    """Dense (m x n) matrix of time-domain block vectors ``w`` (p, q, k) (first-column convention)."""
    w = np.asarray(w)
    if w.ndim != 3:
        raise ValueError(f"block-circulant vectors must have shape (p, q, k), got {w.shape}")
    p, q, k = w.shape
    r = np.arange(k)
    idx = (r[:, None] - r[None, :]) % k                  # block[r, c] = w[(r - c) mod k]
    blocks = w[:, :, idx]                                  # (p, q, k, k)
    dense = blocks.transpose(0, 2, 1, 3).reshape(p * k, q * k)
    m = p * k if m is None else m
    n = q * k if n is None else n
    if m > p * k or n > q * k or m <= (p - 1) * k or n <= (q - 1) * k:
        raise ValueError(f"size {m}x{n} does not match {p}x{q} blocks of k={k}")
    return dense[:m, :n]


def project_dense(W: np.ndarray, k: int) -> np.ndarray:
    """Euclidean projection of a dense (m x n) matrix onto block-circulant matrices.

    Returns time-domain vectors (p, q, k): ``c[d] = mean_c B[(c + d) mod k, c]`` over the
    columns c of the block that exist (zero padding of n is not part of the matrix).  m must
    be a multiple of k.
    """
    W = np.asarray(W, dtype=np.float64)
    check_k(k)
    if W.ndim != 2:
        raise ValueError(f"project_dense expects a 2-D matrix, got shape {W.shape}")
    m, n = W.shape
    if m % k:
        raise ValueError(f"rows m={m} must be a multiple of the block size k={k}")
    p, q = m // k, n_blocks(n, k)
    Wp = np.zeros((m, q * k))
    Wp[:, :n] = W
    valid = np.zeros(q * k)
    valid[:n] = 1.0
    blocks = Wp.reshape(p, k, q, k).transpose(0, 2, 1, 3)          # (p, q, r, c)
    d = np.arange(k)[:, None]
    c = np.arange(k)[None, :]
    rows = (c + d) % k                                             # (d, c)
    diag = blocks[:, :, rows, np.broadcast_to(c, rows.shape)]       # (p, q, d, c)
    vmask = valid.reshape(q, k)[None, :, None, :]                   # (1, q, 1, c)
    cnt = vmask.sum(axis=-1)                                        # (1, q, 1)
    return (diag * vmask).sum(axis=-1) / cnt


def freq_weights(w: np.ndarray) -> np.ndarray:
    """Time-domain vectors (p, q, k) -> complex frequency-domain weights FFT(w)/k, (p, q, k/2+1)."""
    w = np.asarray(w, dtype=np.float64)
    k = w.shape[-1]
    check_k(k)
    return fft_float(w, k) / k


def quantize_freq_weights(w: np.ndarray, weight_fmt: Fmt) -> tuple[np.ndarray, np.ndarray]:
    """Quantize FFT(w)/k to ``weight_fmt`` (RND_CONV, SAT); imaginary parts of bins 0 and k/2 are 0."""
    k = np.asarray(w).shape[-1]
    W = freq_weights(w)
    re = quantize(W.real, weight_fmt, RND_CONV)
    im = quantize(W.imag, weight_fmt, RND_CONV)
    im[..., 0] = 0
    if k > 1:
        im[..., k // 2] = 0
    return re, im


def pack_half_spectrum(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    """Hermitian half spectrum (…, k/2+1) -> k real words per block.

    Order: ``[Re0, Re(k/2), Re1, Im1, Re2, Im2, ..., Re(k/2-1), Im(k/2-1)]`` (k = 1: ``[Re0]``),
    i.e. k/2 complex words with the two real bins sharing word 0.
    """
    re = np.asarray(re)
    im = np.asarray(im)
    kh = re.shape[-1]
    if im.shape != re.shape:
        raise ValueError(f"re/im shapes differ: {re.shape} vs {im.shape}")
    if kh == 1:
        return re.copy()
    k = 2 * (kh - 1)
    out = np.empty(re.shape[:-1] + (k,), dtype=re.dtype)
    out[..., 0] = re[..., 0]
    out[..., 1] = re[..., kh - 1]
    out[..., 2::2] = re[..., 1:kh - 1]
    out[..., 3::2] = im[..., 1:kh - 1]
    return out


def pe_weight_words(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    """Quantized weights (p, q, k/2+1) -> one PE's weight words in stream order (p*q*k/2, 2).

    Word ``(i*q + j)*k/2 + c`` holds lanes ``(lo, hi)`` = ``pack_half_spectrum`` words 2c and
    2c+1 of block (i, j): ``(Re0, Re(k/2))`` for c = 0, else ``(Re c, Im c)``, i.e. the
    ``(w_re, w_im)`` operands of ``rtl/engine_pe.v`` for row i, block j, word c (its unit test
    ``tb/engine_pe`` streams them so).
    """
    words = pack_half_spectrum(re, im)
    k = words.shape[-1]
    if k < 2:
        raise ValueError("the circulant PE needs k >= 2")
    return words.reshape(-1, 2)


def unpack_half_spectrum(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of ``pack_half_spectrum``: k words -> (re, im) bins 0..k/2."""
    words = np.asarray(words)
    k = words.shape[-1]
    check_k(k)
    kh = k // 2 + 1
    re = np.zeros(words.shape[:-1] + (kh,), dtype=words.dtype)
    im = np.zeros_like(re)
    re[..., 0] = words[..., 0]
    if k > 1:
        re[..., kh - 1] = words[..., 1]
        re[..., 1:kh - 1] = words[..., 2::2]
        im[..., 1:kh - 1] = words[..., 3::2]
    return re, im


def _blocks(x: np.ndarray, n: int, k: int) -> np.ndarray:
    """(N, n) -> (N, q, k), zero padded."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != n:
        raise ValueError(f"input must have shape (N, {n}), got {x.shape}")
    q = n_blocks(n, k)
    if q * k != n:
        x = np.concatenate([x, np.zeros((x.shape[0], q * k - n), dtype=x.dtype)], axis=1)
    return x.reshape(x.shape[0], q, k)


class CirculantFloat:
    """Float block-circulant matrix (exact path): ``y = W x`` via FFTs."""

    def __init__(self, w: np.ndarray, m: int, n: int):
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 3:
            raise ValueError(f"block-circulant vectors must have shape (p, q, k), got {w.shape}")
        self.p, self.q, self.k = w.shape
        check_k(self.k)
        if self.p * self.k != m or n_blocks(n, self.k) != self.q:
            raise ValueError(f"weights of shape {w.shape} do not describe a {m}x{n} matrix with k={self.k}")
        self.m, self.n = m, n
        self.w = w
        self.Wt = np.ascontiguousarray(freq_weights(w).transpose(2, 1, 0))   # (K2, q, p)

    def spectra(self, x: np.ndarray) -> np.ndarray:
        """(N, n) -> (K2, N, q) complex input spectra."""
        return fft_float(_blocks(x, self.n, self.k), self.k).transpose(2, 0, 1)

    def accumulate(self, X: np.ndarray) -> np.ndarray:
        """(K2, N, q) spectra -> (K2, N, p) frequency-domain sums."""
        return np.matmul(X, self.Wt)

    def finish(self, A: np.ndarray) -> np.ndarray:
        """(K2, N, p) -> (N, m)."""
        pointstats.observe("spec", A)
        y = ifft_float(A.transpose(1, 2, 0), self.k)
        return y.reshape(y.shape[0], self.m)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.finish(self.accumulate(self.spectra(x)))

    def dense(self) -> np.ndarray:
        return dense_from_vectors(self.w, self.m, self.n)


class CirculantFixed:
    """Bit-accurate block-circulant matrix with quantized frequency-domain weights.

    ``x`` codes are in ``formats.data``; results are ``formats.pre`` codes.
    """

    def __init__(self, re: np.ndarray, im: np.ndarray, m: int, n: int, formats: Formats):
        re = np.asarray(re, dtype=np.int64)
        im = np.asarray(im, dtype=np.int64)
        if re.ndim != 3 or im.shape != re.shape:
            raise ValueError(f"quantized weights must be two (p, q, k/2+1) arrays, got {re.shape}, {im.shape}")
        self.p, self.q, kh = re.shape
        self.k = 1 if kh == 1 else 2 * (kh - 1)
        check_k(self.k)
        if self.p * self.k != m or n_blocks(n, self.k) != self.q:
            raise ValueError(f"weights of shape {re.shape} do not describe a {m}x{n} matrix with k={self.k}")
        self.m, self.n = m, n
        self.formats = formats
        self.f_data = formats.fmt("data")
        self.f_w = formats.fmt("weight")
        self.f_spec = formats.fmt("spec")
        self.f_pre = formats.fmt("pre")
        self.f_x = fft_out_fmt(self.f_data, self.k)
        for name, a in (("real", re), ("imaginary", im)):
            if a.size and (a.min() < self.f_w.min_int or a.max() > self.f_w.max_int):
                raise ValueError(f"{name} weight codes [{a.min()}, {a.max()}] do not fit weight format {self.f_w}")
        self.re, self.im = re, im
        self.Wt = np.ascontiguousarray((re + 1j * im).astype(np.complex128).transpose(2, 1, 0))  # (K2, q, p)
        # Exactness proof for the float64 accumulation: |sum| <= 2 q max|X| max|W| < 2**53.
        self.acc_bound = 2 * self.q * (-self.f_x.min_int) * (-self.f_w.min_int)
        if self.acc_bound >= EXACT_LIMIT:
            raise ValueError(f"accumulation bound 2^{math.log2(self.acc_bound):.1f} is not exact in float64; "
                             "narrow the data/weight formats or the matrix")
        self.acc_frac = self.f_data.frac + self.f_w.frac

    @classmethod
    def from_vectors(cls, w: np.ndarray, m: int, n: int, formats: Formats) -> "CirculantFixed":
        re, im = quantize_freq_weights(w, formats.fmt("weight"))
        return cls(re, im, m, n, formats)

    def spectra(self, x: np.ndarray) -> np.ndarray:
        """(N, n) data codes -> (K2, N, q) complex128 holding exact integer spectra."""
        xb = _blocks(x, self.n, self.k)
        N = xb.shape[0]
        xr, xi = fft_fixed_t(xb.reshape(N * self.q, self.k).T, self.k, self.f_data, self.formats.tw_width)
        X = np.empty(xr.shape, dtype=np.complex128)
        X.real = xr
        X.imag = xi
        return X.reshape(-1, N, self.q)

    def accumulate(self, X: np.ndarray) -> np.ndarray:
        """Exact frequency-domain accumulation (K2, N, q) -> (K2, N, p) (float64 holding integers)."""
        return np.matmul(X, self.Wt)

    def round_acc(self, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Accumulator (K2, N, p) -> ``spec`` codes (RND, SAT), (re, im) of the same shape."""
        sh = self.acc_frac - self.f_spec.frac
        re = round_shift(A.real.astype(np.int64), sh, RND)
        im = round_shift(A.imag.astype(np.int64), sh, RND)
        if pointstats.active():
            pointstats.count_fmt("spec", re, self.f_spec)
            pointstats.count_fmt("spec", im, self.f_spec)
        return saturate(re, self.f_spec), saturate(im, self.f_spec)

    def finish(self, A: np.ndarray, bias: np.ndarray | None = None, point: str = "pre") -> np.ndarray:
        """Accumulator (K2, N, p) -> ``pre`` codes (N, m): round, IFFT, round, + bias (all saturating).
        ``point`` names the last rounding for ``pointstats``."""
        K2, N, p = A.shape
        sr, si = self.round_acc(A)
        y = ifft_fixed_t(sr.reshape(K2, N * p), si.reshape(K2, N * p), self.k, self.f_spec,
                         self.formats.tw_width)
        y = y.reshape(self.k, N, p).transpose(1, 2, 0).reshape(N, self.m)
        if pointstats.active():           # a value either clamp below changes, counted once
            u = round_shift(y, self.f_spec.frac - self.f_pre.frac, RND)
            lo, hi = self.f_pre.min_int, self.f_pre.max_int
            out = (u < lo) | (u > hi)
            if bias is not None:
                out |= (u + bias < lo) | (u + bias > hi)
            pointstats.count_mask(point, out)
        y = requantize(y, self.f_spec.frac, self.f_pre, RND)
        if bias is not None:
            y = saturate(y + bias, self.f_pre)
        return y

    def __call__(self, x: np.ndarray, bias: np.ndarray | None = None, point: str = "pre") -> np.ndarray:
        return self.finish(self.accumulate(self.spectra(x)), bias, point)

    def time_vectors(self) -> np.ndarray:
        """Float time-domain vectors equivalent to the quantized weights (for reports)."""
        from .fixed import to_float
        W = to_float(self.re, self.f_w) + 1j * to_float(self.im, self.f_w)
        return np.fft.irfft(W * self.k, n=self.k, axis=-1)


def check_exact_sum(*mats: CirculantFixed) -> None:
    """Several accumulations summed before rounding must stay exact too."""
    total = sum(m.acc_bound for m in mats)
    if total >= EXACT_LIMIT:
        raise ValueError(f"combined accumulation bound 2^{math.log2(total):.1f} is not exact in float64")
