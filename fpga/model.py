"""Resource model of the whole engine (every unit), calibrated on whole-engine yosys synthesis.

What it counts, for a model shape and engine parameters (k, N_PE, WPAR, HLANES; the derived
sizes come from ``golden.engine_layout.EngineParams``, the expressions of rtl/engine.v):

* **the PEs**: N_PE times one PE's cost, a formula in k/2 x accumulator bits and WPAR
  (:data:`PE_BASIS`) fitted to ``engine_pe`` synthesized alone and flattened (every calibration
  size's PE and a k x WPAR grid);
* **the other units' logic** (LUT, FF, DSP48E2): the PE array's glue, the input and recurrence
  FFTs, the hand-off lanes (IFFT, rounding, bias), the element-wise unit (cell lanes with their
  activation tables), the step queue with z / state / peephole memories, the sequencer, the
  weight memory's registers, and the rest (AXI4-Lite registers, load port, output FIFO).  Each
  unit's figure is a linear formula in the unit's own size (:data:`UNITS`), fitted by least
  squares (non-negative except the transforms') to that unit's figures in hierarchical
  whole-engine syntheses;
* **memories**: every RAM of the engine with its depth and width, mapped the way yosys's
  ``memory_libmap`` maps it for UltraScale (the cheaper of LUT RAM and block RAM by its costs:
  RAMB18 129, RAMB36 257, a 64x7 / 32x14 LUT RAM tile 16 scaled by the width used; deeper than
  64 words, block RAM); LUT RAM adds 8 LUTs per tile, block RAM counts RAMB36 (a RAMB18 is
  half).  The activation tables are ROMs that yosys builds from LUTs: they are part of the
  element-wise unit's logic;
* **flattening**: ``make synth`` flattens the design, which lets yosys optimize across units;
  the other units' sum is scaled per resource by the ratio flattened / hierarchical of the fit
  sizes (PEs and RAM LUTs taken out); for DSPs only the transforms' share changes (their
  twiddles become constants).

Data: ``fpga/engine_calibration.json`` (``python -m fpga calibrate --engines``: the sizes of
``fpga/engine_cal.py``).  Sizes with role ``fit`` are fitted on; the ``check`` size is
predicted without having been seen, and :func:`calibration_table` reports the error.
``python -m fpga model --write docs/resources.md`` renders the tables.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from .configs import CONFIGS, REFERENCE_CONFIG, Config
from .engine_cal import ENGINE_CALIBRATION
from .parts import PARTS, get_part

RESOURCES = ("lut", "ff", "dsp")

# --- the engine's shape -----------------------------------------------------------------


def engine_params(cfg: Config):
    """``EngineParams`` of a configuration (raises ValueError naming what does not fit)."""
    return cfg.engine


def ew_lanes(p) -> int:
    """Cell lanes of the element-wise unit: K / EW_SHARE (rtl/engine.v)."""
    gl = max(p.gates // p.hlanes, 1)
    g2 = 1 << (math.ceil(math.log2(gl + 1)) - 1)
    return p.k // min(p.k, g2)


# --- memories: yosys memory_libmap for UltraScale ---------------------------------------

# block RAM aspect ratios (depth, width) in simple dual port, yosys costs; LUT RAM tiles.
_RAMB18 = [(16384 >> i, w) for i, w in enumerate((1, 2, 4, 9, 18, 36))]
_RAMB36 = [(32768 >> i, w) for i, w in enumerate((1, 2, 4, 9, 18, 36, 72))]
_LUTRAM = [(32, 14), (64, 7)]
COST_RAMB18, COST_RAMB36, COST_LUTRAM = 129, 257, 16
LUTS_PER_LUTRAM_TILE = 8          # RAM32M16 and RAM64M8 are 8 LUTs each


def bram36_for(depth: int, width: int) -> float:
    """RAMB36 tiles (a RAMB18 is 0.5) of the cheapest block RAM mapping of depth x width."""
    return _bram(depth, width)[1]


def _bram(depth: int, width: int) -> tuple[float, float]:
    """(yosys cost, RAMB36 tiles) of the cheapest block RAM mapping."""
    best = (math.inf, 0.0)
    for shapes, cost, tiles in ((_RAMB18, COST_RAMB18, 0.5), (_RAMB36, COST_RAMB36, 1.0)):
        for d, w in shapes:
            n = math.ceil(width / w) * math.ceil(depth / d)
            best = min(best, (n * cost, n * tiles))
    return best


def _lutram(depth: int, width: int) -> tuple[float, int]:
    """(yosys cost, LUTs) of the cheapest LUT RAM mapping (cost scaled by the width used)."""
    best = (math.inf, 0)
    for d, w in _LUTRAM:
        rows = math.ceil(depth / d)
        best = min(best, (COST_LUTRAM * rows * width / w,
                          LUTS_PER_LUTRAM_TILE * rows * math.ceil(width / w)))
    return best


@dataclass(frozen=True)
class Memory:
    name: str
    unit: str
    depth: int
    width: int
    count: int = 1
    lane: int = 0          # write-enable granularity (bits), 0: whole words

    @property
    def mapped_width(self) -> int:
        """The width block RAM needs: lane-enabled words keep each lane on whole 9-bit byte
        enables (a 32-bit lane takes 36 bits)."""
        if not self.lane:
            return self.width
        return self.width // self.lane * math.ceil(self.lane / 9) * 9

    def mapped(self) -> tuple[str, float, float]:
        """("bram" | "lutram" | "ff", RAMB36, LUTs) for all ``count`` copies."""
        if self.depth <= 2:
            return "ff", 0.0, 0.0
        bc, b36 = _bram(self.depth, self.mapped_width)
        if self.lane % 8:
            # lanes of an odd width (the bias memory's 17 bits): yosys used a whole RAMB36 per
            # 36-bit tile at any depth on the calibration sizes (96 x 16 lanes: 8 RAMB36)
            b36 = float(math.ceil(self.mapped_width / 36) * math.ceil(self.depth / 1024))
            bc = b36 * COST_RAMB36
        lc, luts = _lutram(self.depth, self.width)
        # deeper than one row of 64-word LUT RAM tiles, yosys adds read multiplexers and
        # picks block RAM (the calibration sizes: a 96 x 272 bias memory went to block RAM)
        if bc < lc or self.depth > 64:
            return "bram", self.count * b36, 0.0
        return "lutram", 0.0, float(self.count * luts)


def memories(cfg: Config, directions: int = 1) -> list[Memory]:
    """Every RAM of the engine (rtl/engine*.v) with its depth and width.  ``directions`` = 2:
    both directions' weights, biases, peepholes and state in one engine (depths doubled)."""
    p = engine_params(cfg)
    F = p.formats
    k, d = p.k, directions
    xw = F.fmt("data").width + int(math.log2(k))
    sbw = xw * k                                            # one block of spectra
    layers = p.num_layers
    wline = p.n_pe * p.wpar * 2 * F.fmt("weight").width
    bank = 1024                                             # golden W_BANK_DEPTH
    wdepth = d * p.wdepth
    mems = [Memory(f"weights bank {b}", "wmem", min(bank, wdepth - b * bank), wline, lane=32)
            for b in range(math.ceil(wdepth / bank))]
    mems += [Memory("x spectra", "input", 2 * p.qin, sbw),
             Memory("r spectra", "rec", d * layers * 2 * p.rb, sbw)]
    if p.proj_size:
        mems.append(Memory("m spectra", "rec", p.hc, sbw, count=p.ps))
    bias_depth = d * layers * p.bias_rows
    mems.append(Memory("bias", "hlanes", bias_depth, k * p.bias_word_width,
                       lane=p.bias_word_width))
    zr = math.ceil(p.rows / p.hlanes) * (1 if p.cell == "lstm" else 2)
    sw = F.fmt("cell").width if p.cell == "lstm" else F.fmt("data").width
    mems += [Memory("z", "ewq", zr, k * F.fmt("pre").width, count=p.hlanes),
             Memory("state", "ewq", d * layers * p.hb, k * sw),
             Memory("ctx queue", "ewq", 4, 12)]
    if p.peephole:
        mems.append(Memory("peepholes", "ewq", d * layers * p.hb, 3 * k * F.fmt("peep").width))
    mems.append(Memory("output FIFO", "other", 1 << math.ceil(math.log2(2 * p.rb)),
                       k * F.fmt("data").width + 1))
    return [m for m in mems if m.depth > 0]


