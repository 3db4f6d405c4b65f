"""Range calibration: formats chosen per tensor from the ranges a float model produces.

    rec = Recorder()
    with rec:
        for x in feats: runner_float(x)             # the float model over calibration data
    cal = calibrate(model, rec)                     # a Calibration
    cal.formats                                     # the chosen golden.formats.Formats
    print(cal.table())                              # per format: range, integer bits, headroom

The rule, per format field (data, spec, pre, cell, weight, bias, peep):

* the range to cover is the largest magnitude ``margin * max|v|`` over the field's rounding
  points (``pointstats.POINTS``) in the calibration run; for the weight-like fields, over the
  model's parameters themselves;
* except at a point whose values go only into sigmoid/tanh: there the range need only reach the
  input beyond which the fixed-point activation already returns its limit (1, 0 or -1 in the
  ``gate`` format), because clamping such a value changes no output bit;
* integer bits: the fewest ``I`` with ``2**I > range`` (strictly: +1.0 itself must fit);
  fractional bits: ``width - 1 - I``, the width being the base format's (hardware cost is set
  by widths; calibration only places the binary point).  ``spec`` keeps at most the
  accumulator's fractional bits (``data.frac + weight.frac``): more would hold only zeros.

``gate`` (must hold 1.0), ``tw_width`` and ``act_seg_bits`` are not calibrated.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from .activations import act_fixed
from .circulant import freq_weights
from .fixed import Fmt
from .formats import Formats
from .model import Model, ModelConfig
from .pointstats import POINTS, Recorder

CALIBRATED = ("weight", "bias", "peep", "data", "spec", "pre", "cell")
PARAM_FIELDS = {"weight": ("w_x", "w_r", "w_h", "w_p"), "bias": ("b", "b_x", "b_h"),
                "peep": ("p_i", "p_f", "p_o")}


def activation_only(cfg: ModelConfig) -> set[str]:
    """Rounding points whose values go into sigmoid/tanh and nowhere else, for this model."""
    pts = {"tanh_c", "gru_sum"}
    if cfg.cell == "lstm":
        pts.add("peep" if cfg.peephole else "pre")
    return pts


def act_flat_at_edge(pre: Fmt, gate: Fmt, seg_bits: int, slack: float = 0.0) -> bool:
    """True if sigmoid and tanh of ``pre``'s extreme codes, moved ``slack`` toward zero, are
    already their limits in ``gate`` (then saturating at ``pre`` changes no activation output;
    ``slack``: the largest bias added after the clamp, as at the LSTM's ``pre`` point)."""
    m = math.ceil(slack * 2 ** pre.frac)
    if 2 * m >= pre.max_int:
        return False
    z = np.array([pre.min_int + m, pre.max_int - m], dtype=np.int64)
    one = 1 << gate.frac
    s = act_fixed("sigmoid", z, pre, gate, seg_bits)
    t = act_fixed("tanh", z, pre, gate, seg_bits)
    return s.tolist() == [0, one] and t.tolist() == [-one, one]


def int_bits(mag: float) -> int:
    """The fewest integer bits I (sign excluded) with 2**I > mag (I >= 0)."""
    if mag <= 0:
        return 0
    return max(0, math.floor(math.log2(mag)) + 1)


def _param_values(model: Model, layer: int | None = None):
    """(field, flat float values) of every quantized parameter (of one ``layer``, or all):
    frequency-domain weights FFT(w)/k (what the weight format stores; real and imaginary
    parts), biases, peepholes."""
    for key, v in model.params.items():
        if key.startswith("cls.") or (layer is not None and not key.startswith(f"l{layer}.")):
            continue                         # the host's classifier stays float
        name = key.rsplit(".", 1)[-1]
        for fld, names in PARAM_FIELDS.items():
            if name in names:
                a = freq_weights(v) if fld == "weight" else np.asarray(v, dtype=np.float64)
                if np.iscomplexobj(a):
                    a = np.concatenate([a.real.ravel(), a.imag.ravel()])
                yield fld, a.ravel()


def param_ranges(model: Model, layer: int | None = None) -> dict[str, float]:
    """Largest magnitude of each weight-like field's values (``_param_values``)."""
    out = {f: 0.0 for f in PARAM_FIELDS}
    for fld, a in _param_values(model, layer):
        if a.size:
            out[fld] = max(out[fld], float(np.abs(a).max()))
    return out


@dataclass
class Calibration:
    formats: Formats
    rows: list[dict] = field(default_factory=list)    # one per calibrated field
    margin: float = 1.0

    def table(self) -> str:
        lines = ["| format | from | largest magnitude | range to cover | chosen | range | headroom |",
                 "|---|---|---|---|---|---|---|"]
        for r in self.rows:
            head = "clamps exactly" if r["capped"] else f"{r['headroom']:.2f}x"
            lines.append(f"| `{r['field']}` | {', '.join(r['points'])} | {r['max']:.4g} | "
                         f"{r['cover']:.4g}{' (act. flat)' if r['capped'] else ''} | "
                         f"`{r['format']}` | +-{r['range']:g} | {head} |")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"formats": self.formats.to_dict(), "margin": self.margin, "rows": self.rows}


