"""The design space behind docs/results.md and ``python -m bench.choose``.

Inputs (JSON under ``bench/results/``, each written by a script; none is typed by hand):

* ``accuracy.json``      ``python -m train explore`` (PER float/fixed, parameters, compression);
* ``engine_cycles.json`` ``make engine-bench`` (bench/engine_cycles.py: cycles/frame in RTL sim);
* ``golden_speed.json``  bench/golden_speed.py;  ``sim_speed.json`` bench/sim_speed.py;
* ``ecp5_fmax.json``     ``make fmax`` (scripts/collect_fmax.py): the engine's routed ECP5 Fmax;
* ``vivado.json``        ``python -m fpga synth`` with Vivado on PATH (optional): Vivado's
  utilization and timing of a configuration, shown instead of the model's figures;
* ``fpga/engine_calibration.json`` (``python -m fpga calibrate --engines``) through the whole-
  engine resource model ``fpga.model``; ``fpga/calibration.json`` for the DSPs of a complex
  multiplier.

A hardware point is a reference-size model (``bench/models.py``: lstmp-1024 for LSTM, gru-1024
for GRU, unidirectional) at block size k with N_PE PEs of WPAR complex multipliers each and
HLANES hand-off lanes: cycles per frame (measured when engine_cycles.json has the point, else
estimated as the issue bound + passes x drain, the drain per pass fitted to the measured
points), frames/s and latency at two clocks -- the target clock ``F_CLK_MHZ`` (an assumption:
no Xilinx part was routed here) and the engine's routed ECP5 Fmax (measured, with its speed
grade) -- dense-equivalent GOPS, and LUT/FF/DSP/BRAM36 from the resource model (or Vivado).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from bench.models import CELL_MODEL, REFERENCE, dense_macs_per_frame, passes_per_frame
from fpga.calibrate import CALIBRATION
from fpga.configs import CONFIGS, Config
from fpga.model import FIT_LIMITS, estimate, fits_part, load_model
from fpga.parts import get_part
from golden.engine_layout import EngineParams
from golden.model import ModelConfig

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
F_CLK_MHZ = 200.0                 # target clock, assumed: ESE's clock on the XCKU060 (docs/design.md)
DEFAULT_PART = "xcku060-ffva1156-2-e"
CHOOSER_NPES = (8, 16, 32, 64, 128, 256)
CHOOSER_WPARS = (1, 2, 4, 8)


class InputError(ValueError):
    """A results file is missing, unreadable or lacks a field; the message names it."""


# --- JSON inputs, checked ---------------------------------------------------------------

NUM = (int, float)
OPT_NUM = (int, float, type(None))
ACCURACY_TOP = {"corpus": str, "preset": str, "epochs": int, "seed": int, "max_per": NUM,
                "cheapest": (str, type(None)), "rows": list}
ACCURACY_ROW = {"name": str, "cell": str, "hidden": int, "k": int, "mode": str,
                "per_float": NUM, "per_fixed": OPT_NUM, "dev_per": NUM, "params": int,
                "dense_params": int, "compression": NUM, "cmacs_per_frame": int,
                "train_seconds": NUM}
ENGINE_ROW = {"model": str, "cell": str, "input_size": int, "hidden_size": int,
              "num_layers": int, "proj_size": int, "k": int, "n_pe": int, "sim": str,
              "beats_frame": int, "passes": int, "last_frame_cycles": int, "exact": bool,
              "rtl": str, "date": str, "sim_cycles_per_s": OPT_NUM}
GOLDEN_TOP = {"model": str, "machine": str, "rows": list}
GOLDEN_ROW = {"path": str, "batch": int, "workers": int, "frames_per_s": NUM}
SIM_TOP = {"model": str, "k": int, "n_pe": int, "frames": int, "rows": list}
SIM_ROW = {"sim": str, "sim_cycles": NUM, "wall_s": NUM, "cycles_per_s": NUM,
           "frame_cycles": int, "build_and_run_s": NUM}


def _type_name(t) -> str:
    ts = t if isinstance(t, tuple) else (t,)
    names = {int: "integer", float: "number", str: "string", bool: "true/false", list: "list",
             type(None): "null"}
    return " or ".join(dict.fromkeys(names.get(x, x.__name__) for x in ts))


def check_fields(obj, spec: dict, where: str) -> None:
    """Raise InputError naming ``where.field`` for a missing field or a wrong type."""
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected an object, got {type(obj).__name__}")
    for name, t in spec.items():
        if name not in obj:
            raise InputError(f"{where}: missing field {name!r}")
        v = obj[name]
        ts = t if isinstance(t, tuple) else (t,)
        ok = isinstance(v, ts) and not (isinstance(v, bool) and bool not in ts)
        if isinstance(v, float) and not math.isfinite(v):
            ok = False
        if not ok:
            raise InputError(f"{where}.{name}: expected {_type_name(t)}, got {v!r}")


def load_json(path: Path, top: dict | None = None, row: dict | None = None,
              required: bool = False) -> dict | None:
    """Read and check a results file; None when it does not exist (unless ``required``)."""
    path = Path(path)
    if not path.is_file():
        if required:
            raise InputError(f"{path}: file not found")
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    check_fields(data, top or {"rows": list}, str(path))
    for i, r in enumerate(data["rows"]):
        check_fields(r, row or {}, f"{path}: rows[{i}]")
    return data


def load_accuracy(path: Path) -> dict | None:
    data = load_json(path, ACCURACY_TOP, ACCURACY_ROW)
    if data is not None:
        for i, r in enumerate(data["rows"]):
            if r["cell"] not in ("lstm", "gru"):
                raise InputError(f"{path}: rows[{i}].cell: expected 'lstm' or 'gru', got {r['cell']!r}")
            if r["mode"] not in ("dense", "admm", "direct"):
                raise InputError(f"{path}: rows[{i}].mode: expected dense/admm/direct, got {r['mode']!r}")
    return data


def hardware_model(results: Path = RESULTS, clk_mhz: float = F_CLK_MHZ) -> "HardwareModel":
    """The hardware model from the JSON under ``results``: cycles, the routed engine clock and
    Vivado's figures where a user measured them."""
    return HardwareModel(load_engine(results / "engine_cycles.json"), clk_mhz,
                         ecp5=load_engine_clock(results / "ecp5_fmax.json"),
                         vivado=load_vivado(results / "vivado.json"))