# --- units: logic formulas ---------------------------------------------------------------

# unit -> (RTL modules whose hierarchical figures it sums, basis functions of EngineParams).
# The figures of a unit are those of its modules with everything beneath them.
Basis = dict[str, Callable]
UNITS: dict[str, tuple[tuple[str, ...], Basis]] = {
    # the PE array without its PEs (the chain, broadcast and hand-off glue; PE_BASIS below)
    "array": (("engine_array", "-engine_pe"), {
        "1": lambda p: 1.0,
        "N_PE": lambda p: p.n_pe,
        "N_PE*WPAR": lambda p: p.n_pe * p.wpar}),
    # the transforms: three terms, so k = 4, 8, 16 (the calibrated range) are each fitted
    "input": (("engine_input",), {"1": lambda p: 1.0, "K*log2K": lambda p: p.k * math.log2(p.k),
                                  "K^2": lambda p: p.k ** 2}),
    "rec": (("engine_rec",), {"1": lambda p: 1.0, "K*log2K": lambda p: p.k * math.log2(p.k),
                              "K^2": lambda p: p.k ** 2}),
    "hlanes": (("engine_hlanes",), {
        "HLANES": lambda p: p.hlanes,
        "HLANES*K*log2K": lambda p: p.hlanes * p.k * math.log2(p.k),
        "HLANES*K^2": lambda p: p.hlanes * p.k ** 2}),
    # cell lanes; a lane shared by EW_SHARE = k / lanes hidden units buffers their gates
    "ew": (("engine_ew",), {
        "LSTM lanes": lambda p: ew_lanes(p) * (p.cell == "lstm"),
        "LSTM lanes*EW_SHARE": lambda p: p.k * (p.cell == "lstm"),
        "GRU lanes": lambda p: ew_lanes(p) * (p.cell == "gru")}),
    "ewq": (("engine_ewq",), {"1": lambda p: 1.0, "K": lambda p: float(p.k),
                              "HLANES": lambda p: float(p.hlanes),
                              "K*GRU": lambda p: p.k * (p.cell == "gru")}),
    "seq": (("engine_seq",), {"1": lambda p: 1.0}),
    "wmem": (("engine_wmem",), {
        "line bits": lambda p: p.n_pe * p.wpar * 32,
        "line bits x (banks-1)": lambda p: p.n_pe * p.wpar * 32 * (math.ceil(p.wdepth / 1024) - 1)}),
    # the AXI4-Lite registers, the load port, the output FIFO and the engine's own glue: the
    # whole engine minus the units above
    "other": ((), {"1": lambda p: 1.0, "K": lambda p: float(p.k)}),
}


