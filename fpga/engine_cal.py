"""Whole-engine synthesis at several sizes: the data the resource model is calibrated and checked on.

``python -m fpga calibrate --engines`` synthesizes ``rtl/engine.v`` with yosys ``synth_xilinx``
(XCKU060 family, the Xilinx multiplier settings of ``make synth``) at every size of
:data:`ENGINE_SIZES`, twice:

* **flattened**, as ``make synth`` does: the totals (LUT, FF, DSP48E2, BRAM36) the model must
  reproduce;
* **hierarchical** (``-flatten`` off): yosys then counts every module, so the figures split
  into the engine's units (PE array, FFTs, hand-off lanes, element-wise unit, memories,
  control), which is what the model's per-unit formulas are fitted on;
* and one PE (``engine_pe`` with the engine's parameters) alone, flattened and hierarchical:
  how much flattening saves in the PE array, which dominates large engines, apart from the
  rest of the engine.

Sizes with role ``fit`` calibrate the model; the ``check`` size is held out: the model
predicts it without having seen it (``fpga/model.py``, ``python -m fpga model``).  The results
go to ``fpga/engine_calibration.json`` (committed; the model and docs are regenerated from it
without re-running synthesis).  Each size takes 3-60 min on one core (1 h 53 min in all,
measured on a loaded 2-core machine).
"""
from __future__ import annotations

import json
import math
import subprocess
import time
from pathlib import Path

from rtlsim.filelist import REPO

from . import flow
from .configs import Config
from .engine_mem import prepare_engine
from .parts import get_part
from .reports import module_totals

ENGINE_CALIBRATION = REPO / "fpga" / "engine_calibration.json"
XILINX_MUL = {"MUL_WIDTH": 27, "MUL_PIPE": 0}   # fpga.__main__.MUL_PARAMS["xilinx"]

# (config, role).  The sizes span k = 4 / 8 / 16, N_PE 2..32, WPAR 1..4, HLANES 1..4, LSTM with
# peepholes, LSTMP (projection) and GRU, one and two layers; the held-out size has the
# reference model's shape at a quarter of its cells.
ENGINE_SIZES: tuple[tuple[Config, str], ...] = (
    (Config.of("cal-tiny", "lstmp", 16, 64, 0, 1, k=4, n_pe=2), "fit"),
    (Config.of("cal-small", "lstmp", 16, 64, 0, 1, k=8, n_pe=4), "fit"),
    (Config.of("cal-gru-k16", "gru", 40, 128, 0, 2, k=16, n_pe=8, wpar=4, hlanes=2), "fit"),
    (Config.of("cal-lstmp-k8", "lstmp", 40, 128, 64, 2, k=8, n_pe=16, wpar=2, hlanes=4), "fit"),
    (Config.of("cal-lstmp-256", "lstmp", 153, 256, 128, 2, k=8, n_pe=32, wpar=4, hlanes=4), "check"),
)


