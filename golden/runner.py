"""Sequence runner: a whole model (layers x directions) over feature sequences, in float or in
bit-accurate fixed point, with per-layer outputs for debugging.

    from golden.model import Model
    from golden.runner import run_float, run_fixed
    model = Model.load("bundle/model.npz")
    res = run_fixed(model, feats)          # feats: (T, D) or (T, B, D) float
    res.outputs      # (T, B, out) float view of the last layer's output codes
    res.codes        # the same as integer codes (data format)
    res.layers[0]    # per-layer outputs (codes for fixed, floats for float)
    res.logits       # classifier output (host side, float) when the model has one
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import pointstats
from .cells import make_layer
from .fixed import quantize, to_float
from .model import Model


@dataclass
class RunResult:
    outputs: np.ndarray                       # (T, B, out*dirs) float
    layers: list = field(default_factory=list)  # per layer: (T, B, out*dirs), codes or floats
    codes: np.ndarray | None = None           # last layer's codes (fixed only)
    logits: np.ndarray | None = None          # (T, B, C) float, if the model has a classifier
    traces: list = field(default_factory=list)  # per layer, per direction internals (trace=True)
    squeezed: bool = False

    def squeeze(self) -> "RunResult":
        """Drop the batch axis for single-sequence inputs."""
        if not self.squeezed:
            return self
        def sq(a):
            return None if a is None else a[:, 0]
        return RunResult(sq(self.outputs), [sq(l) for l in self.layers], sq(self.codes),
                         sq(self.logits), self.traces, False)


def _as_batch(feats: np.ndarray, input_size: int) -> tuple[np.ndarray, bool]:
    x = np.asarray(feats, dtype=np.float64)
    squeezed = False
    if x.ndim == 2:
        x, squeezed = x[:, None, :], True
    if x.ndim != 3:
        raise ValueError(f"features must have shape (T, D) or (T, B, D), got {x.shape}")
    if x.shape[-1] != input_size:
        raise ValueError(f"features have dimension {x.shape[-1]}, but the model takes {input_size}")
    if x.shape[0] == 0:
        raise ValueError("features: empty sequence (T = 0)")
    if not np.isfinite(x).all():
        raise ValueError("features contain NaN or Inf")
    return x, squeezed


class Runner:
    """Builds the layers once (quantizing weights for the fixed path) and runs many batches.

    ``workers=2`` splits the batch over two threads (NumPy releases the GIL in its kernels) and
    limits BLAS to one thread per worker; results are identical to ``workers=1``.
    """

    def __init__(self, model: Model, fixed: bool, workers: int = 1):
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.model = model
        self.fixed = fixed
        self.workers = workers
        c = model.config
        self.layers = [[make_layer(c, model.params, l, d, fixed) for d in range(c.dirs)]
                       for l in range(c.num_layers)]
        self.f_data = c.formats.fmt("data")

    def __call__(self, feats: np.ndarray, trace: bool = False) -> RunResult:
        c = self.model.config
        x, squeezed = _as_batch(feats, c.input_size)
        B = x.shape[1]
        if self.workers > 1 and B >= 2 * self.workers and not trace:
            from concurrent.futures import ThreadPoolExecutor
            from threadpoolctl import threadpool_limits
            parts = np.array_split(np.arange(B), self.workers)
            with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(self.workers) as ex:
                results = list(ex.map(lambda idx: self._run(x[:, idx], False), parts))
            return _merge(results, squeezed)
        res = self._run(x, trace)
        res.squeezed = squeezed
        return res

    def _run(self, x: np.ndarray, trace: bool) -> RunResult:
        c = self.model.config
        pointstats.at_layer(0)
        if self.fixed:
            f = self.f_data
            if pointstats.active():
                pointstats.count_sat("input", np.rint(np.ldexp(x, f.frac)), f.min_int, f.max_int)
            h = quantize(x, f)
        else:
            pointstats.observe("input", x)
            h = x
        outs, traces = [], []
        for l, layer in enumerate(self.layers):
            pointstats.at_layer(l)
            res = [lay.run(h, reverse=(d == 1), trace=trace) for d, lay in enumerate(layer)]
            h = np.concatenate([r["out"] for r in res], axis=-1)
            outs.append(h)
            if trace:
                traces.append([r["trace"] for r in res])
        out_f = to_float(h, self.f_data) if self.fixed else h
        logits = classify(self.model, out_f) if c.num_classes else None
        return RunResult(out_f, outs, h if self.fixed else None, logits, traces)


def classify(model: Model, out: np.ndarray) -> np.ndarray:
    """The host-side classifier: the last layer's output (float view, (..., out*dirs)) ->
    logits (..., C).  The one implementation: golden's runner and the host runtime
    (``runtime``) both call it, so their logits agree bit for bit."""
    return out @ model.params["cls.w"].T + model.params["cls.b"]


def _merge(parts: list[RunResult], squeezed: bool) -> RunResult:
    def cat(arrs):
        return None if arrs[0] is None else np.concatenate(arrs, axis=1)
    return RunResult(cat([p.outputs for p in parts]),
                     [cat([p.layers[i] for p in parts]) for i in range(len(parts[0].layers))],
                     cat([p.codes for p in parts]), cat([p.logits for p in parts]), [], squeezed)


def run_float(model: Model, feats: np.ndarray, trace: bool = False, workers: int = 1) -> RunResult:
    """Exact float evaluation (float64, exact sigmoid/tanh, unquantized weights)."""
    return Runner(model, fixed=False, workers=workers)(feats, trace)


def run_fixed(model: Model, feats: np.ndarray, trace: bool = False, workers: int = 1) -> RunResult:
    """Bit-accurate evaluation: features quantized to ``data`` (RND_CONV, SAT), every datapath
    rounding and saturation as the hardware does it."""
    return Runner(model, fixed=True, workers=workers)(feats, trace)