def calibrate(model: Model, rec: Recorder, base: Formats | None = None,
              margin: float = 1.0) -> Calibration:
    """Choose the formats of ``model`` from the float ranges in ``rec`` (see the module doc).
    ``base`` gives the widths and the fields that are not calibrated (default: the model's)."""
    return _choose(model.config, rec.max, param_ranges(model), base or model.config.formats, margin)


def calibrate_layers(model: Model, rec: Recorder, base: Formats | None = None,
                     margin: float = 1.0) -> list[Calibration]:
    """The same rule applied to each layer's own ranges: what per-layer formats would be (the
    RTL takes one set of formats per engine; docs/numerics.md weighs the difference)."""
    out = []
    for l in range(model.config.num_layers):
        maxima = {p: m for (layer, p), m in rec.layer_max.items() if layer == l}
        if l:        # layer l's input is layer l-1's output
            maxima["input"] = max((m for (layer, p), m in rec.layer_max.items()
                                   if layer == l - 1 and p in ("m", "proj", "h")), default=0.0)
        out.append(_choose(model.config, maxima, param_ranges(model, l),
                           base or model.config.formats, margin))
    return out


def _choose(cfg: ModelConfig, maxima: dict[str, float], params: dict[str, float], base: Formats,
            margin: float) -> Calibration:
    if margin < 1.0:
        raise ValueError(f"calibration margin must be >= 1.0, got {margin}")
    act_only = activation_only(cfg)
    gate = base.fmt("gate")
    chosen: dict[str, str] = {}
    rows = []
    for fld in CALIBRATED:
        width = base.fmt(fld).width
        if fld in PARAM_FIELDS:
            mags = {fld: params[fld]} if params[fld] > 0 else {}
        else:
            mags = {p: maxima[p] for p, (f, _) in POINTS.items() if f == fld and p in maxima}
        if not mags:
            continue
        cover, capped = 0.0, False
        for p, mag in mags.items():
            need = mag * margin
            if p in act_only:        # the smallest range at which the activations are flat
                slack = params["bias"] if p == "pre" else 0.0   # bias added after that clamp
                for I in range(0, width - 1):
                    f = Fmt(width, width - 1 - I)
                    if act_flat_at_edge(f, gate, base.act_seg_bits, slack):
                        if 2.0 ** I <= need:
                            need, capped = 2.0 ** I - f.lsb, True
                        break
            cover = max(cover, need)
        I = int_bits(cover)
        frac = width - 1 - I
        if fld == "spec":     # no more fractional bits than the exact accumulator has
            acc = (Fmt.parse(chosen.get("data", base.data)).frac
                   + Fmt.parse(chosen.get("weight", base.weight)).frac)
            if frac > acc:
                frac, I = acc, width - 1 - acc
        if frac < 0:
            raise ValueError(f"calibration: format '{fld}' needs {I} integer bits to cover "
                             f"{cover:.4g}, more than its width {width} has")
        chosen[fld] = f"s{width}.{frac}"
        rows.append({"field": fld, "points": list(mags), "max": max(mags.values()), "cover": cover,
                     "capped": capped, "format": chosen[fld], "range": 2.0 ** I,
                     "headroom": 2.0 ** I / max(max(mags.values()), 1e-300)})
    formats = dataclasses.replace(base, **chosen)
    return Calibration(formats, rows, margin)


def sqnr_db(ref: np.ndarray, test: np.ndarray) -> float:
    """Signal-to-quantization-noise ratio of ``test`` against ``ref`` in dB (inf if equal)."""
    ref = np.asarray(ref, dtype=np.float64)
    noise = float(((np.asarray(test, dtype=np.float64) - ref) ** 2).sum())
    sig = float((ref ** 2).sum())
    if noise == 0:
        return math.inf
    return 10.0 * math.log10(sig / noise) if sig > 0 else -math.inf


def param_saturation(model: Model, rec: Recorder) -> None:
    """Count, into ``rec``, the parameters that their format clamps when quantized (points
    ``weight``, ``bias``, ``peep_w``)."""
    F = model.config.formats
    point_of = {"weight": "weight", "bias": "bias", "peep": "peep_w"}
    for fld, a in _param_values(model):
        f = F.fmt(fld)
        c = np.rint(np.ldexp(a, f.frac))
        rec._sat(point_of[fld], int(np.count_nonzero((c < f.min_int) | (c > f.max_int))), c.size)