def load_engine(path: Path) -> dict | None:
    return load_json(path, {"rows": list}, ENGINE_ROW)


def load_golden(path: Path) -> dict | None:
    return load_json(path, GOLDEN_TOP, GOLDEN_ROW)


def load_sim(path: Path) -> dict | None:
    return load_json(path, SIM_TOP, SIM_ROW)


# --- hardware points ----------------------------------------------------------------------

def model_config(base: str, k: int) -> ModelConfig:
    return ModelConfig(**REFERENCE[base], k=k, name=f"{base}-k{k}")


def fpga_config(base: str, k: int, n_pe: int, wpar: int = 1, hlanes: int = 1) -> Config:
    """The resource model's view of a reference model (fpga.configs.Config): its model config
    (k in it) and the engine build."""
    return Config(f"{base}-k{k}", model_config(base, k), n_pe, wpar, hlanes)


def default_hlanes(n_pe: int, wpar: int) -> int:
    """Hand-off lanes for N_PE x WPAR multipliers: one per 128 (the measured wide points:
    64 x 4 with 2, 128 x 4 with 4, 32 x 8 with 2), a power of two dividing N_PE, at most 64."""
    h = 1
    while 2 * h <= min(n_pe * wpar // 128, n_pe, 64):
        h *= 2
    return h


def cmul_dsp(calibration: Path | None = None) -> int:
    """DSP slices of one complex multiplier (rtl/cmul.v), as measured in the calibration."""
    path = Path(calibration or CALIBRATION)
    try:
        return int(json.loads(path.read_text())["blocks"]["cmul"]["0"]["dsp"])
    except (OSError, ValueError, KeyError) as e:
        raise InputError(f"{path}: no blocks.cmul.0.dsp ({e!r}); run `python -m fpga calibrate cmul`")


@dataclass
class EngineClock:
    """The engine's routed ECP5 Fmax (the median over placer seeds of the latest commit)."""
    mhz: float
    grade: int
    config: str
    commit: str
    seeds: int
    device: str

    @property
    def label(self) -> str:
        return (f"{self.mhz:.1f} MHz, the engine's routed Fmax on an ECP5 {self.device} speed "
                f"grade {self.grade} (CONFIG={self.config}, median of {self.seeds} placer seed"
                f"{'s' if self.seeds != 1 else ''}, RTL {self.commit})")


def load_engine_clock(path: Path) -> EngineClock | None:
    """The measured engine clock from ecp5_fmax.json: of the largest routed configuration, the
    latest RTL commit's rows (in file order), median over seeds; None without engine rows."""
    try:
        rows = json.loads(path.read_text())
    except OSError:
        return None
    except ValueError as e:
        raise InputError(f"{path}: not valid JSON ({e})")
    rows = [r for r in rows if r.get("top") == "engine" and "fmax_mhz" in r]
    if not rows:
        return None
    size = max(rows, key=lambda r: (r["params"].get("N_PE", 1) * r["params"].get("K", 1)))
    same = [r for r in rows if r["config"] == size["config"]
            and r.get("speed_grade") == size.get("speed_grade")]
    commit = same[-1].get("rtl_commit", "?")
    last = [r for r in same if r.get("rtl_commit", "?") == commit]
    f = sorted(r["fmax_mhz"] for r in last)
    return EngineClock(f[len(f) // 2], int(size.get("speed_grade", 6)), size["config"], commit,
                       len(f), size.get("device", "LFE5U-85F").split()[0])


VIVADO_ROW = {"base": str, "k": int, "n_pe": int, "wpar": int, "hlanes": int, "lut": NUM,
              "ff": NUM, "dsp": NUM, "bram36": NUM, "part": str}


def load_vivado(path: Path) -> dict:
    """Vivado results per (base, k, n_pe, wpar, hlanes) from vivado.json ({} when absent)."""
    data = load_json(path, {"rows": list}, VIVADO_ROW) if path.exists() else None
    return {(r["base"], r["k"], r["n_pe"], r["wpar"], r["hlanes"]): r
            for r in (data or {"rows": []})["rows"]}


@dataclass
class DrainFit:
    """cycles = issue bound + passes x per_pass, least squares over measured exact points."""
    per_pass: float
    points: int
    source: str                  # which rows it was fitted on
    max_err: float               # largest |estimate - measured| / measured over those points

    def cycles(self, bound: int, passes: int) -> float:
        return bound + passes * self.per_pass


def is_reference(row: dict) -> bool:
    """An engine_cycles.json row of a reference-size model (lstmp-1024-k8, gru-1024-k16...)."""
    return row["model"].rsplit("-k", 1)[0] in REFERENCE


def row_key(row: dict) -> tuple[str, int, int, int]:
    return row["model"], row["n_pe"], row.get("wpar", 1), row.get("hlanes", 1)


def _row_params(row: dict) -> EngineParams:
    mc = ModelConfig(cell=row["cell"], input_size=row["input_size"],
                     hidden_size=row["hidden_size"], num_layers=row["num_layers"],
                     proj_size=row["proj_size"], peephole=row["cell"] == "lstm", k=row["k"])
    return EngineParams.for_model(mc, row["n_pe"], row.get("wpar", 1), row.get("hlanes", 1))


def fit_drain(engine: dict | None) -> DrainFit:
    rows = [r for r in (engine or {"rows": []})["rows"] if r["exact"]]
    ref = [r for r in rows if is_reference(r)]
    use, source = (ref, "reference-size models") if ref else (rows, "tiny models")
    if not use:
        return DrainFit(0.0, 0, "no measured points: the issue bound", math.nan)
    bound = [_row_params(r).issue_bound() for r in use]
    d = (sum(r["passes"] * (r["last_frame_cycles"] - b) for r, b in zip(use, bound))
         / sum(r["passes"] ** 2 for r in use))
    err = max(abs(b + r["passes"] * d - r["last_frame_cycles"]) / r["last_frame_cycles"]
              for r, b in zip(use, bound))
    return DrainFit(d, len(use), source, err)


@dataclass
class HwPoint:
    base: str                    # lstmp-1024 / gru-1024
    cell: str
    k: int
    n_pe: int
    beats: int
    passes: int
    design_bound: float
    packed_bound: float
    cycles: float
    measured: bool
    exact: bool | None
    rtl: str
    clk_mhz: float               # target clock (assumed)
    dense_macs: int              # real MACs per frame of the dense model
    cmacs: int                   # complex MACs per frame on the engine (k/2 packed words per block)
    dsp: float
    lut: float
    ff: float
    bram36: float
    util: dict                   # % of the part per resource
    part: str
    measured_beats: int | None = None   # beats of the engine that was measured
    wpar: int = 1
    hlanes: int = 1
    issue_bound: int = 0
    ecp5: EngineClock | None = None
    source: str = "model"        # where LUT/FF/DSP/BRAM36 come from: "model" or "Vivado"
    vivado_mhz: float | None = None     # Vivado's Fmax (from its timing summary)

    @property
    def stale(self) -> bool:
        """Measured on an engine whose schedule (beats per frame) differs from today's layout."""
        return self.measured and self.measured_beats != self.beats

    @property
    def name(self) -> str:
        return f"{self.base}-k{self.k}"

    @property
    def shape(self) -> str:
        return f"{self.n_pe}x{self.wpar}" + (f" h{self.hlanes}" if self.hlanes > 1 else "")

    @property
    def macs_per_cycle(self) -> int:
        return self.n_pe * self.wpar

    @property
    def fits(self) -> bool:
        return not self.over()

    @property
    def fps(self) -> float:
        """Frames/s at the target clock (assumed)."""
        return self.clk_mhz * 1e6 / self.cycles

    @property
    def fps_ecp5(self) -> float | None:
        """Frames/s at the engine's routed ECP5 Fmax (measured on another part)."""
        return self.ecp5.mhz * 1e6 / self.cycles if self.ecp5 else None

    @property
    def latency_us(self) -> float:
        return self.cycles / self.clk_mhz

    @property
    def gops(self) -> float:
        """Dense-equivalent GOPS: 2 x dense MACs per frame x frames/s."""
        return 2 * self.dense_macs * self.fps / 1e9

    def over(self) -> list[str]:
        """Resources over the fit limits (fpga.model.FIT_LIMITS: LUT 85 %, DSP / BRAM 90 %)."""
        return [f"{'BRAM36' if r == 'bram36' else r.upper()} {u:.0f} %"
                for r, u in self.util.items() if u > FIT_LIMITS[r]]


class HardwareModel:
    """Hardware points from measured cycles (engine_cycles.json) and the resource model."""

    def __init__(self, engine: dict | None, clk_mhz: float = F_CLK_MHZ,
                 calibration: Path | None = None, ecp5: EngineClock | None = None,
                 vivado: dict | None = None, engine_calibration: Path | None = None):
        self.clk_mhz = clk_mhz
        try:
            self.model = load_model(engine_calibration)
        except (OSError, ValueError) as e:
            raise InputError(str(e))
        self.cmul_dsp = cmul_dsp(calibration)
        self.drain = fit_drain(engine)
        self.ecp5 = ecp5
        self.vivado = vivado or {}
        self.measured = {}
        for r in (engine or {"rows": []})["rows"]:
            # Verilator and Icarus count the same cycles; prefer Verilator's row if both exist.
            key = row_key(r)
            if key not in self.measured or r["sim"] == "verilator":
                self.measured[key] = r

    def measured_shapes(self, base: str, k: int) -> list[tuple[int, int, int]]:
        """(N_PE, WPAR, HLANES) of every measured point of a reference model."""
        return sorted({(n, w, h) for (m, n, w, h) in self.measured if m == f"{base}-k{k}"})

    def point(self, base: str, k: int, n_pe: int, part: str = DEFAULT_PART, wpar: int = 1,
              hlanes: int = 1) -> HwPoint:
        mc = model_config(base, k)
        ep = EngineParams.for_model(mc, n_pe, wpar, hlanes)
        passes = passes_per_frame(mc.cell, mc.num_layers, mc.proj_size)
        m = self.measured.get((f"{base}-k{k}", n_pe, wpar, hlanes))
        bound = ep.issue_bound()
        cycles = m["last_frame_cycles"] if m else self.drain.cycles(bound, passes)
        e = self.resources(base, k, n_pe, wpar=wpar, hlanes=hlanes)
        figs = {"dsp": e.dsp, "lut": e.lut, "ff": e.ff, "bram36": e.bram36}
        v = self.vivado.get((base, k, n_pe, wpar, hlanes))
        if v and get_part(v["part"]).name == get_part(part).name:
            figs = {r: float(v[r]) for r in figs}
        p = get_part(part)
        util = {"lut": 100 * figs["lut"] / p.luts, "ff": 100 * figs["ff"] / p.ffs,
                "dsp": 100 * figs["dsp"] / p.dsps, "bram36": 100 * figs["bram36"] / p.bram36}
        return HwPoint(base, mc.cell, k, n_pe, ep.beats(), passes, ep.design_bound(),
                       ep.packed_bound(), cycles, m is not None, m["exact"] if m else None,
                       m["rtl"] if m else "", self.clk_mhz, dense_macs_per_frame(**REFERENCE[base]),
                       round(ep.packed_bound() * n_pe * wpar), figs["dsp"], figs["lut"],
                       figs["ff"], figs["bram36"], util, p.device,
                       measured_beats=m["beats_frame"] if m else None, wpar=wpar, hlanes=hlanes,
                       issue_bound=bound, ecp5=self.ecp5,
                       source="Vivado" if v else "model",
                       vivado_mhz=(v or {}).get("fmax_mhz"))

    def resources(self, base: str, k: int, n_pe: int, directions: int = 1, wpar: int = 1,
                  hlanes: int = 1):
        """The resource model's estimate (fpga.model.Estimate); directions=2: both directions'
        weights and state on one engine's PEs."""
        return estimate(fpga_config(base, k, n_pe, wpar, hlanes), self.model, directions)

    def ceiling(self, base: str, k: int, part: str = DEFAULT_PART) -> dict:
        """DSP-bound ceiling: every DSP of the part in a complex multiplier at clk_mhz."""
        p = get_part(part)
        mc = model_config(base, k)
        cmacs = EngineParams.for_model(mc, 1).packed_bound()
        per_cycle = p.dsps // self.cmul_dsp
        cmac_s = per_cycle * self.clk_mhz * 1e6
        fps = cmac_s / cmacs
        return {"part": p.device, "dsps": p.dsps, "dsp_per_cmac": self.cmul_dsp,
                "cmacs_per_cycle": per_cycle, "cmacs_per_s": cmac_s, "cmacs_per_frame": cmacs,
                "fps": fps, "gops": 2 * dense_macs_per_frame(**REFERENCE[base]) * fps / 1e9}


# --- the chooser --------------------------------------------------------------------------

@dataclass
class Choice:
    acc: dict                    # the accuracy row
    hw: HwPoint
    candidates: int              # hardware points that met every budget
    accurate: int                # accuracy rows (cell, k) meeting the PER budget
    rejected_bigger: str         # why the next larger N_PE of the same model was not taken


class NothingFits(Exception):
    """No configuration meets the budgets; the message says which budget excluded what."""


def best_accuracy_rows(acc: dict, max_per: float, cell: str | None) -> tuple[list[dict], list[str]]:
    """Per (cell, k > 1): the row with the lowest fixed-point PER meeting ``max_per``."""
    notes, best = [], {}
    for r in acc["rows"]:
        if cell and r["cell"] != cell:
            continue
        if r["k"] < 2:
            notes.append(f"{r['name']}: dense (k = {r['k']}), not a circulant engine configuration")
            continue
        if r["per_fixed"] is None:
            notes.append(f"{r['name']}: no fixed-point PER measured")
            continue
        if r["per_fixed"] > max_per:
            notes.append(f"{r['name']}: PER fixed {r['per_fixed']:.2f} % > {max_per:g} %")
            continue
        key = (r["cell"], r["k"])
        if key not in best or r["per_fixed"] < best[key]["per_fixed"]:
            best[key] = r
    return sorted(best.values(), key=lambda r: (r["cell"], r["k"])), notes


def shapes(k: int, npes: tuple[int, ...] = CHOOSER_NPES,
           wpars: tuple[int, ...] = CHOOSER_WPARS) -> list[tuple[int, int, int]]:
    """(N_PE, WPAR, HLANES) the chooser tries at block size k (WPAR dividing k/2), in order of
    complex multipliers."""
    out = [(n, w, default_hlanes(n, w)) for n in npes for w in wpars if (k // 2) % w == 0]
    return sorted(out, key=lambda s: (s[0] * s[1], s[1]))


def choose(acc: dict, hw: HardwareModel, max_per: float, max_dsp: float,
           part: str = DEFAULT_PART, cell: str | None = None,
           npes: tuple[int, ...] = CHOOSER_NPES) -> Choice:
    """Max projected frames/s subject to PER fixed <= max_per, DSP <= max_dsp, fitting part."""
    rows, notes = best_accuracy_rows(acc, max_per, cell)
    if not rows:
        what = f" {cell.upper()}" if cell else ""
        raise NothingFits(f"no{what} circulant model meets PER fixed <= {max_per:g} % in the "
                          f"accuracy sweep:\n  " + "\n  ".join(
                              notes or [f"(the sweep has no{what} rows)"]))
    ok, why_not = [], []
    for r in rows:
        for n, w, h in shapes(r["k"], npes):
            p = hw.point(CELL_MODEL[r["cell"]], r["k"], n, part, w, h)
            if p.dsp > max_dsp:
                why_not.append(f"{p.name} {p.shape}: {p.dsp:.0f} DSP > {max_dsp:g}")
            elif not p.fits:
                why_not.append(f"{p.name} {p.shape}: does not fit {p.part} ({', '.join(p.over())})")
            else:
                ok.append((r, p))
    if not ok:
        raise NothingFits(f"no configuration within DSP <= {max_dsp:g} fits {get_part(part).device} "
                          f"among the {len(rows)} accurate enough models:\n  "
                          + "\n  ".join(why_not))
    r, p = max(ok, key=lambda rp: (rp[1].fps, -rp[1].dsp, -rp[0]["per_fixed"]))
    bigger = [s for s in shapes(p.k, npes) if s[0] * s[1] > p.macs_per_cycle]
    rej = ""
    if bigger:
        n, w, h = bigger[0]
        q = hw.point(p.base, p.k, n, part, w, h)
        rej = (f"{q.shape} would need {q.dsp:.0f} DSP" if q.dsp > max_dsp else
               f"{q.shape} does not fit {q.part} ({', '.join(q.over())})" if not q.fits else
               f"{q.shape} is no faster ({q.fps:,.0f} frames/s)")
    return Choice(r, p, len(ok), len(rows), rej)


def build_commands(c: Choice, corpus: str) -> list[str]:
    """Shell commands that train, check, export, measure and synthesize the choice."""
    p, r = c.hw, c.acc
    run = f"runs/{p.name}-{r['mode']}"
    corpus_opt = f" --corpus {corpus}" if corpus and corpus != "default" else ""
    return [
        f"python -m train fit --preset {p.base} --no-bidirectional --mode {r['mode']} --k {p.k} "
        f"--qat-epochs 1{corpus_opt} --out {run}",
        f"python -m train eval {run} --fixed{corpus_opt}",
        f"python -m train export {run} --n-pe {p.n_pe}"
        + (f" --wpar {p.wpar}" if p.wpar != 1 else "")
        + (f" --hlanes {p.hlanes}" if p.hlanes != 1 else "")
        + f" --out bundles/{p.name}-npe{p.n_pe}" + (f"x{p.wpar}" if p.wpar != 1 else ""),
        f"python bench/engine_cycles.py --only {p.name}:{p.n_pe}"
        + (f"x{p.wpar}h{p.hlanes}" if (p.wpar, p.hlanes) != (1, 1) else ""),
        synth_command(p),
    ]


def synth_command(p: HwPoint) -> str:
    """``make synth`` when a named configuration (fpga/configs.py) matches, else overrides."""
    c = CONFIGS.get(p.name)
    if c and (c.n_pe, c.wpar, c.hlanes) == (p.n_pe, p.wpar, p.hlanes):
        return f"make synth CONFIG={p.name} PART={p.part.lower()}"
    base = p.name if c else f"{p.base}-k8"
    over = ([] if c else [f"-P K={p.k}"]) + [f"-P N_PE={p.n_pe}"]
    over += [f"-P WPAR={p.wpar}"] if p.wpar != 1 else []
    over += [f"-P HLANES={p.hlanes}"] if p.hlanes != 1 else []
    return f"python -m fpga synth --config {base} {' '.join(over)} --part {p.part.lower()}"


def describe(c: Choice, max_per: float, max_dsp: float, corpus: str) -> str:
    p, r = c.hw, c.acc
    src = ("estimated (beats + drain fit; not simulated)" if not p.measured else
           f"measured in RTL simulation (RTL {p.rtl}"
           + (f"; an older schedule of {p.measured_beats:,} beats/frame, now {p.beats:,})" if p.stale
              else ")"))
    ecp5 = (f"; {p.fps_ecp5:,.0f} frames/s at {p.ecp5.label} (measured)" if p.ecp5 else
            "; no routed engine Fmax recorded (bench/results/ecp5_fmax.json)")
    L = [f"best: {p.name}, N_PE={p.n_pe}, WPAR={p.wpar}, HLANES={p.hlanes}  "
         f"({r['cell'].upper()}, k={p.k}, trained by {r['mode']})",
         f"  accuracy : PER fixed {r['per_fixed']:.2f} % (float {r['per_float']:.2f} %) <= {max_per:g} % "
         f"-- measured on {r['name']} (the sweep's model), {r['compression']:.1f}x compression",
         f"  speed    : {p.fps:,.0f} frames/s, {p.latency_us:.1f} us/frame at an assumed "
         f"{p.clk_mhz:.0f} MHz (target clock, not routed){ecp5}; "
         f"{p.cycles:,.0f} cycles/frame {src}",
         f"  cost     : {p.dsp:.0f} DSP <= {max_dsp:g}; LUT {p.util['lut']:.0f} %, FF {p.util['ff']:.0f} %, "
         f"BRAM36 {p.bram36:.0f} ({p.util['bram36']:.0f} %) of {p.part} "
         + ("(Vivado)" if p.source == "Vivado" else "(resource model calibrated on yosys synthesis)"),
         f"  why      : highest projected frames/s of {c.candidates} (model, N_PE x WPAR) points within "
         f"the budgets, over {c.accurate} accurate enough (cell, k)"
         + (f"; {c.rejected_bigger}" if c.rejected_bigger else ""),
         "  build:"]
    L += [f"    {cmd}" for cmd in build_commands(c, corpus)]
    return "\n".join(L)
