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

from . import pointstats
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


_clip = getattr(getattr(np, "_core", np).umath, "clip", None)   # the ufunc, without np.clip's wrapper


def sat_inplace(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Saturate an int64 array in place (``saturate`` without the temporary)."""
    if _clip is not None:
        return _clip(a, lo, hi, out=a)
    return np.clip(a, lo, hi, out=a)


@lru_cache(maxsize=None)
def _stage_plan(k: int, tw_width: int, s: int, inverse: bool):
    """Twiddles of stage s split into exact shortcuts and general products.

    ``w = 1`` gives ``t = b`` and ``w = -/+j`` gives ``t = (+/-bi, -/+br)``: with the quantized
    twiddle exactly ``2**twf`` these equal the general rounded product bit for bit, so the
    shortcut only saves work.
    """
    wr_all, wi_all = twiddles(k, tw_width)
    h = 1 << (s - 1)
    step = k // (2 * h)
    wr = wr_all[::step][:h].copy()
    wi = wi_all[::step][:h].copy()
    if inverse:
        wi = -wi
    one = 1 << (tw_width - 2)
    ident = [j for j in range(h) if wr[j] == one and wi[j] == 0]
    mj = [j for j in range(h) if wr[j] == 0 and wi[j] == -one]     # multiply by -j
    pj = [j for j in range(h) if wr[j] == 0 and wi[j] == one]      # multiply by +j
    gen = [j for j in range(h) if j not in ident and j not in mj and j not in pj]
    g = np.array(gen, dtype=np.int64)
    return ident, mj, pj, g, wr[g].reshape(1, -1, 1), wi[g].reshape(1, -1, 1)


def _dit(re: np.ndarray, im: "np.ndarray | None", k: int, fmt: Fmt, tw_width: int, inverse: bool,
         real_out: bool = False, point: str = "fft"):
    """DIT stages on bit-reversed, point-major (k, M) int64 arrays; returns the final (re, im).

    ``im=None`` means a zero imaginary part (real input).  The point axis comes first so that
    every NumPy operation runs over long contiguous rows (M = number of blocks), one twiddle
    index j at a time; this is what makes the golden model fast.  With ``real_out`` the
    imaginary part of the last stage is not computed (returned as None).
    """
    log2k = check_k(k)
    twf = tw_width - 2
    M = re.shape[1]
    # Saturation can only act if some stage value can leave its format.  Stage s values are
    # bounded by 2**s * (max|input| + 1) (each twiddle product has |w| <= 1 + 2**-twf and adds
    # at most one rounding LSB per stage); when that bound fits every stage format, the clip
    # is provably the identity and is skipped.  Otherwise every stage saturates as specified.
    amax = max(int(re.max(initial=0)), -int(re.min(initial=0)))
    if im is not None:
        amax = max(amax, int(im.max(initial=0)), -int(im.min(initial=0)))
    need_sat = any((amax + 1) * (1 << s) * 2 > fmt.grow(s).max_int for s in range(1, log2k + 1))
    for s in range(1, log2k + 1):
        m = 1 << s
        h = m // 2
        ident, mj, pj, g, wr, wi = _stage_plan(k, tw_width, s, inverse)
        last_real = real_out and s == log2k
        r = re.reshape(k // m, 2, h, M)
        i = None if im is None else im.reshape(k // m, 2, h, M)
        out_r = np.empty((k // m, 2, h, M), dtype=np.int64)
        out_i = None if last_real else np.empty((k // m, 2, h, M), dtype=np.int64)
        for j in range(h):
            ar, br = r[:, 0, j], r[:, 1, j]
            ai, bi = (None, None) if i is None else (i[:, 0, j], i[:, 1, j])
            if j in ident:
                tr, ti = br, bi
            elif j in mj:                      # b * (-j) = bi - j br
                tr, ti = bi, -br
            elif j in pj:                      # b * (+j) = -bi + j br
                tr, ti = (None if bi is None else -bi), br
            else:
                wrj, wij = _general_twiddle(g, wr, wi, j)
                if bi is None:
                    tr = round_shift(br * wrj, twf, RND)
                    ti = round_shift(br * wij, twf, RND)
                else:
                    tr = round_shift(br * wrj - bi * wij, twf, RND)
                    ti = None if last_real else round_shift(br * wij + bi * wrj, twf, RND)
            _butterfly(out_r[:, 0, j], out_r[:, 1, j], ar, tr)
            if out_i is not None:
                _butterfly(out_i[:, 0, j], out_i[:, 1, j], ai, ti)
        sfmt = fmt.grow(s)
        if pointstats.active():
            pointstats.count_fmt(point, out_r, sfmt)
            if out_i is not None:
                pointstats.count_fmt(point, out_i, sfmt)
        if need_sat:
            sat_inplace(out_r, sfmt.min_int, sfmt.max_int)
            if out_i is not None:
                sat_inplace(out_i, sfmt.min_int, sfmt.max_int)
        re = out_r.reshape(k, M)
        if last_real:
            return re, None
        im = out_i.reshape(k, M)
    return re, im


def _general_twiddle(g: np.ndarray, wr: np.ndarray, wi: np.ndarray, j: int) -> tuple[int, int]:
    pos = int(np.nonzero(g == j)[0][0])
    return int(wr[0, pos, 0]), int(wi[0, pos, 0])


def _butterfly(out0: np.ndarray, out1: np.ndarray, a, t) -> None:
    """out0 = a + t, out1 = a - t, where None stands for an all-zero operand."""
    if a is None and t is None:
        out0[...] = 0
        out1[...] = 0
    elif t is None:
        out0[...] = a
        out1[...] = a
    elif a is None:
        out0[...] = t
        np.negative(t, out=out1)
    else:
        np.add(a, t, out=out0)
        np.subtract(a, t, out=out1)


def fft_out_fmt(in_fmt: Fmt, k: int) -> Fmt:
    return in_fmt.grow(check_k(k))


def fft_fixed_t(x: np.ndarray, k: int, in_fmt: Fmt, tw_width: int = 18) -> tuple[np.ndarray, np.ndarray]:
    """Point-major FFT: real (k, M) codes -> bins (k/2+1, M) (re, im).  See ``fft_fixed``."""
    check_k(k)
    re = saturate(np.asarray(x)[bitrev_perm(k)], in_fmt)
    re, im = _dit(re, None, k, in_fmt, tw_width, inverse=False)
    if im is None:                 # k = 1: no stage ran
        im = np.zeros_like(re)
    return re[: k // 2 + 1], im[: k // 2 + 1]


@lru_cache(maxsize=None)
def _herm_gather(k: int) -> tuple[np.ndarray, np.ndarray]:
    """For the bit-reversed full spectrum: source bin of each position, and which are conjugated."""
    h = k // 2
    src = np.array([b if b <= h else k - b for b in range(k)], dtype=np.int64)
    conj = np.array([b > h for b in range(k)])
    perm = bitrev_perm(k)
    return src[perm], conj[perm]


def ifft_fixed_t(yr: np.ndarray, yi: np.ndarray, k: int, in_fmt: Fmt, tw_width: int = 18) -> np.ndarray:
    """Point-major Hermitian IFFT: bins (k/2+1, M) -> real (k, M) codes.  See ``ifft_fixed``."""
    check_k(k)
    if k == 1:
        return saturate(yr, in_fmt)
    h = k // 2
    yr = saturate(yr, in_fmt)
    yi = saturate(yi, in_fmt)
    yi[0] = 0                                   # imaginary parts of bins 0 and k/2 are ignored
    yi[h] = 0
    # full spectrum by conjugate symmetry Y[k-b] = conj(Y[b]), gathered straight into bit-reversed order
    src, conj = _herm_gather(k)
    fr = yr[src]
    fi = yi[src]
    for row in np.nonzero(conj)[0]:
        np.negative(fi[row], out=fi[row])
    re, _ = _dit(fr, fi, k, in_fmt, tw_width, inverse=True, real_out=True, point="ifft")
    return re


def fft_fixed(x, k: int, in_fmt: Fmt, tw_width: int = 18) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point FFT of real blocks ``x`` (..., k) of ``in_fmt`` codes -> bins 0..k/2 (re, im).

    Output format ``fft_out_fmt(in_fmt, k)``; every code is saturated to it.
    """
    x = np.asarray(x)
    if x.shape[-1:] != (k,):
        raise ValueError(f"fft_fixed: last axis must be the block size k={k}, got shape {x.shape}")
    check_k(k)
    lead = x.shape[:-1]
    re, im = fft_fixed_t(x.reshape(-1, k).T, k, in_fmt, tw_width)
    return re.T.reshape(*lead, k // 2 + 1), im.T.reshape(*lead, k // 2 + 1)


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
    lead = yr.shape[:-1]
    y = ifft_fixed_t(yr.reshape(-1, kh).T, yi.reshape(-1, kh).T, k, in_fmt, tw_width)
    return y.T.reshape(*lead, k)


# ---- exact float paths ---------------------------------------------------------------------

def fft_float(x, k: int) -> np.ndarray:
    """Float FFT of real blocks (..., k) -> complex bins 0..k/2."""
    check_k(k)
    return np.fft.rfft(np.asarray(x, dtype=np.float64), n=k, axis=-1)


def ifft_float(y, k: int) -> np.ndarray:
    """Unscaled float Hermitian IFFT (bins 0..k/2 -> real k), matching ``ifft_fixed``'s scale."""
    check_k(k)
    return np.fft.irfft(np.asarray(y), n=k, axis=-1) * k
