"""Independent, deliberately naive re-implementations of the golden contract (pure Python ints,
loops, no vectorization), used to check the fast golden code bit for bit."""
from __future__ import annotations

import math


def rshift_round(v: int, s: int, mode: str) -> int:
    if s <= 0:
        return v << (-s)
    q, r = divmod(v, 1 << s)          # floor division: q = floor(v / 2**s), 0 <= r < 2**s
    half = 1 << (s - 1)
    if mode == "TRN":
        return q
    if mode == "RND":
        return q + (1 if r >= half else 0)
    if mode == "RND_CONV":
        return q + (1 if r > half or (r == half and q % 2 == 1) else 0)
    raise ValueError(mode)


def sat(v: int, width: int) -> int:
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return max(lo, min(hi, v))


def twiddle(k: int, n: int, tw_width: int) -> tuple[int, int]:
    f = tw_width - 2
    ang = -2 * math.pi * n / k
    return round(math.cos(ang) * (1 << f)), round(math.sin(ang) * (1 << f))   # round(): half even


def bitrev(i: int, bits: int) -> int:
    return int(format(i, f"0{bits}b")[::-1], 2) if bits else 0


def dit(vals: list[complex], k: int, width: int, tw_width: int, inverse: bool) -> list[tuple[int, int]]:
    """Full complex DIT on integer (re, im) pairs, exactly as docs/numerics.md describes."""
    bits = k.bit_length() - 1
    v = [vals[bitrev(i, bits)] for i in range(k)]
    f = tw_width - 2
    for s in range(1, bits + 1):
        m, h = 1 << s, 1 << (s - 1)
        out = list(v)
        for g in range(0, k, m):
            for j in range(h):
                wr, wi = twiddle(k, j * (k // m), tw_width)
                if inverse:
                    wi = -wi
                ar, ai = v[g + j]
                br, bi = v[g + j + h]
                tr = rshift_round(br * wr - bi * wi, f, "RND")
                ti = rshift_round(br * wi + bi * wr, f, "RND")
                out[g + j] = (sat(ar + tr, width + s), sat(ai + ti, width + s))
                out[g + j + h] = (sat(ar - tr, width + s), sat(ai - ti, width + s))
        v = out
    return v


def fft_ref(x: list[int], width: int, tw_width: int = 18) -> list[tuple[int, int]]:
    k = len(x)
    return dit([(sat(int(a), width), 0) for a in x], k, width, tw_width, False)[: k // 2 + 1]


def ifft_ref(bins: list[tuple[int, int]], width: int, tw_width: int = 18) -> list[int]:
    kh = len(bins)
    k = 1 if kh == 1 else 2 * (kh - 1)
    b = [(sat(int(r), width), sat(int(i), width)) for r, i in bins]
    b[0] = (b[0][0], 0)
    b[-1] = (b[-1][0], 0)
    full = b + [(b[n][0], -b[n][1]) for n in range(k // 2 - 1, 0, -1)] if k > 1 else b[:1]
    return [re for re, _ in dit(full, k, width, tw_width, True)]
