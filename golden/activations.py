"""Piecewise-linear sigmoid and tanh from generated tables (bit-accurate; ``rtl/engine_act.v``).

Input ``pre`` codes ``z`` of sW.F, output ``gate`` codes of sG.H.  Only the half range
``a = |z|`` is tabulated, using the symmetries ``tanh(-a) = -tanh(a)`` and
``sigmoid(-a) = 1 - sigmoid(a)``:

* ``a = min(|z|, 2**(W-1) - 1)``  (W-1 bit magnitude; the most negative code saturates)
* ``TB = W - 1 - SEG_BITS``; segment ``i = a >> TB``; offset ``t = a & (2**TB - 1)``
* ``v = T[i] + round_RND((T[i+1] - T[i]) * t, TB)``   (T: 2**SEG_BITS + 1 knots, gate codes)
* tanh: ``y = v`` if ``z >= 0`` else ``-v``; sigmoid: ``y = v`` if ``z >= 0`` else ``ONE - v``

The knots ``T[i] = quantize(f(i * 2**TB * 2**-F))`` (RND_CONV, SAT) are the function's samples
at the segment ends, i.e. chord interpolation.  The RTL reads the same table from a generated
memory file (``write_act_mem``).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .fixed import RND, RND_CONV, Fmt, quantize, round_shift, to_float

FUNCS = ("sigmoid", "tanh")


def _ref(func: str, x: np.ndarray) -> np.ndarray:
    if func == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * x))
    if func == "tanh":
        return np.tanh(x)
    raise ValueError(f"unknown activation {func!r}; use one of {FUNCS}")


def act_float(func: str, x) -> np.ndarray:
    """Exact float activation."""
    return _ref(func, np.asarray(x, dtype=np.float64))


@lru_cache(maxsize=None)
def act_table(func: str, in_fmt: Fmt, out_fmt: Fmt, seg_bits: int) -> np.ndarray:
    """The 2**seg_bits + 1 knot values (out_fmt codes) over the input half range [0, 2**(W-1-F)]."""
    if func not in FUNCS:
        raise ValueError(f"unknown activation {func!r}; use one of {FUNCS}")
    tb = in_fmt.width - 1 - seg_bits
    if tb < 0:
        raise ValueError(f"act_seg_bits={seg_bits} too large for input format {in_fmt}")
    knots = np.arange((1 << seg_bits) + 1, dtype=np.int64) << tb
    t = quantize(_ref(func, to_float(knots, in_fmt)), out_fmt, RND_CONV)
    t.setflags(write=False)
    return t


def _pwl_magnitude(T: np.ndarray, a: np.ndarray, tb: int) -> np.ndarray:
    """The defining formula: ``T[i] + round_RND((T[i+1] - T[i]) * t, TB)``, i = a >> TB."""
    i = a >> tb
    t = a & ((1 << tb) - 1)
    return T[i] + round_shift((T[i + 1] - T[i]) * t, tb, RND)


@lru_cache(maxsize=None)
def _magnitude_lut(func: str, in_fmt: Fmt, out_fmt: Fmt, seg_bits: int) -> np.ndarray:
    """``_pwl_magnitude`` evaluated once for every magnitude code (a speed-up, same values)."""
    T = act_table(func, in_fmt, out_fmt, seg_bits)
    lut = _pwl_magnitude(T, np.arange(1 << (in_fmt.width - 1), dtype=np.int64),
                         in_fmt.width - 1 - seg_bits)
    lut.setflags(write=False)
    return lut


def act_fixed(func: str, z, in_fmt: Fmt, out_fmt: Fmt, seg_bits: int) -> np.ndarray:
    """Bit-accurate piecewise-linear activation of ``in_fmt`` codes -> ``out_fmt`` codes."""
    z = np.asarray(z, dtype=np.int64)
    a = np.abs(z)
    np.minimum(a, (1 << (in_fmt.width - 1)) - 1, out=a)    # |most negative| saturates
    if in_fmt.width <= 20:
        v = _magnitude_lut(func, in_fmt, out_fmt, seg_bits).take(a)
    else:
        v = _pwl_magnitude(act_table(func, in_fmt, out_fmt, seg_bits), a, in_fmt.width - 1 - seg_bits)
    m = z >> 63                      # -1 where z < 0, else 0
    v ^= m
    v -= m                           # -v where z < 0
    if func == "sigmoid":
        v += m & (1 << out_fmt.frac)  # ONE - v where z < 0
    return v


def error_report(in_fmt: Fmt, out_fmt: Fmt, seg_bits: int) -> dict:
    """Max / mean absolute error of both activations over every input code."""
    z = np.arange(in_fmt.min_int, in_fmt.max_int + 1, dtype=np.int64)
    x = to_float(z, in_fmt)
    rep = {}
    for func in FUNCS:
        err = np.abs(to_float(act_fixed(func, z, in_fmt, out_fmt, seg_bits), out_fmt) - _ref(func, x))
        rep[func] = {"max_abs_err": float(err.max()), "mean_abs_err": float(err.mean()),
                     "argmax": float(x[err.argmax()])}
    return rep


def write_act_mem(path, func: str, in_fmt: Fmt, out_fmt: Fmt, seg_bits: int) -> None:
    """Write the knot table as the engine stores it, a ``$readmemh`` file of 2^seg_bits lines:
    line i holds segment i's two knots, T[i] in the low and T[i+1] in the high ``out_fmt.width``
    bits.  One read then gives both knots, so the table is a single-port ROM that synthesis
    maps to one block RAM or LUT RAM (rtl/engine_act.v)."""
    from .memfile import write_memh_lanes
    t = act_table(func, in_fmt, out_fmt, seg_bits)
    write_memh_lanes(path, np.stack([t[:-1], t[1:]], axis=1), out_fmt.width,
                     header=f"{func} knot pairs (T[i+1], T[i]): {2 ** seg_bits} segments, "
                            f"in {in_fmt}, out {out_fmt}")