"""The host side of the accelerator: a whole model (layers x directions, classifier) over
utterances, on one engine reached through a ``runtime.driver.Driver``.

    from runtime import Runtime
    rt = Runtime(driver, model)                  # model: golden Model (bundle's model.npz)
    res = rt.run([feats_0, feats_1, ...])        # float features (T, input_size) each
    res.logits[u]                                # (T, C): equal to run_fixed(model, f).logits
    res.passes                                   # cycle accounting per layer and direction

**Schedule (layer-major).**  The engine runs a unidirectional stack.  A model whose whole
stack the engine was built for runs as one pass.  Otherwise (a bidirectional model, or more
layers than the engine's) the engine is built for *one* layer and the runtime runs the passes
``(layer l, direction d)`` in order: layer l forward over every utterance of the batch, layer l
backward over every utterance time-reversed (its outputs reversed back), the two directions'
outputs concatenated per frame, then layer l + 1 on that.  The host buffers one layer's output
of the whole batch.  Between passes the weights are switched through the load port (one load
per pass and batch, so a batch of utterances shares each load).

**One engine for every layer.**  Layer 0 reads ``input_size`` features, later layers
``dirs * out`` values.  The engine is built for the larger (``engine_params``), and a pass whose
layer reads fewer is run with its input zero-padded and its input weights zero-padded to match:
the padding blocks contribute exact zeros to exact sums, so the result is the layer's own, bit
for bit; they cost MAC beats (``RunResult.passes`` counts them).

The classifier (``golden.runner.classify``) runs on the host, on the float view of the last
layer's codes, exactly as golden's runner does it.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from golden.circulant import n_blocks
from golden.engine_layout import EngineParams, check_model_fits, load_writes
from golden.fixed import quantize, to_float
from golden.memfile import pack_lanes, unpack_lanes
from golden.model import Model
from golden.runner import classify

from . import regs
from .driver import Driver

DEFAULT_MAX_FRAMES = 4096      # host buffer per utterance (41 s of 10 ms frames)


class RunError(ValueError):
    """A request the runtime refuses (one line, naming the problem)."""


# ---- the passes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pass:
    """One engine run over the batch: ``layers`` of direction ``direction`` (``layers`` is all
    of a unidirectional stack the engine holds whole, else one layer)."""

    layers: tuple[int, ...]
    direction: int
    model: Model = field(compare=False, repr=False)

    @property
    def name(self) -> str:
        ls = "+".join(str(l) for l in self.layers)
        return f"layer {ls} {'backward' if self.direction else 'forward'}"


def layer_major(cfg) -> bool:
    """True for a bidirectional model (one pass per layer and direction), False for a
    unidirectional one (its whole stack in one pass); ``engine_params(per_layer=...)`` can ask
    for the layer-major schedule of a unidirectional stack too."""
    return bool(cfg.bidirectional)


def engine_params(model: "Model | object", n_pe: int, wpar: int = 1, hlanes: int = 1,
                  per_layer: bool | None = None) -> EngineParams:
    """The engine build that runs ``model`` through this runtime: the model's own stack
    (unidirectional), or one layer wide enough for every layer's input (layer-major)."""
    cfg = model.config if isinstance(model, Model) else model
    per_layer = layer_major(cfg) if per_layer is None else per_layer
    one = dataclasses.replace(cfg, bidirectional=False, num_classes=0)
    if per_layer:
        widest = max(cfg.layer_input(l) for l in range(cfg.num_layers))
        one = dataclasses.replace(one, num_layers=1, input_size=widest)
    return EngineParams.for_model(one, n_pe, wpar, hlanes)


