"""Resource model of the engine for any k and N_PE, calibrated on measured yosys figures.

Logic (LUT, FF, DSP) comes from formulas fitted by least squares to the per-block figures in
``fpga/calibration.json`` (``python -m fpga calibrate``: yosys ``synth_xilinx -family xcu``):

    PE       (engine_pe: cmul + K/2 accumulators + hand-off chain):  y = a + b*k
    FFT/IFFT (fft_real, ifft_herm: fully parallel radix-2):          y = a*k + b*k*log2(k)

Memory (BRAM36) is counted exactly from the model's shape: every PE has its own weight bank
holding ceil(blocks / N_PE) blocks of k/2 packed complex words (2 x W_WIDTH bits; word 0 packs
bins 0 and k/2), mapped onto the cheapest RAMB36/RAMB18 aspect ratio; plus the spectrum
buffers (double-buffered), biases, peepholes and state vectors.  Not modelled: the element-wise
cell unit, activation tables, control and AXI (a few thousand LUTs and a handful of DSPs).

``python -m fpga model --write docs/resources.md`` renders the tables and the XCKU060 fit check.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .calibrate import CALIBRATION
from .configs import CONFIGS, REFERENCE_CONFIG, Config
from .parts import PARTS, get_part

KS = (4, 8, 16, 32)
N_PES = (16, 32, 64, 128)
PE_BLOCK = "engine_pe"

# (depth, width) of the block RAM aspect ratios (UG573 / UG473): RAMB36 in simple dual port
# up to 72 bits, RAMB18 up to 36 bits.  Cost in RAMB36 tiles.
_BRAM_SHAPES = ([(32768 >> i, w, 1.0) for i, w in enumerate((1, 2, 4, 9, 18, 36, 72))] +
                [(16384 >> i, w, 0.5) for i, w in enumerate((1, 2, 4, 9, 18, 36))])


def bram36_for(depth: int, width: int) -> float:
    """RAMB36 tiles for one memory of ``depth`` words of ``width`` bits (cheapest aspect)."""
    if depth <= 0 or width <= 0:
        return 0.0
    return min(math.ceil(width / w) * math.ceil(depth / d) * cost for d, w, cost in _BRAM_SHAPES)


@dataclass(frozen=True)
class Matrix:
    name: str
    rows: int
    cols: int

    def blocks(self, k: int) -> tuple[int, int]:
        return math.ceil(self.rows / k), math.ceil(self.cols / k)


def matrices(cfg: Config, directions: int = 1) -> list[Matrix]:
    """The circulant weight matrices of a model (per layer and direction)."""
    out = []
    rec = cfg.proj or cfg.hidden
    gates = 4 if cfg.cell == "lstmp" else 3
    d_in = cfg.in_dim
    for layer in range(cfg.layers):
        for d in range(directions):
            tag = f"L{layer}" + ("fb"[d] if directions > 1 else "")
            out.append(Matrix(f"{tag}.W_x", gates * cfg.hidden, d_in))
            out.append(Matrix(f"{tag}.W_h", gates * cfg.hidden, rec))
            if cfg.proj:
                out.append(Matrix(f"{tag}.W_p", cfg.proj, cfg.hidden))
        d_in = rec * directions
    return out


# --- calibration -------------------------------------------------------------------------

# Basis functions of the fits: PE = a + b*k (one multiplier, k-proportional accumulators),
# FFT = a*k + b*k*log2(k) (k/2 butterflies per stage, log2 k stages, widths growing by stage).
_BASES = {
    "pe": (("1", lambda k: 1.0), ("k", lambda k: float(k))),
    "fft": (("k", lambda k: float(k)), ("k*log2(k)", lambda k: k * math.log2(k))),
}


@dataclass
class Fit:
    """y = a * f1(k) + b * f2(k) for one block and one resource (least squares on points)."""
    a: float
    b: float
    basis: str                       # key of _BASES
    points: dict[int, float]

    def __call__(self, k: int) -> float:
        (_, f1), (_, f2) = _BASES[self.basis]
        return max(0.0, self.a * f1(k) + self.b * f2(k))

    def text(self) -> str:
        (n1, _), (n2, _) = _BASES[self.basis]
        t1 = f"{self.a:.1f}" if n1 == "1" else f"{self.a:.1f}*{n1}"
        return f"{t1} {'+' if self.b >= 0 else '-'} {abs(self.b):.2f}*{n2}"


def load_fits(path: Path | None = None) -> dict[str, dict[str, Fit]]:
    data = json.loads(Path(path or CALIBRATION).read_text())
    fits: dict[str, dict[str, Fit]] = {}
    for block, rows in data["blocks"].items():
        ks = sorted(int(k) for k in rows if int(k) > 0)
        if len(ks) < 2:
            continue
        basis = "pe" if block == PE_BLOCK else "fft"
        (_, f1), (_, f2) = _BASES[basis]
        design = np.array([[f1(k), f2(k)] for k in ks])
        fits[block] = {}
        for res in ("lut", "ff", "dsp"):
            pts = {k: float(rows[str(k)][res]) for k in ks}
            (a, b), *_ = np.linalg.lstsq(design, np.array([pts[k] for k in ks]), rcond=None)
            fits[block][res] = Fit(float(a), float(b), basis, pts)
    if PE_BLOCK not in fits:
        raise ValueError(f"{path or CALIBRATION} has no {PE_BLOCK} figures: "
                         f"run `python -m fpga calibrate {PE_BLOCK}`")
    return fits


# --- the model ---------------------------------------------------------------------------

@dataclass
class Estimate:
    config: str
    k: int
    n_pe: int
    directions: int
    blocks: int
    weight_bits: int
    cmacs_per_frame: int
    cycles_per_frame: int
    lut: float
    ff: float
    dsp: float
    bram36: float
    bram_weights: float


def estimate(cfg: Config, k: int, n_pe: int, fits: dict[str, dict[str, Fit]],
             directions: int = 1) -> Estimate:
    mats = matrices(cfg, directions)
    blocks = sum(p * q for p, q in (m.blocks(k) for m in mats))
    cmacs = sum(p * q * (k // 2 + 1) for p, q in (m.blocks(k) for m in mats))
    words = k // 2                                   # packed complex words per block
    ww = 2 * cfg.weight_width
    bank = bram36_for(math.ceil(blocks / n_pe) * words, ww)
    bram_w = n_pe * bank
    # Spectrum buffer: the widest input (q blocks), k/2 words of 2 x (data + log2 k) bits,
    # double-buffered; biases and peepholes; c, h (and projection) state vectors.
    x_width = cfg.data_width + int(math.log2(k))
    q_max = max(q for _, q in (m.blocks(k) for m in mats))
    gates = 4 if cfg.cell == "lstmp" else 3
    per_layer = (bram36_for(gates * cfg.hidden, cfg.data_width)            # bias
                 + (bram36_for(3 * cfg.hidden, cfg.data_width) if cfg.cell == "lstmp" else 0)
                 + 2 * bram36_for(cfg.hidden, cfg.data_width)              # c (or h), h
                 + (bram36_for(cfg.proj, cfg.data_width) if cfg.proj else 0))
    bram_other = 2 * bram36_for(q_max * words, 2 * x_width) + cfg.layers * directions * per_layer
    logic = {}
    for res in ("lut", "ff", "dsp"):
        logic[res] = (n_pe * fits[PE_BLOCK][res](k)
                      + sum(fits[b][res](k) for b in ("fft_real", "ifft_herm") if b in fits))
    return Estimate(cfg.name, k, n_pe, directions, blocks, blocks * k * cfg.weight_width,
                    cmacs, math.ceil(blocks * words / n_pe),
                    logic["lut"], logic["ff"], logic["dsp"], bram_w + bram_other, bram_w)


def fits_part(e: Estimate, part_name: str) -> dict[str, float]:
    p = get_part(part_name)
    return {"lut": 100 * e.lut / p.luts, "ff": 100 * e.ff / p.ffs,
            "dsp": 100 * e.dsp / p.dsps, "bram36": 100 * e.bram36 / p.bram36}


# --- rendering ---------------------------------------------------------------------------

def _row(e: Estimate, part: str, clk_mhz: float) -> str:
    u = fits_part(e, part)
    ok = "yes" if max(u.values()) <= 100 else "**no**"
    fps = clk_mhz * 1e6 / e.cycles_per_frame
    return (f"| {e.k} | {e.n_pe} | {e.weight_bits / 1e6:.2f} | {e.bram36:.1f} ({u['bram36']:.0f} %) "
            f"| {e.dsp:.0f} ({u['dsp']:.1f} %) | {e.lut / 1e3:.1f}k ({u['lut']:.1f} %) "
            f"| {e.ff / 1e3:.1f}k ({u['ff']:.1f} %) | {e.cycles_per_frame:,} | {fps:,.0f} | {ok} |")


def render(calibration: str | None = None, clk_mhz: float = 200.0) -> str:
    fits = load_fits(Path(calibration) if calibration else None)
    cal = json.loads(Path(calibration or CALIBRATION).read_text())
    ku = "xcku060-ffva1156-2-e"
    ref = CONFIGS[REFERENCE_CONFIG]
    L = ["# Resource model",
         "",
         "Generated by `python -m fpga model --write docs/resources.md` (`make resources`) from",
         f"`fpga/calibration.json` ({cal['tool']}, {cal['date']}; regenerate it with",
         "`python -m fpga calibrate`).  Model and assumptions: `fpga/model.py` docstring.",
         "",
         "## Calibration (measured yosys figures, XCKU060 family) and fitted formulas",
         "",
         "| block | resource | measured at k = ... | formula | formula at measured k |",
         "|---|---|---|---|---|"]
    for block, fs in fits.items():
        for res, f in fs.items():
            meas = ", ".join(f"{k}: {v:.0f}" for k, v in f.points.items())
            pred = ", ".join(f"{f(k):.0f}" for k in f.points)
            L.append(f"| {block} | {res.upper()} | {meas} | {f.text()} | {pred} |")
    L += ["",
          "The PE is the engine's `engine_pe` (one complex multiplier, K/2 exact accumulators,",
          "one slice of the hand-off chain; default widths X 19, W 16, ACC 44 bits).  DSP counts",
          "are yosys's DSP48E2 mapping; Vivado may pack differently.",
          "",
          f"## Engine estimate, model `{ref.name}` ({ref.description}), {clk_mhz:.0f} MHz",
          "",
          "LUT/FF/DSP: N_PE PEs + one FFT + one IFFT (cell unit, control and AXI not included).",
          "BRAM36: weight banks + spectrum buffers + biases, peepholes, state.  Percentages are of",
          "the XCKU060 (331,680 LUT, 663,360 FF, 2,760 DSP, 1,080 BRAM36).  Cycles/frame is the",
          "ideal PE bound, blocks x k/2 packed words / N_PE (docs/design.md, performance model); frames/s =",
          f"{clk_mhz:.0f} MHz / that bound.",
          "",
          "| k | N_PE | weights (Mb) | BRAM36 | DSP | LUT | FF | cycles/frame | frames/s | fits KU060 |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for k in KS:
        for n in N_PES:
            L.append(_row(estimate(ref, k, n, fits), ku, clk_mhz))
    L += ["", "## Other configurations (each with its own N_PE)", "",
          "| config | k | N_PE | weights (Mb) | BRAM36 | DSP | LUT | FF | cycles/frame | frames/s | fits KU060 |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in CONFIGS.values():
        if c.name == ref.name:
            continue
        e = estimate(c, c.k, c.n_pe, fits)
        L.append(f"| {c.name} " + _row(e, ku, clk_mhz))
    # Fit check of the reference configuration.
    e1 = estimate(ref, ref.k, ref.n_pe, fits)
    e2 = estimate(ref, ref.k, ref.n_pe, fits, directions=2)
    L += ["", "## Fit check: reference configuration on the XCKU060", ""]
    for e, what in ((e1, "unidirectional (the papers' accelerators)"),
                    (e2, "bidirectional (E-RNN authors' training code; 2x weights)")):
        for part in (ku, "xc7vx690tffg1157-2"):
            p = PARTS[part]
            ok_dsp = e.dsp <= p.dsps
            ok_bram = e.bram36 <= p.bram36
            L.append(f"- `{ref.name}`, {what}, k={e.k}, N_PE={e.n_pe} on {p.device}: "
                     f"DSP {e.dsp:.0f} / {p.dsps:,} ({100 * e.dsp / p.dsps:.1f} %) "
                     f"{'fits' if ok_dsp else 'DOES NOT FIT'}; BRAM36 {e.bram36:.1f} / {p.bram36:,} "
                     f"({100 * e.bram36 / p.bram36:.1f} %; weight banks {e.bram_weights:.0f}) "
                     f"{'fits' if ok_bram else 'DOES NOT FIT'}.")
    dsp_ceiling = PARTS[ku].dsps // 4
    L += ["",
          f"Physical ceiling (docs/design.md, performance model): {PARTS[ku].dsps:,} DSP48E2 / 4 per complex "
          f"multiply = {dsp_ceiling} complex MACs per cycle, i.e. {dsp_ceiling * clk_mhz / 1e3:.1f} "
          f"G complex MAC/s at {clk_mhz:.0f} MHz, if every DSP served a PE.", ""]
    return "\n".join(L)