# One PE (engine_pe alone, flattened, as in the calibration's PE runs): accumulators for k/2
# words of ACC bits, WPAR complex multipliers.
PE_BASIS: dict[str, Callable] = {
    "1": lambda q: 1.0,
    "K/2*ACC": lambda q: q["K"] / 2 * q["ACC_WIDTH"],
    "WPAR": lambda q: float(q["WPAR"]),
}


def acc_width(p) -> int:
    """The PEs' accumulator width (rtl/engine.v ACC_W)."""
    xw = p.formats.fmt("data").width + int(math.log2(p.k))
    qmax = max(p.qin + p.rb, 2 * p.rb, p.hb)
    return xw + p.formats.fmt("weight").width + 1 + math.ceil(math.log2(qmax)) + 1


# flattening groups: the transforms (input and recurrence FFTs, the hand-off lanes' IFFTs) and
# everything else but the PEs
GROUPS = ("transforms", "others")


def unit_group(unit: str) -> str:
    return "transforms" if unit in ("input", "rec", "hlanes") else "others"


@dataclass
class UnitFit:
    names: list[str]
    coef: dict[str, list[float]]          # resource -> coefficients (same order as names)

    def __call__(self, basis: Basis, p, res: str) -> float:
        return sum(c * f(p) for c, f in zip(self.coef[res], basis.values()))