def _commit() -> str:
    """The last commit that changed rtl/: the RTL the figures belong to."""
    try:
        return subprocess.run(["git", "log", "-1", "--format=%h", "--", "rtl"], cwd=REPO,
                              text=True, capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _figures(r) -> dict:
    return {"lut": r.lut, "lut_mem": r.lut_mem, "ff": r.ff, "dsp": r.dsp, "bram36": r.bram36}


def pe_params(cfg: Config) -> dict[str, int]:
    """engine_pe's parameters inside the engine of ``cfg`` (rtl/engine.v: XW, ACC_W)."""
    from .model import acc_width, engine_params
    F = cfg.model.formats
    return {"K": cfg.k, "X_WIDTH": F.fmt("data").width + int(math.log2(cfg.k)),
            "W_WIDTH": F.fmt("weight").width, "ACC_WIDTH": acc_width(engine_params(cfg)),
            "WPAR": cfg.wpar, **XILINX_MUL}


def measure_pe(cfg: Config, part_name: str = "xcku060") -> dict:
    """One PE of ``cfg``'s engine synthesized alone, flattened and hierarchical."""
    part = get_part(part_name)
    row = {"params": pe_params(cfg)}
    for mode, flatten in (("flat", True), ("hier", False)):
        out = flow.BUILD / "engine_pe" / f"{cfg.name}_{mode}_{part.name}"
        out.mkdir(parents=True, exist_ok=True)
        res = flow.synth_yosys("engine_pe", part, row["params"], cfg.name, out_dir=out,
                               flatten=flatten)
        used = res.used if flatten else module_totals(Path(out) / "stat.json", "engine_pe")["engine_pe"]
        row[mode] = _figures(used)
        print(f"  {cfg.name:<15} PE {mode:<4} LUT {used.lut:>6,.0f}  FF {used.ff:>6,.0f}  "
              f"DSP {used.dsp:>3.0f}  ({res.seconds:.0f} s)", flush=True)
    return row


# one PE alone at more (k, WPAR) than the engine sizes have: the PE array's formula (flattened
# PEs) is fitted on these and on the sizes' own PEs; widths of the lstmp-1024 model at that k
PE_GRID = tuple((k, w) for k in (4, 8, 16, 32) for w in (1, 2, 4, 8, 16) if w <= k // 2)


def measure_pe_grid(path: Path = ENGINE_CALIBRATION, part_name: str = "xcku060") -> dict:
    """Synthesize one PE at every (k, WPAR) of :data:`PE_GRID` and store them in ``path``."""
    data = json.loads(path.read_text()) if path.exists() else {"sizes": {}}
    grid = {}
    for i, (k, w) in enumerate(PE_GRID, 1):
        cfg = Config.of(f"pe-k{k}x{w}", "lstmp", 153, 1024, 512, 2, k=k, n_pe=64, wpar=w)
        print(f"[{i}/{len(PE_GRID)}] engine_pe k={k} WPAR={w}", flush=True)
        grid[f"{k}x{w}"] = measure_pe(cfg, part_name)
    data = json.loads(path.read_text()) if path.exists() else data
    data["pe_grid"] = grid
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return data


def measure_one(cfg: Config, part_name: str = "xcku060") -> dict:
    """Synthesize ``cfg``'s engine flattened and hierarchically; return its calibration row."""
    part = get_part(part_name)
    row: dict = {"config": cfg.record()}
    for mode, flatten in (("flat", True), ("hier", False)):
        out = flow.BUILD / "engine" / f"{cfg.name}_{mode}_{part.name}"
        out.mkdir(parents=True, exist_ok=True)
        params = {**prepare_engine(cfg, out), **XILINX_MUL}
        t0 = time.monotonic()
        res = flow.synth_yosys("engine", part, params, cfg.name, out_dir=out, flatten=flatten)
        sec = time.monotonic() - t0
        if flatten:
            row["params"] = params
            row["flat"] = _figures(res.used)
        else:
            units = module_totals(Path(out) / "stat.json", "engine")
            row["hier"] = {m: _figures(r) for m, r in sorted(units.items())}
        row[f"seconds_{mode}"] = round(sec, 1)
        print(f"  {cfg.name:<15} {mode:<4} LUT {res.used.lut:>8,.0f}  FF {res.used.ff:>8,.0f}  "
              f"DSP {res.used.dsp:>5.0f}  BRAM36 {res.used.bram36:>6.1f}  ({sec:.0f} s)", flush=True)
    row["pe"] = measure_pe(cfg, part_name)
    return row


def measure_engines(names: list[str] | None = None, part_name: str = "xcku060",
                    path: Path = ENGINE_CALIBRATION) -> dict:
    """Measure the sizes of :data:`ENGINE_SIZES` (all, or ``names``) and update ``path``."""
    header = {"tool": "yosys synth_xilinx -family xcu -noiopad (flattened; and without "
                      "-flatten for the per-unit split)",
              "part": get_part(part_name).name}
    data: dict = {}
    todo = [(c, role) for c, role in ENGINE_SIZES if not names or c.name in names]
    if names and len(todo) != len(names):
        known = ", ".join(c.name for c, _ in ENGINE_SIZES)
        raise KeyError(f"unknown engine size in {names}; known: {known}")
    for i, (cfg, role) in enumerate(todo, 1):
        r = cfg.record()
        print(f"[{i}/{len(todo)}] engine {cfg.name} ({role}): {r['cell']}, in {r['in_dim']}, "
              f"{r['hidden']} cells, proj {r['proj']}, {r['layers']} layer(s), k={cfg.k}, "
              f"N_PE={cfg.n_pe}, WPAR={cfg.wpar}, HLANES={cfg.hlanes}", flush=True)
        row = measure_one(cfg, part_name)
        row.update(role=role, rtl=_commit(), date=time.strftime("%Y-%m-%d"))
        # read again before writing: rows another run added meanwhile are kept
        data = json.loads(path.read_text()) if path.exists() else {}
        data.update(header)
        data.setdefault("sizes", {})[cfg.name] = row
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    if not names:
        measure_pe_grid(path, part_name)
    return data