def plan(model: Model, ep: EngineParams) -> list[Pass]:
    """The passes that run ``model`` on an engine built for ``ep``, each with the unidirectional
    golden model the engine holds during it; ValueError (one line) when the model cannot run
    on that engine."""
    c = model.config
    if not c.bidirectional and ep.num_layers == c.num_layers and ep.input_size == c.input_size:
        m = Model(dataclasses.replace(c, num_classes=0, name=f"{c.name}.stack"),
                  {n: a for n, a in model.params.items() if not n.startswith("cls.")})
        check_model_fits(m, ep)
        return [Pass(tuple(range(c.num_layers)), 0, m)]
    if ep.num_layers != 1:
        raise RunError(
            f"engine is built for {ep.num_layers} layers of input {ep.input_size}: a "
            f"{'bidirectional ' if c.bidirectional else ''}{c.num_layers}-layer model with input "
            f"{c.input_size} runs either as its whole unidirectional stack or layer by layer on "
            "a one-layer engine (runtime.engine_params)")
    passes = []
    for l in range(c.num_layers):
        for d in range(c.dirs):
            m = pass_model(model, l, d, ep.input_size)
            check_model_fits(m, ep)
            passes.append(Pass((l,), d, m))
    return passes


def pass_model(model: Model, layer: int, direction: int, input_size: int) -> Model:
    """Layer ``layer``, direction ``direction`` of ``model`` as a one-layer unidirectional model
    reading ``input_size`` inputs (the layer's own, zero-padded: its input weights get zero
    blocks for the padding; nothing else changes)."""
    c = model.config
    n_in = c.layer_input(layer)
    if input_size < n_in:
        raise RunError(f"layer {layer} reads {n_in} inputs, more than the engine's "
                            f"input_size {input_size}")
    cfg = dataclasses.replace(c, num_layers=1, bidirectional=False, num_classes=0,
                              input_size=input_size, name=f"{c.name}.l{layer}d{direction}")
    pre = f"l{layer}.d{direction}."
    params = {}
    for n, a in model.params.items():
        if n.startswith(pre):
            params["l0.d0." + n[len(pre):]] = a
    wx = params["l0.d0.w_x"]
    q = n_blocks(input_size, c.k)
    if wx.shape[1] < q:
        pad = np.zeros((wx.shape[0], q - wx.shape[1], wx.shape[2]), dtype=wx.dtype)
        params["l0.d0.w_x"] = np.concatenate([wx, pad], axis=1)
    return Model(cfg, params)


def check_inputs(model: Model, feats: Sequence[np.ndarray],
                 max_frames: int = DEFAULT_MAX_FRAMES) -> list[np.ndarray]:
    """The utterances as ``data`` codes (quantized as golden's run_fixed does); RunError (one
    line, naming the utterance) for a wrong shape, an empty or too long sequence, NaN/Inf."""
    c = model.config
    if len(feats) == 0:
        raise RunError("no utterances to run")
    fmt = c.formats.fmt("data")
    out = []
    for u, f in enumerate(feats):
        a = np.asarray(f, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] != c.input_size:
            raise RunError(f"utterance {u}: features of shape {a.shape}, the model takes "
                           f"(frames, {c.input_size})")
        if a.shape[0] == 0:
            raise RunError(f"utterance {u}: empty sequence (0 frames)")
        if a.shape[0] > max_frames:
            raise RunError(f"utterance {u}: {a.shape[0]} frames, longer than the runtime's "
                           f"buffers (max_frames={max_frames}); split it or raise max_frames")
        if not np.isfinite(a).all():
            raise RunError(f"utterance {u}: features contain NaN or Inf")
        out.append(quantize(a, fmt))
    return out


def frame_beats(ep: EngineParams, codes: np.ndarray, last_seq: bool = True,
                padding: np.ndarray | None = None) -> list[tuple[int, int]]:
    """One sequence of (T, n <= input_size) data codes -> its s_axis beats [(tdata, tlast)]:
    per frame ``ep.qin`` blocks of K words, zero-padded to ``qin * k`` words (or with
    ``padding``, (T, qin*k - n) codes, in the padding words), tlast on the last beat of the
    last frame when ``last_seq``."""
    k, q = ep.k, ep.qin
    dw = ep.formats.fmt("data").width
    T, n = codes.shape
    words = np.zeros((T, q * k), dtype=np.int64)
    if padding is not None:
        words[:, n:] = padding
    words[:, :n] = codes
    return [(pack_lanes(words[t, j * k:(j + 1) * k], dw),
             int(last_seq and t == T - 1 and j == q - 1)) for t in range(T) for j in range(q)]