def exact_points(cfg: ModelConfig, bias_max: float = 0.0) -> set[str]:
    """Points whose saturation provably changes no output bit: activation-only points whose
    format reaches the activations' flat region (``act_flat_at_edge``; at the LSTM's ``pre``
    point a bias of up to ``bias_max`` is added after the clamp, so the edge minus it must)."""
    F = cfg.formats
    pre, gate, seg = F.fmt("pre"), F.fmt("gate"), F.act_seg_bits
    out = {p for p in activation_only(cfg) - {"pre"} if act_flat_at_edge(pre, gate, seg)}
    if "pre" in activation_only(cfg) and act_flat_at_edge(pre, gate, seg, bias_max):
        out.add("pre")
    return out


@dataclass
class Measurement:
    """Saturation per rounding point and per-utterance SQNR of the fixed-point model."""
    saturation: dict                  # point -> (saturated, total)
    sqnr: list                        # per utterance, dB: the worst layer output vs float64
    exact: set                        # points whose clamps change no output bit

    def rates(self) -> dict[str, float]:
        return {p: s / n if n else 0.0 for p, (s, n) in self.saturation.items()}

    def over(self, threshold: float) -> dict[str, float]:
        """Points (not exact) whose saturation rate exceeds ``threshold`` (a fraction)."""
        return {p: r for p, r in self.rates().items() if r > threshold and p not in self.exact}

    def summary(self) -> dict:
        sq = np.array(self.sqnr, dtype=np.float64)
        return {"utterances": len(self.sqnr), "sqnr_min_db": float(sq.min()),
                "sqnr_median_db": float(np.median(sq)),
                "saturation": {p: {"saturated": s, "values": n, "exact": p in self.exact}
                               for p, (s, n) in self.saturation.items()}}

    def lines(self, threshold: float | None = None) -> list[str]:
        """Human-readable report: one line per point, then the SQNR."""
        out = []
        for p, (s, n) in self.saturation.items():
            tag = ""
            if p in self.exact and s:
                tag = "  (changes no output: the activations are flat there)"
            elif threshold is not None and n and s / n > threshold:
                tag = f"  ABOVE {100 * threshold:g} %"
            out.append(f"  {p:9s} {s:>12,d} of {n:>14,d} saturated = {100 * s / max(n, 1):8.4f} %{tag}")
        sq = np.array(self.sqnr)
        out.append(f"  SQNR vs float64, per utterance (worst layer output): min {sq.min():.1f} dB, "
                   f"median {np.median(sq):.1f} dB, {int((sq < 45).sum())} of {len(sq)} below 45 dB")
        return out


def measure(model: Model, feats, progress=None) -> Measurement:
    """Run ``model`` in float64 and in fixed point over each utterance of ``feats`` (unbatched,
    so no padding enters the counts); count saturations and compute each utterance's SQNR."""
    from .fixed import to_float
    from .runner import Runner
    fl, fx = Runner(model, False), Runner(model, True)
    f_data = model.config.formats.fmt("data")
    rec = Recorder()
    param_saturation(model, rec)
    sq = []
    for x in (feats if progress is None else progress(feats)):
        ref = fl(x).layers
        with rec:
            got = fx(x).layers
        sq.append(min(sqnr_db(r, to_float(g, f_data)) for r, g in zip(ref, got)))
    return Measurement(rec.saturation(), sq, exact_points(model.config,
                                                           param_ranges(model)["bias"]))


def float_ranges(model: Model, feats, progress=None) -> Recorder:
    """The float model's values at every rounding point over ``feats`` (for ``calibrate``)."""
    from .runner import Runner
    fl = Runner(model, False)
    rec = Recorder()
    with rec:
        for x in (feats if progress is None else progress(feats)):
            fl(x)
    return rec


def layer_model(model: Model, layer: int, formats: Formats) -> Model:
    """Layer ``layer`` of ``model`` alone (all directions, no classifier) with ``formats``."""
    c = model.config
    cfg = dataclasses.replace(c, num_layers=1, input_size=c.layer_input(layer), num_classes=0,
                              formats=formats)
    pre = f"l{layer}."
    return Model(cfg, {"l0." + k[len(pre):]: v for k, v in model.params.items() if k.startswith(pre)})


def sqnr_per_layer_formats(model: Model, formats: list[Formats], feats) -> list[float]:
    """Per-utterance SQNR (worst layer output vs float64) when layer l runs with ``formats[l]``:
    each layer's fixed-point output is handed to the next layer as real values, which the next
    layer quantizes to its own ``data`` format (the shift per-layer hardware would need)."""
    from .fixed import to_float
    from .runner import Runner
    fl = Runner(model, False)
    fx = [Runner(layer_model(model, l, F), True) for l, F in enumerate(formats)]
    out = []
    for x in feats:
        ref = fl(x).layers
        h, worst = x, math.inf
        for l, run in enumerate(fx):
            h = to_float(run(h).codes, formats[l].fmt("data"))[:, 0]
            worst = min(worst, sqnr_db(ref[l][:, 0], h))
        out.append(worst)
    return out
