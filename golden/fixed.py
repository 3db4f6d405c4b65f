"""Fixed-point helpers: formats, rounding, saturation.  NumPy only, int64 storage.

Notation (see docs/numerics.md): ``sW.F`` is a signed two's-complement number of W bits with F
fractional bits; its integer code ``q`` stands for ``q * 2**-F``.

Rounding modes (named once here, and once in ``rtl/round_sat.v``):

* ``TRN``      truncate toward minus infinity (drop the low bits; arithmetic shift)
* ``RND``      round half up (toward plus infinity): ``(x + 2**(s-1)) >> s``
* ``RND_CONV`` convergent rounding, half to even

Overflow modes: ``SAT`` clamps to the format's range, ``WRAP`` keeps the low W bits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

TRN = "TRN"
RND = "RND"
RND_CONV = "RND_CONV"
ROUND_MODES = (TRN, RND, RND_CONV)
SAT = "SAT"
WRAP = "WRAP"
OVERFLOW_MODES = (SAT, WRAP)

_FMT_RE = re.compile(r"^([su])(\d+)\.(-?\d+)$")


@dataclass(frozen=True)
class Fmt:
    """A fixed-point format: ``width`` total bits, ``frac`` fractional bits, signed or not."""

    width: int
    frac: int
    signed: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.width, (int, np.integer)) or not 1 <= self.width <= 62:
            raise ValueError(f"fixed-point width must be an integer in 1..62, got {self.width!r}")
        if not isinstance(self.frac, (int, np.integer)) or not -64 <= self.frac <= 64:
            raise ValueError(f"fixed-point frac must be an integer in -64..64, got {self.frac!r}")
        if self.signed and self.width < 2:
            raise ValueError("a signed format needs at least 2 bits")

    @classmethod
    def parse(cls, text: "str | Fmt") -> "Fmt":
        """Parse ``'s16.12'`` / ``'u8.8'`` (also accepts a Fmt)."""
        if isinstance(text, Fmt):
            return text
        m = _FMT_RE.match(str(text).strip())
        if not m:
            raise ValueError(f"bad fixed-point format {text!r}: expected 'sW.F' or 'uW.F', e.g. 's16.12'")
        return cls(int(m.group(2)), int(m.group(3)), m.group(1) == "s")

    def __str__(self) -> str:
        return f"{'s' if self.signed else 'u'}{self.width}.{self.frac}"

    @property
    def min_int(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max_int(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def lsb(self) -> float:
        return 2.0 ** (-self.frac)

    @property
    def max_value(self) -> float:
        return self.max_int * self.lsb

    @property
    def min_value(self) -> float:
        return self.min_int * self.lsb

    def grow(self, bits: int) -> "Fmt":
        """The same format with ``bits`` more integer bits (bit growth of an adder stage)."""
        return Fmt(self.width + bits, self.frac, self.signed)


def _as_int64(x) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "iu":
        raise TypeError(f"fixed-point codes must be integers, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def round_shift(x, shift: int, mode: str = RND) -> np.ndarray:
    """Divide integer codes by ``2**shift`` with the named rounding mode.

    ``shift <= 0`` is an exact left shift.  This is the one rounding primitive of the golden
    model; every rounding point of the datapath calls it.
    """
    a = _as_int64(x)
    if mode not in ROUND_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}; use one of {ROUND_MODES}")
    if shift == 0:
        return a
    if shift < 0:
        return a << (-shift)
    if mode == TRN:
        return a >> shift
    if mode == RND:
        return (a + (1 << (shift - 1))) >> shift
    q = a >> shift
    r = a & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    return q + ((r > half) | ((r == half) & ((q & 1) == 1))).astype(np.int64)


_clip = getattr(getattr(np, "_core", np).umath, "clip", np.clip)   # the ufunc, minus np.clip's wrapper


def saturate(x, fmt: Fmt) -> np.ndarray:
    """Clamp integer codes to the range of ``fmt``."""
    return _clip(_as_int64(x), fmt.min_int, fmt.max_int)


def wrap(x, fmt: Fmt) -> np.ndarray:
    """Keep the low ``fmt.width`` bits (two's complement wrap-around)."""
    a = _as_int64(x) & ((1 << fmt.width) - 1)
    if fmt.signed:
        a = np.where(a >= (1 << (fmt.width - 1)), a - (1 << fmt.width), a)
    return a


def overflow(x, fmt: Fmt, mode: str = SAT) -> np.ndarray:
    if mode == SAT:
        return saturate(x, fmt)
    if mode == WRAP:
        return wrap(x, fmt)
    raise ValueError(f"unknown overflow mode {mode!r}; use one of {OVERFLOW_MODES}")


def requantize(x, from_frac: int, fmt: Fmt, mode: str = RND, ovf: str = SAT) -> np.ndarray:
    """Integer codes with ``from_frac`` fractional bits -> codes of ``fmt`` (round, then saturate)."""
    return overflow(round_shift(x, from_frac - fmt.frac, mode), fmt, ovf)


def quantize(x, fmt: Fmt, mode: str = RND_CONV, ovf: str = SAT) -> np.ndarray:
    """Real values -> integer codes of ``fmt``.  NaN is rejected."""
    a = np.asarray(x, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError("cannot quantize NaN")
    s = np.ldexp(a, fmt.frac)
    if mode == TRN:
        r = np.floor(s)
    elif mode == RND:
        r = np.floor(s + 0.5)
    elif mode == RND_CONV:
        r = np.rint(s)
    else:
        raise ValueError(f"unknown rounding mode {mode!r}; use one of {ROUND_MODES}")
    lim = float(2 ** 62)
    r = np.clip(r, -lim, lim)
    return overflow(r.astype(np.int64), fmt, ovf)


def to_float(q, fmt: "Fmt | int") -> np.ndarray:
    """Integer codes -> real values (``fmt`` may be a Fmt or just the number of fractional bits)."""
    frac = fmt.frac if isinstance(fmt, Fmt) else int(fmt)
    return np.ldexp(np.asarray(q, dtype=np.float64), -frac)


def check_fits(q, fmt: Fmt, what: str) -> None:
    """Raise ValueError naming ``what`` if any code lies outside ``fmt``."""
    a = np.asarray(q)
    if a.size and (a.min() < fmt.min_int or a.max() > fmt.max_int):
        raise ValueError(f"{what}: values [{a.min()}, {a.max()}] do not fit {fmt}")
