"""numpy <-> ``$readmemh`` conversion: the one place where codes become hex words."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .atomic import atomic_write


def to_words(codes, width: int) -> np.ndarray:
    """Signed integer codes -> unsigned two's-complement words of ``width`` bits (range-checked)."""
    a = np.asarray(codes, dtype=np.int64)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    if a.size and (a.min() < lo or a.max() > hi):
        raise ValueError(f"codes [{a.min()}, {a.max()}] do not fit {width} signed bits")
    return a & ((1 << width) - 1)


def from_words(words, width: int) -> np.ndarray:
    """Unsigned words -> signed codes."""
    a = np.asarray(words, dtype=np.int64)
    return np.where(a >= (1 << (width - 1)), a - (1 << width), a)


def pack_lanes(codes, width: int) -> int:
    """Signed codes (lane 0 first) -> one integer word with lane i at bits [i*width +: width]
    (a stream beat or a memory line; range-checked like ``to_words``)."""
    v = 0
    for i, w in enumerate(to_words(np.ravel(codes), width).tolist()):
        v |= int(w) << (i * width)
    return v


def unpack_lanes(word: int, width: int, lanes: int) -> np.ndarray:
    """Inverse of ``pack_lanes``: ``lanes`` signed codes."""
    mask = (1 << width) - 1
    return from_words([(int(word) >> (i * width)) & mask for i in range(lanes)], width)


def write_memh(path, codes, width: int, header: str = "") -> None:
    """Write codes (flattened, C order) one word per line, atomically (temp file + rename)."""
    digits = -(-width // 4)
    words = to_words(np.ravel(codes), width)
    _write_lines(path, [f"{int(w):0{digits}x}" for w in words], header)


def _write_lines(path, lines: list[str], header: str = "") -> None:
    """Write hex lines (and an optional ``//`` header) atomically: temp file + rename."""
    with atomic_write(path) as f:
        if header:
            f.write(f"// {header}\n")
        f.write("\n".join(lines))
        f.write("\n")


def read_memh(path, width: int) -> np.ndarray:
    """Read a ``$readmemh`` file written by ``write_memh`` back to signed codes."""
    vals = []
    for line in Path(path).read_text().splitlines():
        line = line.split("//", 1)[0].strip()
        if line:
            vals.extend(int(tok, 16) for tok in line.split())
    return from_words(np.array(vals, dtype=np.int64), width)


def write_memh_lanes(path, codes, width: int, header: str = "") -> None:
    """Write codes (..., L) as one ``L*width``-bit word per line, lane 0 in the low bits.

    For memories whose word holds several codes (e.g. the circulant PE's ``{im, re}`` weight
    words or a row of K biases).  Each lane is range-checked like ``write_memh``.
    """
    a = np.asarray(codes, dtype=np.int64)
    lanes = a.shape[-1]
    write_lane_words(path, to_words(a.reshape(-1, lanes), width), width, header)


def write_lane_words(path, words, width: int, header: str = "") -> None:
    """Rows of unsigned lane words (N, L) -> one ``L*width``-bit hex line per row, lane 0 in
    the low bits (the engine's memory images use it directly, their words already masked)."""
    words = np.asarray(words, dtype=np.int64)
    lanes = words.shape[1]
    digits = -(-(lanes * width) // 4)
    if width % 4 == 0:                    # each lane is whole hex digits: format lane by lane
        fmt = f"{{:0{width // 4}x}}"
        lines = ["".join(fmt.format(v) for v in row[::-1]) for row in words.tolist()]
    else:
        lines = []
        for row in words.tolist():
            v = 0
            for i, c in enumerate(row):
                v |= int(c) << (i * width)
            lines.append(f"{v:0{digits}x}")
    _write_lines(path, lines, header)