# ---- results ------------------------------------------------------------------------------
@dataclass
class PassStats:
    """Cycle accounting of one pass (engine counters, plus the driver's clock if it has one)."""

    name: str
    layers: tuple[int, ...]
    direction: int
    frames: int
    utterances: int
    load_writes: int            # load-port writes (0: the weights were already in the engine)
    load_cycles: int | None     # driver clock during the load (None: no clock)
    stream_cycles: int | None   # driver clock from the first beat sent to the last received
    cycles: int                 # CYCLES: engine working (issuing or a frame in flight)
    mac_beats: int              # BEATS: PE-array busy cycles
    in_wait: int                # IN_WAIT: idle inside a sequence, waiting for input
    in_stall: int               # IN_STALL: input offered, not taken
    out_stall: int              # OUT_STALL: output offered, not taken
    last_frame_cycles: int      # LAST_FRAME_CYCLES: steady-state cycles per frame
    wall_s: float

    @property
    def idle_cycles(self) -> int | None:
        """Cycles of the stream in which the PE array issued no MAC beat."""
        return None if self.stream_cycles is None else self.stream_cycles - self.mac_beats

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["idle_cycles"] = self.idle_cycles
        return d


@dataclass
class RunResult:
    codes: list[np.ndarray]              # per utterance (T, out*dirs) last layer's data codes
    logits: list[np.ndarray] | None      # per utterance (T, C) float, if the model classifies
    passes: list[PassStats]

    def totals(self) -> dict:
        """Sums over the passes (cycles are None when the driver has no clock)."""
        t = {"frames": sum(p.frames for p in self.passes if p.direction == 0 and 0 in p.layers),
             "load_writes": sum(p.load_writes for p in self.passes)}
        for key in ("mac_beats", "cycles", "in_wait"):
            t[key] = sum(getattr(p, key) for p in self.passes)
        for key in ("load_cycles", "stream_cycles"):
            v = [getattr(p, key) for p in self.passes]
            t[key] = None if any(x is None for x in v) else sum(v)
        return t


