"""Memory images and parameters of the RTL engine (``rtl/engine.v``, docs/engine.md).

From a golden ``Model`` and the engine's build parameters this module writes every memory
file the engine reads (``$readmemh``) and a Verilog parameter header, and checks that a model
fits a given engine build (``check_model_fits`` raises ValueError naming every mismatch).

    from golden.engine_layout import EngineParams, check_model_fits, write_engine_mem
    ep = EngineParams.for_model(model.config, n_pe=8)
    check_model_fits(model, ep)
    write_engine_mem(model, ep, "build/mem")      # w.mem bias.mem peep.mem sigmoid.mem tanh.mem
                                                  # engine_params.vh

Engine address order (the PEs run in lock step, so all banks share one address):

* weights, per layer: gate pass then projection pass.  Gate pass: for row group g, input
  block j (layer 0: x blocks, then recurrent blocks; layers > 0: recurrent blocks, then x
  blocks, whose producer is still draining), beat b (packed words ``b*wpar .. b*wpar+wpar-1``,
  ``wpar`` words per PE and beat): address ``(g*qt + j)*k/(2 wpar) + b``, word ``b*wpar + m`` of
  bank n in lane ``n*wpar + m``; bank n holds row ``r = g*n_pe + n``; row r is gate ``r % G`` of hidden block ``r // G``
  (G = 4 LSTM i,f,g,o / 3 GRU r,z,n), i.e. golden block ``(r % G)*H/k + r // G``; rows past
  the matrix are zero.  Projection pass (LSTM, P > 0): rows are projection blocks, j over
  H/k; with fewer rows than PEs each row is split over ``ps`` PEs (``EngineParams.ps``): bank
  ``split_pe(i, s)`` (``i*ps + s`` with one hand-off lane) holds row i's blocks ``j*ps + s`` for
  ``j < H/(k ps)``.  Packed word w of block (i, j) is ``{im, re}`` = (pack_half_spectrum words 2w+1, 2w).
  ``w.mem`` has one line per address, lane ``n_pe*wpar-1`` leftmost; the engine reads it as
  banks of ``W_BANK_DEPTH`` lines, ``w_b00.mem``, ``w_b01.mem``, ... (rtl/engine_wmem.v).
* bias: per layer, rows in the same interleaved order (GRU: the b_x rows, then the b_h rows);
  k lanes per line (lane 0 rightmost), codes re-aligned to ``pre``'s fractional bits (RND).
* peepholes: per layer and hidden block, lanes ``[p_i (k) | p_f (k) | p_o (k)]``.
* activation knots: ``golden.activations.write_act_mem``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from .activations import write_act_mem
from .circulant import n_blocks, pack_half_spectrum, quantize_freq_weights
from .fixed import RND, quantize, round_shift
from .formats import Formats
from .memfile import to_words, write_lane_words
from .model import GATES, Model, ModelConfig

log = logging.getLogger(__name__)

FORMAT_FIELDS = ("data", "weight", "spec", "pre", "bias", "peep", "gate", "cell")
W_BANK_DEPTH = 1024     # weight lines per bank of rtl/engine_wmem.v (the engine's WBANK_DEPTH)


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


DEFAULT_N_PE = 8
"""The PEs of the engine a model is built for when the user names none: ``train export``,
``python -m runtime run``, ``runtime.sim.simulate``, ``make run`` and the trained-model engine
test all use it; it is also ``rtl/engine.v``'s N_PE default.  (``EngineParams``' field defaults
are ``rtl/engine.v``'s parameter defaults, a small engine for lint and unit tests;
tests/test_engine_params.py checks that they agree.)"""


@dataclass(frozen=True)
class EngineParams:
    """Build parameters of one engine (the Verilog parameters of ``rtl/engine.v``, with its
    defaults)."""

    k: int = 4
    n_pe: int = DEFAULT_N_PE
    wpar: int = 1
    hlanes: int = 1
    cell: str = "lstm"
    num_layers: int = 1
    input_size: int = 16
    hidden_size: int = 32
    proj_size: int = 16
    peephole: bool = True
    formats: Formats = field(default_factory=Formats)

    def __post_init__(self) -> None:
        bad = []
        if self.k not in (2, 4, 8, 16, 32):
            bad.append(f"k={self.k} (the engine supports 2, 4, 8, 16, 32)")
        if self.n_pe < 1:
            bad.append(f"n_pe={self.n_pe} (must be >= 1)")
        if self.wpar < 1 or self.wpar & (self.wpar - 1) or (self.k // 2) % self.wpar:
            bad.append(f"wpar={self.wpar} (words per PE beat: a power of two dividing k/2={self.k // 2})")
        if self.hlanes < 1 or self.hlanes & (self.hlanes - 1) or self.hlanes > 64 or self.n_pe % self.hlanes:
            bad.append(f"hlanes={self.hlanes} (hand-off lanes: a power of two <= 64 dividing "
                       f"n_pe={self.n_pe})")
        if self.cell not in ("lstm", "gru"):
            bad.append(f"cell={self.cell!r}")
        if self.hidden_size % self.k or self.proj_size % self.k:
            bad.append(f"hidden_size={self.hidden_size}, proj_size={self.proj_size} must be multiples of k")
        if self.cell == "gru" and (self.proj_size or self.peephole):
            bad.append("a GRU engine has no projection or peepholes")
        if self.num_layers < 1 or self.input_size < 1:
            bad.append("num_layers and input_size must be >= 1")
        if bad:
            raise ValueError("engine parameters: " + "; ".join(bad))

    @classmethod
    def for_model(cls, cfg: "ModelConfig | Model", n_pe: int, wpar: int = 1,
                  hlanes: int = 1) -> "EngineParams":
        """The engine build that runs ``cfg`` (one direction) with ``n_pe`` PEs of ``wpar``
        complex multipliers each and ``hlanes`` hand-off lanes."""
        if isinstance(cfg, Model):
            cfg = cfg.config
        return cls(k=cfg.k, n_pe=n_pe, wpar=wpar, hlanes=hlanes, cell=cfg.cell, num_layers=cfg.num_layers,
                   input_size=cfg.input_size, hidden_size=cfg.hidden_size,
                   proj_size=cfg.proj_size, peephole=bool(cfg.peephole), formats=cfg.formats)

    # ---- derived sizes (rtl/engine.v receives them: shape_params) ----
    @property
    def k2(self) -> int:
        return self.k // 2

    @property
    def nwb(self) -> int:
        """Beats per block: k/2 packed words, wpar of them per beat."""
        return self.k2 // self.wpar

    @property
    def gates(self) -> int:
        return GATES[self.cell]

    @property
    def qin(self) -> int:
        return n_blocks(self.input_size, self.k)

    @property
    def hb(self) -> int:
        return self.hidden_size // self.k

    @property
    def out_size(self) -> int:
        return self.proj_size or self.hidden_size

    @property
    def rb(self) -> int:
        return self.out_size // self.k

    @property
    def rows(self) -> int:
        return self.gates * self.hb

    @property
    def gg(self) -> int:
        return _cdiv(self.rows, self.n_pe)

    @property
    def pb(self) -> int:
        return self.proj_size // self.k

    @property
    def gp(self) -> int:
        return _cdiv(self.pb, self.n_pe)

    @property
    def ps(self) -> int:
        """Projection split: PEs per projection row (a power of two dividing H/k with
        ps * ceil(P/k / hlanes) * hlanes <= n_pe); part s of row i is accumulated by PE
        ``split_pe(i, s)`` from the m blocks ``h = j*ps + s``."""
        s = 1
        if self.pb:
            lanes = _cdiv(self.pb, self.hlanes) * self.hlanes
            while 2 * s * lanes <= self.n_pe and self.hb % (2 * s) == 0:
                s *= 2
        return s

    def split_pe(self, i: int, s: int) -> int:
        """The PE of part s of projection row i: hand-off lane ``i % hlanes``, chain position
        ``(i // hlanes) * ps + s`` (PE = lane + position * hlanes)."""
        return i % self.hlanes + ((i // self.hlanes) * self.ps + s) * self.hlanes

    @property
    def hc(self) -> int:
        """Blocks per PE in the projection pass (H/k / ps)."""
        return self.hb // self.ps

    def qx(self, layer: int) -> int:
        return self.qin if layer == 0 else self.rb

    def layer_words(self, layer: int) -> int:
        return (self.gg * (self.qx(layer) + self.rb) + self.gp * self.hc) * self.nwb

    @property
    def wdepth(self) -> int:
        return sum(self.layer_words(l) for l in range(self.num_layers))

    @property
    def bias_rows(self) -> int:
        return self.rows * (1 if self.cell == "lstm" else 2)

    @property
    def bias_word_width(self) -> int:
        F = self.formats
        return F.fmt("bias").width + abs(F.fmt("pre").frac - F.fmt("bias").frac) + 1

    # ---- performance bounds (docs/design.md section 5) ----
    def matrices(self) -> list[tuple[int, int]]:
        """(p, q) of every circulant matrix of one frame."""
        m = []
        for l in range(self.num_layers):
            q_in = self.qin if l == 0 else self.rb
            if self.cell == "lstm":
                m += [(self.rows, q_in), (self.rows, self.rb)]
                if self.proj_size:
                    m.append((self.pb, self.hb))
            else:
                m += [(self.rows, q_in), (self.rows, self.hb)]
        return m

    def design_bound(self) -> float:
        """The unpacked bound: complex MACs per frame / (N_PE * WPAR) with k/2+1 bins per block."""
        return sum(p * q for p, q in self.matrices()) * (self.k // 2 + 1) / (self.n_pe * self.wpar)

    def packed_bound(self) -> float:
        """The same with k/2 packed words per block (bins 0 and k/2 share a multiplier)."""
        return sum(p * q for p, q in self.matrices()) * self.k2 / (self.n_pe * self.wpar)

    def beats(self) -> int:
        """MAC beats the engine issues per frame (row groups padded to N_PE)."""
        return self.wdepth

    @property
    def spacing(self) -> int:
        """Cycles between two accumulation ends (rtl/engine.v SPACING): a lane's chain drains
        N_PE / HLANES blocks, plus 2."""
        return self.n_pe // self.hlanes + 2

    def accumulations(self) -> list[int]:
        """Beats of every accumulation of one frame, in issue order (each ends with a hand-off):
        per layer the gate pass's row groups (LSTM: x and recurrent blocks in one accumulation;
        GRU: gx and gh separately), then the projection pass's row groups."""
        acc = []
        for l in range(self.num_layers):
            qx = self.qx(l)
            for _ in range(self.gg):
                if self.cell == "lstm":
                    acc.append((qx + self.rb) * self.nwb)
                else:
                    acc += [qx * self.nwb, self.rb * self.nwb]
            acc += [self.hc * self.nwb] * self.gp
        return acc

    def issue_bound(self) -> int:
        """Cycles per frame the sequencer needs at least: each accumulation takes its beats,
        and two accumulation ends are at least ``spacing`` cycles apart (the hand-off)."""
        return sum(max(a, self.spacing) for a in self.accumulations())

    # ---- Verilog ----
    def shape_params(self) -> dict[str, int]:
        """The derived sizes ``rtl/engine.v`` takes as parameters (and only checks): this is
        the one place the engine's shape is derived."""
        return dict(QIN=self.qin, HB=self.hb, RB=self.rb, GG=self.gg, GP=self.gp, PS=self.ps,
                    HC=self.hc, WDEPTH=self.wdepth, BDEPTH=self.num_layers * self.bias_rows,
                    PDEPTH=self.num_layers * self.hb)

    def hdl_params(self) -> dict[str, int]:
        """Every Verilog parameter of ``rtl/engine.v`` for this build but MUL_* (the target's)
        and MEM_PREFIX: the build parameters, the formats and the derived shape."""
        F = self.formats
        p = dict(K=self.k, N_PE=self.n_pe, WPAR=self.wpar, HLANES=self.hlanes,
                 WBANK_DEPTH=W_BANK_DEPTH, CELL=int(self.cell == "gru"), LAYERS=self.num_layers,
                 IN_SIZE=self.input_size, HIDDEN=self.hidden_size, PROJ=self.proj_size,
                 PEEP=int(self.peephole))
        for name in FORMAT_FIELDS:
            f = F.fmt(name)
            p[f"{name.upper()}_WIDTH"] = f.width
            p[f"{name.upper()}_FRAC"] = f.frac
        p["TW_WIDTH"] = F.tw_width
        p["ACT_SEG_BITS"] = F.act_seg_bits
        p.update(self.shape_params())
        return p

    def verilog_header(self, mem_prefix: str = "") -> str:
        """Parameter override list: ``engine #(`include "engine_params.vh") engine_inst (...)``."""
        items = [f"    .{k}({v})" for k, v in self.hdl_params().items()]
        items.append(f'    .MEM_PREFIX("{mem_prefix}")')
        return ("// Generated by golden.engine_layout; do not edit.  Use as\n"
                "//   engine #(\n//   `include \"engine_params.vh\"\n//   ) engine_inst (...);\n"
                + ",\n".join(items) + "\n")


def check_model_fits(model: "Model | ModelConfig", params: EngineParams) -> None:
    """Raise ValueError naming every way ``model`` does not fit the engine build ``params``."""
    cfg = model.config if isinstance(model, Model) else model
    bad = []

    def cmp(name, got, want):
        if got != want:
            bad.append(f"{name}: model has {got!r}, engine is built for {want!r}")

    cmp("cell", cfg.cell, params.cell)
    cmp("k", cfg.k, params.k)
    if cfg.proj_size and cfg.kp != cfg.k:
        bad.append(f"k_proj: model has {cfg.kp}, the engine uses k={params.k} for the projection too")
    cmp("num_layers", cfg.num_layers, params.num_layers)
    cmp("input_size", cfg.input_size, params.input_size)
    cmp("hidden_size", cfg.hidden_size, params.hidden_size)
    cmp("proj_size", cfg.proj_size, params.proj_size)
    cmp("peephole", bool(cfg.peephole), params.peephole)
    if cfg.bidirectional:
        bad.append("bidirectional: the engine runs one unidirectional layer stack; layer l+1 of a "
                   "bidirectional model needs both directions of layer l (the host runtime runs it "
                   "as one pass per layer and direction: runtime.engine_params, docs/runtime.md)")
    for f in fields(Formats):
        got, want = getattr(cfg.formats, f.name), getattr(params.formats, f.name)
        if got != want:
            bad.append(f"formats.{f.name}: model has {got}, engine is built for {want}")
    if bad:
        raise ValueError("model does not fit the engine: " + "; ".join(bad))


# ---- memory images ---------------------------------------------------------------------------
def _packed_words(w: np.ndarray, F: Formats) -> np.ndarray:
    """Time-domain vectors (p, q, k) -> packed {im, re} weight words (p, q, k/2), unsigned."""
    wf = F.fmt("weight")
    re, im = quantize_freq_weights(w, wf)
    words = pack_half_spectrum(re, im)                       # (p, q, k)
    lo = to_words(words[..., 0::2], wf.width)
    hi = to_words(words[..., 1::2], wf.width)
    return lo | (hi << wf.width)


def _interleave(rows_by_gate: np.ndarray, gates: int) -> np.ndarray:
    """(G*HB, ...) in golden order (gate-major) -> engine order r = h*G + gate."""
    hb = rows_by_gate.shape[0] // gates
    return rows_by_gate.reshape(gates, hb, *rows_by_gate.shape[1:]).swapaxes(0, 1).reshape(
        rows_by_gate.shape)


def _bank_order(words: np.ndarray, n_pe: int, wpar: int) -> np.ndarray:
    """(rows, q, k/2) -> (groups*q*k/(2 wpar), n_pe*wpar): the address order of one pass;
    lane n*wpar + m holds word b*wpar + m of PE n's block at beat b."""
    rows, q, k2 = words.shape
    groups = _cdiv(rows, n_pe)
    pad = np.zeros((groups * n_pe, q, k2), dtype=words.dtype)
    pad[:rows] = words
    return pad.reshape(groups, n_pe, q, k2 // wpar, wpar).transpose(0, 2, 3, 1, 4).reshape(
        -1, n_pe * wpar)


def _bias_codes(b: np.ndarray, F: Formats) -> np.ndarray:
    qb = quantize(b, F.fmt("bias"))
    return round_shift(qb, F.fmt("bias").frac - F.fmt("pre").frac, RND)


def engine_memories(model: Model, params: EngineParams) -> dict[str, np.ndarray]:
    """Every model-dependent memory as arrays of unsigned element words:
    ``w`` (wdepth, n_pe*wpar), ``bias`` (layers*bias_rows, k), ``peep`` (layers*H/k, 3k)."""
    check_model_fits(model, params)
    F = params.formats
    P = model.params
    k, G = params.k, params.gates
    w_parts, b_parts, p_parts = [], [], []
    for l in range(params.num_layers):
        pre = f"l{l}.d0."
        rec = P[pre + ("w_r" if params.cell == "lstm" else "w_h")]
        # block order of the gate pass (rtl/engine.v): layer 0 x then recurrent blocks, the
        # other layers recurrent blocks first (their x input is still draining)
        parts = [_packed_words(P[pre + "w_x"], F), _packed_words(rec, F)]
        gate = np.concatenate(parts if l == 0 else parts[::-1], axis=1)
        w_parts.append(_bank_order(_interleave(gate, G), params.n_pe, params.wpar))
        if params.proj_size:
            wp = _packed_words(P[pre + "w_p"], F)                # (P/k, H/k, k/2)
            ps, hc = params.ps, params.hc
            # split rows: part s of row i (PE split_pe(i, s)) takes blocks j*ps + s, j < hc
            parts = wp.reshape(params.pb, hc, ps, params.k2).swapaxes(1, 2)
            if ps > 1 or params.hlanes > 1:
                used = max(params.split_pe(i, s) for i in range(params.pb) for s in range(ps)) + 1
                wp = np.zeros((used, hc, params.k2), dtype=wp.dtype)
                for i in range(params.pb):
                    for s in range(ps):
                        wp[params.split_pe(i, s)] = parts[i, s]
            w_parts.append(_bank_order(wp, params.n_pe, params.wpar))
        names = ("b",) if params.cell == "lstm" else ("b_x", "b_h")
        for name in names:
            codes = _bias_codes(P[pre + name], F).reshape(params.rows, k)
            b_parts.append(to_words(_interleave(codes, G), params.bias_word_width))
        if params.peephole:
            pw = F.fmt("peep")
            lanes = [to_words(quantize(P[pre + g], pw).reshape(params.hb, k), pw.width)
                     for g in ("p_i", "p_f", "p_o")]
            p_parts.append(np.concatenate(lanes, axis=1))
    mem = {"w": np.concatenate(w_parts), "bias": np.concatenate(b_parts)}
    mem["peep"] = (np.concatenate(p_parts) if p_parts
                   else np.zeros((params.num_layers * params.hb, 3 * k), dtype=np.int64))
    assert mem["w"].shape == (params.wdepth, params.n_pe * params.wpar), mem["w"].shape
    return mem


def write_engine_mem(model: Model, params: EngineParams, out_dir: "str | Path",
                     mem_prefix: str | None = None) -> dict[str, Path]:
    """Write w.mem (and its banks w_b00.mem ...), bias.mem, peep.mem, sigmoid.mem, tanh.mem and
    engine_params.vh into
    ``out_dir``; returns their paths.  ``mem_prefix`` (default: ``out_dir`` + '/') goes into the
    header's MEM_PREFIX."""
    check_model_fits(model, params)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    F = params.formats
    mem = engine_memories(model, params)
    paths = {name: out / f"{name}.mem" for name in ("w", "bias", "peep", "sigmoid", "tanh")}
    ww = 2 * F.fmt("weight").width
    write_lane_words(paths["w"], mem["w"], ww,
                 f"weights: {params.wdepth} addresses x {params.n_pe} banks x {params.wpar} words "
                 f"of {{im, re}} {F.weight}")
    banks = -(-params.wdepth // W_BANK_DEPTH)
    if banks > 100:
        raise ValueError(f"weight memory of {params.wdepth} lines needs {banks} banks of "
                         f"{W_BANK_DEPTH}; the engine reads at most 100 (w_b00..w_b99.mem)")
    for b in range(banks):
        paths[f"w_b{b:02d}"] = out / f"w_b{b:02d}.mem"
        write_lane_words(paths[f"w_b{b:02d}"], mem["w"][b * W_BANK_DEPTH:(b + 1) * W_BANK_DEPTH], ww,
                     f"weights, lines {b * W_BANK_DEPTH}.. of w.mem (bank {b})")
    write_lane_words(paths["bias"], mem["bias"], params.bias_word_width,
                 f"bias: {mem['bias'].shape[0]} rows x {params.k} lanes, {F.bias} at pre frac")
    write_lane_words(paths["peep"], mem["peep"], F.fmt("peep").width,
                 f"peepholes: {mem['peep'].shape[0]} blocks x [p_i|p_f|p_o] {F.peep}")
    for func in ("sigmoid", "tanh"):
        write_act_mem(paths[func], func, F.fmt("pre"), F.fmt("gate"), F.act_seg_bits)
    prefix = mem_prefix if mem_prefix is not None else str(out.resolve()) + "/"
    paths["vh"] = out / "engine_params.vh"
    paths["vh"].write_text(params.verilog_header(prefix))
    log.info("engine memories for %s (N_PE=%d) written to %s", model.config.name, params.n_pe, out)
    return paths


def read_header(path: "str | Path") -> dict[str, int]:
    """The integer parameters of an ``engine_params.vh`` (``write_engine_mem``'s header; the
    string MEM_PREFIX left out): equal to ``hdl_params()`` of the build it was written for."""
    import re

    text = Path(path).read_text()
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"\.(\w+)\((-?\d+)\)", text)}


def load_writes(model: Model, params: EngineParams) -> list[tuple[int, int, int, int]]:
    """The run-time load port writes (sel, lane, addr, data) that put ``model`` into an engine
    built for ``params`` (sel 0 weights, 1 bias, 2 peepholes)."""
    check_model_fits(model, params)
    mem = engine_memories(model, params)
    writes = []
    for sel, name in ((0, "w"), (1, "bias"), (2, "peep")):
        if name == "peep" and not params.peephole:
            continue
        a = mem[name]
        for addr in range(a.shape[0]):
            for lane in range(a.shape[1]):
                writes.append((sel, lane, addr, int(a[addr, lane])))
    return writes
