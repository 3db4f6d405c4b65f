"""Bit-accurate radix-2 FFT of real input and Hermitian IFFT with real output.

Both transforms are the same decimation-in-time (DIT) radix-2 pipeline of ``log2(k)`` stages,
and the RTL (``rtl/fft_real.v``, ``rtl/ifft_herm.v``) computes exactly the same integers:

* input in bit-reversed order; stage ``s = 1..log2(k)`` combines groups of ``m = 2**s``
  points: for ``j < m/2``, ``a = v[g + j]``, ``b = v[g + j + m/2]``,
  ``t = round_RND(b * w_j)`` with ``w_j = W_k^(j*k/m)`` (each component of the complex product
  is computed exactly, then rounded once, half up, by ``TW_FRAC = TW_WIDTH - 2`` bits),
  ``v[g + j] = sat(a + t)``, ``v[g + j + m/2] = sat(a - t)``.
* Bit growth: stage ``s`` output is ``s(W_in + s).F_in`` (one integer bit per stage, no
  scaling), saturated to that width (only reachable by rounding at full-scale input).
  Output ``s(W_in + log2 k).F_in``.
* FFT twiddles ``W_k^n = exp(-2*pi*i*n/k)``; the IFFT uses the conjugates and is *unscaled*
  (``y[n] = sum_b Y[b] exp(+2*pi*i*b*n/k)``): the ``1/k`` is folded into the stored weights.
* Twiddles are quantized once, ``s{TW_WIDTH}.{TW_WIDTH-2}`` with RND_CONV (so 1.0 is exact).

Real input: the FFT returns bins ``0..k/2`` (bins 0 and k/2 are exactly real).  The IFFT takes
bins ``0..k/2`` (imaginary parts of bins 0 and k/2 are ignored), rebuilds the full spectrum by
conjugate symmetry and returns the real part of the last stage.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .fixed import RND, RND_CONV, Fmt, quantize, round_shift, saturate

VALID_K = (1, 2, 4, 8, 16, 32)


def check_k(k: int, valid=VALID_K) -> int:
    """Validate a block size; returns log2(k)."""
    if not isinstance(k, (int, np.integer)) or int(k) not in valid:
        raise ValueError(f"block size k={k!r} is not supported: k must be a power of two in {valid}")
    return int(k).bit_length() - 1


def bitrev_perm(k: int) -> np.ndarray:
    n = check_k(k)
    idx = np.arange(k)
    rev = np.zeros(k, dtype=np.int64)
    for b in range(n):
        rev |= ((idx >> b) & 1) << (n - 1 - b)
    return rev


@lru_cache(maxsize=None)
def twiddles(k: int, tw_width: int = 18) -> tuple[np.ndarray, np.ndarray]:
    """Quantized FFT twiddles ``W_k^n``, n = 0..k/2-1, as (re, im) codes of s{tw_width}.{tw_width-2}."""
    check_k(k)
    if not 4 <= tw_width <= 32:
        raise ValueError(f"twiddle width {tw_width} out of range 4..32")
    fmt = Fmt(tw_width, tw_width - 2)
    n = np.arange(max(k // 2, 0))
    ang = -2.0 * np.pi * n / k
    wr = quantize(np.cos(ang), fmt, RND_CONV)
    wi = quantize(np.sin(ang), fmt, RND_CONV)
    wr.setflags(write=False)
    wi.setflags(write=False)
    return wr, wi


def _dit(re: np.ndarray, im: np.ndarray, k: int, fmt: Fmt, tw_width: int, inverse: bool):
    """In-place-style DIT stages on bit-reversed (..., k) int64 arrays; returns final (re, im)."""
    log2k = check_k(k)
    twf = tw_width - 2
    wr_all, wi_all = twiddles(k, tw_width)
    lead = re.shape[:-1]
    for s in range(1, log2k + 1):
        m = 1 << s
        h = m // 2
        step = k // m
        wr = wr_all[::step][:h]
        wi = wi_all[::step][:h]
        if inverse:
            wi = -wi
        r = re.reshape(*lead, k // m, 2, h)
        i = im.reshape(*lead, k // m, 2, h)
        ar, ai = r[..., 0, :], i[..., 0, :]
        br, bi = r[..., 1, :], i[..., 1, :]
        tr = round_shift(br * wr - bi * wi, twf, RND)
        ti = round_shift(br * wi + bi * wr, twf, RND)
        sfmt = fmt.grow(s)
        out_r = np.stack([saturate(ar + tr, sfmt), saturate(ar - tr, sfmt)], axis=-2)
        out_i = np.stack([saturate(ai + ti, sfmt), saturate(ai - ti, sfmt)], axis=-2)
        re = out_r.reshape(*lead, k)
        im = out_i.reshape(*lead, k)
    return re, im


def fft_out_fmt(in_fmt: Fmt, k: int) -> Fmt:
    return in_fmt.grow(check_k(k))


def fft_fixed(x, k: int, in_fmt: Fmt, tw_width: int = 18) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point FFT of real blocks ``x`` (..., k) of ``in_fmt`` codes -> bins 0..k/2 (re, im).

    Output format ``fft_out_fmt(in_fmt, k)``; every code is saturated to it.
    """
    x = np.asarray(x)
    if x.shape[-1:] != (k,):
        raise ValueError(f"fft_fixed: last axis must be the block size k={k}, got shape {x.shape}")
    check_k(k)
    x = saturate(x, in_fmt)
    re = x[..., bitrev_perm(k)]
    im = np.zeros_like(re)
    re, im = _dit(re, im, k, in_fmt, tw_width, inverse=False)
    return re[..., : k // 2 + 1].copy(), im[..., : k // 2 + 1].copy()


def ifft_fixed(yr, yi, k: int, in_fmt: Fmt, tw_width: int = 18) -> np.ndarray:
    """Unscaled Hermitian IFFT: bins 0..k/2 (re, im) of ``in_fmt`` codes -> real (..., k).

    Output format ``in_fmt.grow(log2 k)`` (same fractional bits as the input).
    """
    yr = np.asarray(yr)
    yi = np.asarray(yi)
    kh = k // 2 + 1
    if yr.shape[-1:] != (kh,) or yi.shape != yr.shape:
        raise ValueError(f"ifft_fixed: expected (..., {kh}) real and imaginary bins for k={k}, "
                         f"got {yr.shape} and {yi.shape}")
    check_k(k)
    yr = saturate(yr, in_fmt)
    yi = saturate(yi, in_fmt).copy()
    yi[..., 0] = 0
    if k > 1:
        yi[..., k // 2] = 0
    # full spectrum by conjugate symmetry: Y[k-b] = conj(Y[b])
    if k > 2:
        fr = np.concatenate([yr, yr[..., k // 2 - 1:0:-1]], axis=-1)
        fi = np.concatenate([yi, -yi[..., k // 2 - 1:0:-1]], axis=-1)
    else:
        fr, fi = yr[..., :k], yi[..., :k]
    perm = bitrev_perm(k)
    re, _ = _dit(fr[..., perm], fi[..., perm], k, in_fmt, tw_width, inverse=True)
    return re


# ---- exact float paths ---------------------------------------------------------------------

def fft_float(x, k: int) -> np.ndarray:
    """Float FFT of real blocks (..., k) -> complex bins 0..k/2."""
    check_k(k)
    return np.fft.rfft(np.asarray(x, dtype=np.float64), n=k, axis=-1)


def ifft_float(y, k: int) -> np.ndarray:
    """Unscaled float Hermitian IFFT (bins 0..k/2 -> real k), matching ``ifft_fixed``'s scale."""
    check_k(k)
    return np.fft.irfft(np.asarray(y), n=k, axis=-1) * k