# ---- the runtime ----------------------------------------------------------------------------
class Runtime:
    """Runs ``model`` on the engine behind ``driver`` (see the module docstring).

    The engine's shape is read from its configuration registers; every pass's model is checked
    against it (``check_model_fits``: a model that does not fit is refused naming the field).
    ``max_frames``: the longest utterance the host buffers (and a board driver's DMA buffers)
    take.  ``progress``: called with one line per pass.
    """

    def __init__(self, driver: Driver, model: Model, max_frames: int = DEFAULT_MAX_FRAMES,
                 progress: Callable[[str], None] | None = None, preloaded: bool = False):
        self.driver = driver
        self.model = model
        self.max_frames = max_frames
        self.progress = progress or (lambda line: None)
        self.ep = regs.params_from_registers({a: driver.read(a) for a in regs.CONFIG_REGISTERS})
        try:
            self.passes = plan(model, self.ep)
        except ValueError as e:
            raise RunError(str(e)) from None
        # index of the pass whose weights are in the engine; ``preloaded``: the engine powered
        # up holding the first pass's (memory images in simulation, a bitstream's initial
        # contents on a board), so that pass needs no load
        self.loaded: int | None = 0 if preloaded else None

    def _codes(self, feats: Sequence[np.ndarray]) -> list[np.ndarray]:
        return check_inputs(self.model, feats, self.max_frames)

    # ---- one pass ----
    def _run_pass(self, i: int, seqs: list[np.ndarray]) -> tuple[list[np.ndarray], PassStats]:
        p, ep, d = self.passes[i], self.ep, self.driver
        t0 = time.perf_counter()
        n_writes, load_cycles = 0, 0
        if self.loaded != i:
            d.write(regs.CTRL, 0)
            writes = load_writes(p.model, ep)
            self.loaded = None                       # half-written until the load returns
            load_cycles = d.load(writes)
            n_writes = len(writes)
            self.loaded = i
            if d.read(regs.STATUS) & regs.LOAD_ERROR:
                raise RunError(f"{p.name}: the engine flagged a load write out of range "
                                    "(STATUS.load_error)")
        d.write(regs.CTRL, regs.RUN | regs.CLEAR)
        beats = [b for s in seqs for b in frame_beats(ep, s)]
        rb = ep.rb
        n_out = sum(len(s) for s in seqs) * rb
        c0 = d.cycles()
        words, lasts = d.stream(beats, n_out)
        c1 = d.cycles()
        # the engine is idle once the last output has left
        stats = {a: d.read(a) for a in (regs.CYCLES, regs.BEATS, regs.IN_WAIT, regs.IN_STALL,
                                        regs.OUT_STALL, regs.LAST_FRAME_CYCLES, regs.FRAMES,
                                        regs.STATUS)}
        if stats[regs.STATUS] & regs.FRAME_ERROR:
            raise RunError(f"{p.name}: the engine flagged a frame error (STATUS.frame_error)")
        want_last = []
        for s in seqs:
            want_last += [0] * (len(s) * rb - 1) + [1]
        if lasts != want_last:
            raise RunError(f"{p.name}: output tlast pattern differs from the sequences' ends")
        dw = ep.formats.fmt("data").width
        flat = np.array([unpack_lanes(w, dw, ep.k) for w in words], dtype=np.int64)
        outs, o = [], 0
        for s in seqs:
            n = len(s) * rb
            outs.append(flat[o:o + n].reshape(len(s), ep.out_size))
            o += n
        st = PassStats(p.name, p.layers, p.direction, frames=stats[regs.FRAMES],
                       utterances=len(seqs), load_writes=n_writes,
                       load_cycles=load_cycles if n_writes else 0,
                       stream_cycles=None if c0 is None or c1 is None else c1 - c0,
                       cycles=stats[regs.CYCLES], mac_beats=stats[regs.BEATS],
                       in_wait=stats[regs.IN_WAIT], in_stall=stats[regs.IN_STALL],
                       out_stall=stats[regs.OUT_STALL],
                       last_frame_cycles=stats[regs.LAST_FRAME_CYCLES],
                       wall_s=time.perf_counter() - t0)
        if st.frames != sum(len(s) for s in seqs):
            raise RunError(f"{p.name}: the engine counted {st.frames} frames, "
                                f"{sum(len(s) for s in seqs)} were sent")
        return outs, st

    def run(self, feats: Sequence[np.ndarray]) -> RunResult:
        """Every utterance of ``feats`` through the model; logits equal golden's run_fixed."""
        h = self._codes(feats)
        stats = []
        i = 0
        while i < len(self.passes):
            layer = self.passes[i].layers
            dirs = []
            while i < len(self.passes) and self.passes[i].layers == layer:
                p = self.passes[i]
                seqs = [x[::-1] if p.direction else x for x in h]
                outs, st = self._run_pass(i, seqs)
                dirs.append([y[::-1] if p.direction else y for y in outs])
                stats.append(st)
                line = (f"{p.name}: {st.utterances} utterances, {st.frames} frames, "
                        f"{st.mac_beats:,} MAC beats, {st.cycles:,} working cycles")
                if st.load_writes:
                    line += f", load {st.load_writes:,} writes"
                    if st.load_cycles is not None:
                        line += f" in {st.load_cycles:,} cycles"
                self.progress(line)
                i += 1
            h = [np.concatenate([dd[u] for dd in dirs], axis=-1) for u in range(len(h))]
        logits = None
        if self.model.config.num_classes:
            fmt = self.model.config.formats.fmt("data")
            logits = [classify(self.model, to_float(x, fmt)[:, None, :])[:, 0] for x in h]
        return RunResult(h, logits, stats)