@dataclass
class ResourceModel:
    units: dict[str, UnitFit]
    pe: dict[str, list[float]]            # resource -> PE_BASIS coefficients (flattened PE)
    pe_points: int
    flat: dict[str, dict[str, float]]     # group -> resource -> flattened / hierarchical ratio
    data: dict                            # the calibration JSON
    path: Path

    def pe_cost(self, p, res: str) -> float:
        q = {"K": p.k, "ACC_WIDTH": acc_width(p), "WPAR": p.wpar}
        return sum(c * f(q) for c, f in zip(self.pe[res], PE_BASIS.values()))


def _nnls(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Non-negative least squares (active set, small problems)."""
    n = A.shape[1]
    x = np.zeros(n)
    free = np.ones(n, dtype=bool)
    for _ in range(4 * n):
        if not free.any():
            break
        sol, *_ = np.linalg.lstsq(A[:, free], y, rcond=None)
        if (sol >= 0).all():
            x[:] = 0
            x[free] = sol
            break
        idx = np.flatnonzero(free)
        free[idx[np.argmin(sol)]] = False
    return x


def _unit_measured(row: dict, mods: tuple[str, ...], res: str) -> float:
    """A unit's figure in a hierarchical run: its modules with everything beneath them; the
    unit without modules is the whole engine minus all the others."""
    if not mods:        # the rest: the whole engine minus the other units and the PEs
        return (row["hier"]["engine"][res] - row["hier"]["engine_pe"][res]
                - sum(_unit_measured(row, ms, res) for ms, _ in UNITS.values() if ms))
    # "-module": minus that module's instances (the array without its PEs)
    return sum(-row["hier"][m[1:]][res] if m.startswith("-") else row["hier"][m][res]
               for m in mods if m.lstrip("-") in row["hier"])


def _config_of(name: str, row: dict) -> Config:
    return Config.of(name, **row["config"])


def _mem_luts(cfg: Config, unit: str) -> float:
    return sum(m.mapped()[2] for m in memories(cfg) if m.unit == unit)


def load_model(path: Path | None = None, roles: tuple[str, ...] = ("fit",)) -> ResourceModel:
    """Fit the unit formulas and the flattening ratios on the sizes whose role is in
    ``roles``."""
    path = Path(path or ENGINE_CALIBRATION)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no engine calibration; run `python -m fpga calibrate "
                                f"--engines`")
    data = json.loads(path.read_text())
    rows = {n: r for n, r in data.get("sizes", {}).items()
            if r.get("role") in roles and "hier" in r and "flat" in r}
    if len(rows) < 3:
        raise ValueError(f"{path}: {len(rows)} calibration size(s) with role in {roles}; the "
                         f"model needs at least 3 (python -m fpga calibrate --engines)")
    cfgs = {n: _config_of(n, r) for n, r in rows.items()}
    params = {n: engine_params(c) for n, c in cfgs.items()}
    units: dict[str, UnitFit] = {}
    for unit, (mods, basis) in UNITS.items():
        A = np.array([[f(params[n]) for f in basis.values()] for n in rows], dtype=float)
        coef = {}
        for res in RESOURCES:
            y = np.array([_unit_measured(rows[n], mods, res)
                          - (_mem_luts(cfgs[n], unit) if res == "lut" else 0.0)
                          for n in rows])
            # the transforms' terms may be negative (their k = 4 has no twiddle multipliers);
            # the other units' are not
            sol = (np.linalg.lstsq(A, y, rcond=None)[0] if unit_group(unit) == "transforms"
                   else _nnls(A, np.maximum(y, 0.0)))
            coef[res] = [float(v) for v in sol]
        units[unit] = UnitFit(list(basis), coef)
    # the PE: one engine_pe alone, flattened (the sizes' own PEs and the PE grid)
    pe_rows = [r["pe"] for r in rows.values() if "pe" in r] + list(data.get("pe_grid", {}).values())
    if len(pe_rows) < len(PE_BASIS):
        raise ValueError(f"{path}: {len(pe_rows)} PE figures; the model needs at least "
                         f"{len(PE_BASIS)} (python -m fpga calibrate --engines)")
    A = np.array([[f(r["params"]) for f in PE_BASIS.values()] for r in pe_rows], dtype=float)
    pe = {res: [float(v) for v in _nnls(A, np.array([r["flat"][res] for r in pe_rows]))]
          for res in RESOURCES}
    model = ResourceModel(units, pe, len(pe_rows), {}, data, path)
    # flattening ratios of everything but the PEs: LUT and FF one ratio for all units
    # (flattened - PEs - RAM LUTs) / (hierarchical - PEs - RAM LUTs) over the fit sizes; DSP only
    # the transform units change (their twiddles become constants), the others keep theirs.
    ratio: dict[str, dict[str, float]] = {g: {} for g in GROUPS}
    for res in RESOURCES:
        num = den = 0.0
        for n in rows:
            mem = sum(_mem_luts(cfgs[n], u) for u in UNITS) if res == "lut" else 0.0
            hier = {g: sum(max(0.0, model.units[u](UNITS[u][1], params[n], res))
                           for u in UNITS if unit_group(u) == g) for g in GROUPS}
            y = rows[n]["flat"][res] - mem - params[n].n_pe * model.pe_cost(params[n], res)
            if res == "dsp":
                num += y - hier["others"]
                den += hier["transforms"]
            else:
                num += y
                den += hier["transforms"] + hier["others"]
        r = num / den if den > 0 else 1.0
        ratio["transforms"][res] = r
        ratio["others"][res] = 1.0 if res == "dsp" else r
    model.flat = ratio
    return model


# --- the estimate ------------------------------------------------------------------------


@dataclass
class Estimate:
    config: str
    k: int
    n_pe: int
    wpar: int
    hlanes: int
    directions: int
    blocks: int
    weight_bits: int
    cmacs_per_frame: int
    cycles_per_frame: int                 # MAC beats per frame (the PE bound, not simulated)
    lut: float
    ff: float
    dsp: float
    bram36: float
    bram_weights: float
    units: dict[str, dict[str, float]]    # unit -> {lut, ff, dsp, bram36} (flattening applied)


def _unit_figures(model: ResourceModel, cfg: Config, directions: int = 1) -> dict:
    """unit -> {lut, ff, dsp, bram36} of the flattened engine: the PEs at their own
    (flattened) cost, every other unit's formula scaled by the rest's flattening ratio, memory
    LUTs and block RAM from the memory list."""
    p = engine_params(cfg)
    mems = memories(cfg, directions)
    out: dict = {}
    for unit, (_, basis) in UNITS.items():
        fig = {r: max(0.0, model.units[unit](basis, p, r)) * model.flat[unit_group(unit)][r]
               for r in RESOURCES}
        if unit == "array":
            for r in RESOURCES:
                fig[r] += p.n_pe * max(0.0, model.pe_cost(p, r))
        fig["lut"] += sum(m.mapped()[2] for m in mems if m.unit == unit)
        fig["bram36"] = sum(m.mapped()[1] for m in mems if m.unit == unit)
        out[unit] = fig
    return out


def estimate(cfg: Config, model: ResourceModel, directions: int = 1) -> Estimate:
    """The whole engine of ``cfg`` (its k, N_PE, WPAR, HLANES) on an UltraScale part."""
    p = engine_params(cfg)
    units = _unit_figures(model, cfg, directions)
    tot = {r: sum(u[r] for u in units.values()) for r in (*RESOURCES, "bram36")}
    bram_w = sum(m.mapped()[1] for m in memories(cfg, directions) if m.unit == "wmem")
    mats = p.matrices()
    blocks = sum(a * b for a, b in mats) * directions
    return Estimate(cfg.name, p.k, p.n_pe, p.wpar, p.hlanes, directions, blocks,
                    blocks * p.k * p.formats.fmt("weight").width, blocks * p.k2, directions * p.wdepth,
                    tot["lut"], tot["ff"], tot["dsp"], tot["bram36"], bram_w, units)


def fits_part(e: Estimate, part_name: str) -> dict[str, float]:
    p = get_part(part_name)
    return {"lut": 100 * e.lut / p.luts, "ff": 100 * e.ff / p.ffs,
            "dsp": 100 * e.dsp / p.dsps, "bram36": 100 * e.bram36 / p.bram36}


# --- calibration check -------------------------------------------------------------------


def calibration_table(model: ResourceModel) -> list[dict]:
    """Per calibration size: synthesized (flattened) vs predicted, with the relative error."""
    out = []
    for name, row in model.data.get("sizes", {}).items():
        if "flat" not in row:
            continue
        e = estimate(_config_of(name, row), model)
        pred = {"lut": e.lut, "ff": e.ff, "dsp": e.dsp, "bram36": e.bram36}
        err = {r: (pred[r] - row["flat"][r]) / row["flat"][r] if row["flat"][r] else 0.0
               for r in pred}
        out.append({"name": name, "role": row.get("role", "?"), "config": row["config"],
                    "synth": {r: row["flat"][r] for r in pred}, "model": pred, "err": err,
                    "rtl": row.get("rtl", "?")})
    return out


# --- rendering ---------------------------------------------------------------------------

# (k, N_PE, WPAR, HLANES) of the tables: the engine's plain points and the wide ones
GRID = ((8, 64, 1, 1), (8, 128, 1, 1), (8, 64, 4, 2), (8, 128, 2, 4), (8, 128, 4, 4),
        (16, 64, 1, 1), (16, 64, 4, 4), (16, 32, 8, 2), (16, 64, 8, 4))
# the limits a configuration must stay within to count as fitting (routing headroom)
FIT_LIMITS = {"lut": 85.0, "ff": 100.0, "dsp": 90.0, "bram36": 90.0}


def fits_limits(e: Estimate, part_name: str) -> list[str]:
    """The resources over :data:`FIT_LIMITS` on ``part_name`` ("LUT 91 %", ...); empty: fits."""
    u = fits_part(e, part_name)
    return [f"{r.upper() if r != 'bram36' else 'BRAM36'} {u[r]:.0f} %"
            for r in FIT_LIMITS if u[r] > FIT_LIMITS[r]]


def _pct(x: float) -> str:
    return f"{100 * x:+.1f} %"


def _shape(c: dict) -> str:
    cell = {"lstmp": "LSTM" + (f"P {c['proj']}" if c["proj"] else ""), "gru": "GRU"}[c["cell"]]
    return f"{cell}, in {c['in_dim']}, {c['hidden']} cells, {c['layers']} layer(s)"


def render(calibration: str | None = None) -> str:
    model = load_model(Path(calibration) if calibration else None)
    data = model.data
    ku = "xcku060-ffva1156-2-e"
    part = PARTS[ku]
    rows = calibration_table(model)
    L = ["# Resource model",
         "",
         "Generated by `python -m fpga model --write docs/resources.md` (`make resources`) from",
         "`fpga/engine_calibration.json` (`python -m fpga calibrate --engines`: whole-engine yosys",
         f"synthesis, {data.get('tool', 'yosys')}).  Model and assumptions: the `fpga/model.py`",
         "docstring.  Every figure below is a **yosys `synth_xilinx` figure or the model's",
         "prediction of one** (UltraScale, XCKU060), not a Vivado result: Vivado packs registers",
         "into DSP48E2 and maps memories by its own rules.",
         "",
         "## Calibration: whole engines synthesized vs predicted",
         "",
         "The model's unit formulas and flattening ratios are fitted on the sizes marked *fit*;",
         "the *check* size is predicted without having been seen.  Synthesized = flattened",
         "`synth_xilinx` (as `make synth`); model = the prediction; error = model / synthesized - 1.",
         "",
         "| size | role | shape | k | N_PE | WPAR | HLANES | LUT synth / model | FF synth / model "
         "| DSP synth / model | BRAM36 synth / model | RTL |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        c, s, m, e = r["config"], r["synth"], r["model"], r["err"]
        cells = [f"{s[x]:,.0f} / {m[x]:,.0f} ({_pct(e[x])})" if x != "bram36" else
                 f"{s[x]:.1f} / {m[x]:.1f} ({_pct(e[x])})" for x in ("lut", "ff", "dsp", "bram36")]
        L.append(f"| {r['name']} | {r['role']} | {_shape(c)} | {c['k']} | {c['n_pe']} | "
                 f"{c['wpar']} | {c['hlanes']} | " + " | ".join(cells) + f" | {r['rtl']} |")
    checks = [r for r in rows if r["role"] == "check"]
    for r in checks:
        worst = max(r["err"], key=lambda x: abs(r["err"][x]))
        L += ["", f"Held-out size `{r['name']}`: largest error {_pct(r['err'][worst])} "
                  f"({worst.upper() if worst != 'bram36' else 'BRAM36'}); "
                  + ", ".join(f"{x.upper() if x != 'bram36' else 'BRAM36'} {_pct(v)}"
                              for x, v in r["err"].items()) + "."]
    def text(coef: list[float], names: list[str]) -> str:
        terms = [f"{c:.1f}" + ("" if n == "1" else f" x {n}")
                 for c, n in zip(coef, names) if abs(c) > 0.05]
        return " + ".join(terms) or "0"
    L += ["",
          "## Unit formulas",
          "",
          f"**One PE** (`engine_pe` synthesized alone and flattened, {model.pe_points} points: the "
          "calibration sizes' PEs and a grid of k = 4..32 x WPAR = 1..16), N_PE of them in the "
          "array:",
          "",
          "| resource | formula (ACC: accumulator bits, rtl/engine.v ACC_W) |",
          "|---|---|"]
    for res in RESOURCES:
        L.append(f"| {res.upper()} | {text(model.pe[res], list(PE_BASIS))} |")
    L += ["",
          "**The other units**: LUT / FF / DSP48E2 (LUTs without the unit's RAMs, which the memory "
          "list counts) fitted by non-negative least squares to the unit's figures in the "
          "hierarchical runs of the *fit* sizes, then scaled to the flattened synthesis "
          "(flattened / hierarchical over the fit sizes, with the PEs and RAM LUTs taken out); "
          "for DSPs only the transform units' (input, rec, hlanes: their twiddles become "
          "constants when flattened) change: "
          + "; ".join(f"{g} " + ", ".join(f"{r.upper()} {model.flat[g][r]:.3f}"
                                         for r in RESOURCES) for g in GROUPS) + ".",
          "",
          "| unit | RTL | LUT | FF | DSP |",
          "|---|---|---|---|---|"]
    for unit, (mods, basis) in UNITS.items():
        uf = model.units[unit]
        rtl = ", ".join(m if not m.startswith("-") else f"without {m[1:]}" for m in mods)
        L.append(f"| {unit} | {rtl or 'the rest'} | {text(uf.coef['lut'], uf.names)} | "
                 f"{text(uf.coef['ff'], uf.names)} | {text(uf.coef['dsp'], uf.names)} |")
    ref = CONFIGS[REFERENCE_CONFIG]
    refc = replace(ref, n_pe=128, wpar=4, hlanes=4)
    L += ["",
          f"## Memories of `{ref.name}` at N_PE = 128, WPAR = 4, HLANES = 4",
          "",
          "| memory | unit | depth x width | copies | mapped to | BRAM36 | LUTs |",
          "|---|---|---|---|---|---|---|"]
    for m in memories(refc):
        kind, b, lut = m.mapped()
        L.append(f"| {m.name} | {m.unit} | {m.depth:,} x {m.width:,} | {m.count} | {kind} | "
                 f"{b:g} | {lut:,.0f} |")
    for base in ("lstmp-1024", "gru-1024"):
        L += ["", f"## `{base}` (2 layers, one direction) on the {part.device}", "",
              f"Fits = LUT <= {FIT_LIMITS['lut']:.0f} %, DSP and BRAM36 <= "
              f"{FIT_LIMITS['dsp']:.0f} % (headroom for routing).  MAC beats per frame = the PE "
              "bound with row groups padded to N_PE (cycles are measured in RTL simulation by "
              "`bench/engine_cycles.py`; docs/results.md).",
              "",
              "| k | N_PE | WPAR | HLANES | complex MACs / cycle | MAC beats / frame | LUT | FF | DSP "
              "| BRAM36 | fits |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        for k, n, w, h in GRID:
            c = replace(CONFIGS[f"{base}-k{k}"], n_pe=n, wpar=w, hlanes=h)
            e = estimate(c, model)
            u = fits_part(e, ku)
            over = fits_limits(e, ku)
            L.append(f"| {k} | {n} | {w} | {h} | {n * w} | {e.cycles_per_frame:,} | "
                     f"{e.lut / 1e3:.1f}k ({u['lut']:.0f} %) | {e.ff / 1e3:.1f}k ({u['ff']:.0f} %) | "
                     f"{e.dsp:,.0f} ({u['dsp']:.0f} %) | {e.bram36:,.1f} ({u['bram36']:.0f} %) | "
                     f"{'yes' if not over else 'no: ' + ', '.join(over)} |")
    e1 = estimate(refc, model)
    L += ["", f"## Units of `{ref.name}` at N_PE = 128, WPAR = 4, HLANES = 4", "",
          "| unit | LUT | FF | DSP | BRAM36 |", "|---|---|---|---|---|"]
    for unit, f in e1.units.items():
        L.append(f"| {unit} | {f['lut']:,.0f} | {f['ff']:,.0f} | {f['dsp']:,.0f} | "
                 f"{f['bram36']:.1f} |")
    L.append(f"| **total** | **{e1.lut:,.0f}** | **{e1.ff:,.0f}** | **{e1.dsp:,.0f}** | "
             f"**{e1.bram36:.1f}** |")
    L += ["", "## Bidirectional", "",
          "Both directions' weights, biases, peepholes and state on one engine (it runs the two",
          "directions one after the other; docs/results.md): per model and k, the widest shape",
          "of the tables above, and the widest that fits.", ""]
    for base in ("lstmp-1024", "gru-1024"):
        for k in (8, 16):
            shapes = sorted((s for s in GRID if s[0] == k), key=lambda s: s[1] * s[2])
            ests = [estimate(replace(CONFIGS[f"{base}-k{k}"], n_pe=n, wpar=w, hlanes=h), model,
                             directions=2) for _, n, w, h in shapes]
            fitting = [e for e in ests if not fits_limits(e, ku)]
            for e in [ests[-1]] + ([fitting[-1]] if fitting and fitting[-1] is not ests[-1] else []):
                u = fits_part(e, ku)
                over = fits_limits(e, ku)
                L.append(f"- `{base}` k={k}, N_PE={e.n_pe}, WPAR={e.wpar}, HLANES={e.hlanes} "
                         f"({e.n_pe * e.wpar} complex MACs / cycle): BRAM36 {e.bram36:,.1f} "
                         f"({u['bram36']:.0f} %; weights {e.bram_weights:,.1f}), LUT "
                         f"{u['lut']:.0f} %, DSP {u['dsp']:.0f} %: "
                         + ("fits." if not over else f"does not fit ({', '.join(over)})."))
            if not fitting:
                L.append(f"- `{base}` k={k}: no shape of the table fits with both directions.")
    L.append("")
    return "\n".join(L)
