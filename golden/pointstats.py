"""Statistics at the datapath's rounding points: how often each saturation clamps (fixed point)
and how large the values there are (float).  Calibration (``golden.calibrate``) chooses the
formats from the float ranges; ``eval --fixed`` and ``export`` report the saturation counts.

    from golden.pointstats import Recorder
    with Recorder() as rec:
        run_fixed(model, feats)          # or run_float, for ranges
    rec.saturation()                     # {point: (saturated, total)}
    rec.ranges()                         # {point: {"max": .., "p99.99": .., "n": ..}}

Recording is off unless a ``Recorder`` is active; the golden functions then report to it (one
recorder at a time, one thread: use ``Runner(workers=1)``).  The points, in datapath order
(docs/numerics.md numbers them in its table):
"""
from __future__ import annotations

import numpy as np

# point -> (the format it saturates to, what it is).  None: a derived format (FFT/IFFT stages
# grow one integer bit per stage, so they can only clamp at a full-scale input).
POINTS: dict[str, tuple[str | None, str]] = {
    "weight": ("weight", "FFT(w)/k -> weight (offline, step 2)"),
    "bias": ("bias", "biases -> bias (offline)"),
    "peep_w": ("peep", "peephole weights -> peep (offline)"),
    "input": ("data", "features -> data (host, step 1)"),
    "fft": (None, "FFT stage outputs s(W+s).F (step 5)"),
    "spec": ("spec", "frequency-domain accumulator -> spec (step 7)"),
    "ifft": (None, "IFFT stage outputs (step 8)"),
    "pre": ("pre", "IFFT output -> pre, + bias (steps 9-10)"),
    "peep": ("pre", "pre-activation + peephole product (LSTM, step 11)"),
    "cell": ("cell", "cell state c_t (LSTM, step 13)"),
    "tanh_c": ("pre", "c_t re-aligned to pre for tanh (LSTM, step 14)"),
    "m": ("data", "m = o * tanh(c) (LSTM, step 15)"),
    "proj_pre": ("pre", "projection W_p m -> pre (LSTMP, step 16)"),
    "proj": ("data", "projection -> data (LSTMP, step 16)"),
    "gru_sum": ("pre", "gx + gh, gx_n + r*gh_n (GRU, step 17)"),
    "h": ("data", "h_t (GRU, step 18)"),
}

# log2 |v| histogram: 1/16-octave bins over [2^-24, 2^24); values outside go to the end bins.
_BIN_LO, _BIN_HI, _BINS_PER_OCTAVE = -24, 24, 16
_NBINS = (_BIN_HI - _BIN_LO) * _BINS_PER_OCTAVE

_active: "Recorder | None" = None


def active() -> bool:
    return _active is not None


def count_sat(point: str, codes, lo: int, hi: int) -> None:
    """Record how many of ``codes`` (before saturation) lie outside [lo, hi]."""
    if _active is not None:
        a = np.asarray(codes)
        count_mask(point, (a < lo) | (a > hi))


def count_mask(point: str, mask) -> None:
    """Record the values flagged in boolean ``mask`` as saturated at ``point``."""
    rec = _active
    if rec is None:
        return
    m = np.asarray(mask)
    rec._sat(point, int(np.count_nonzero(m)), m.size)


def count_fmt(point: str, codes, fmt) -> None:
    """``count_sat`` against a format's range."""
    if _active is not None:
        count_sat(point, codes, fmt.min_int, fmt.max_int)


def at_layer(layer: int) -> None:
    """Tell the active recorder which layer the next values come from (``Recorder.layer_max``)."""
    if _active is not None:
        _active.layer = layer


def observe(point: str, values) -> None:
    """Record the magnitudes of float ``values`` at ``point`` (complex: real and imaginary)."""
    rec = _active
    if rec is None:
        return
    a = np.asarray(values)
    if np.iscomplexobj(a):
        a = np.concatenate([a.real.ravel(), a.imag.ravel()])
    rec._observe(point, np.abs(a.ravel()))


class Recorder:
    """Collects saturation counts and float ranges per point while active (a context manager)."""

    def __init__(self) -> None:
        self.sat: dict[str, list[int]] = {}
        self.hist: dict[str, np.ndarray] = {}
        self.max: dict[str, float] = {}
        self.layer = 0
        self.layer_max: dict[tuple[int, str], float] = {}    # (layer, point) -> max |v|

    def __enter__(self) -> "Recorder":
        global _active
        if _active is not None:
            raise RuntimeError("a pointstats.Recorder is already active")
        _active = self
        return self

    def __exit__(self, *exc) -> None:
        global _active
        _active = None

    def _sat(self, point: str, n_sat: int, n: int) -> None:
        if point not in POINTS:
            raise KeyError(f"unknown rounding point {point!r}")
        s = self.sat.setdefault(point, [0, 0])
        s[0] += n_sat
        s[1] += n

    def _observe(self, point: str, mag: np.ndarray) -> None:
        if point not in POINTS:
            raise KeyError(f"unknown rounding point {point!r}")
        if mag.size == 0:
            return
        with np.errstate(divide="ignore"):
            b = np.floor((np.log2(mag) - _BIN_LO) * _BINS_PER_OCTAVE)
        b = np.clip(np.nan_to_num(b, neginf=0.0), 0, _NBINS - 1).astype(np.int64)
        h = self.hist.setdefault(point, np.zeros(_NBINS, dtype=np.int64))
        h += np.bincount(b, minlength=_NBINS)
        m = float(mag.max())
        self.max[point] = max(self.max.get(point, 0.0), m)
        key = (self.layer, point)
        self.layer_max[key] = max(self.layer_max.get(key, 0.0), m)

    def saturation(self) -> dict[str, tuple[int, int]]:
        """{point: (saturated values, values)} in datapath order."""
        return {p: tuple(self.sat[p]) for p in POINTS if p in self.sat}

    def percentile(self, point: str, q: float) -> float:
        """Upper bound of the q-th percentile of |v| at ``point`` (from the 1/16-octave
        histogram: at most 4.4 % above the true value); the exact max for q = 100."""
        h = self.hist[point]
        if q >= 100:
            return self.max[point]
        need = q / 100.0 * h.sum()
        i = int(np.searchsorted(np.cumsum(h), need))
        return min(2.0 ** (_BIN_LO + (i + 1) / _BINS_PER_OCTAVE), self.max[point])

    def ranges(self, qs=(99.0, 99.99)) -> dict[str, dict]:
        """{point: {"n", "max", "p99", "p99.99"}} of the float magnitudes, in datapath order."""
        out = {}
        for p in POINTS:
            if p in self.hist:
                d = {"n": int(self.hist[p].sum()), "max": self.max[p]}
                d.update({f"p{q:g}": self.percentile(p, q) for q in qs})
                out[p] = d
        return out
