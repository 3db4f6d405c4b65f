"""Parsers for the reports of both flows, all returning :class:`Resources` / plain dicts.

- yosys ``stat -json`` after ``synth_xilinx`` (cell counts by type) -> LUT/FF/DSP/BRAM36
- nextpnr-ecp5 ``--report`` JSON -> Fmax per clock, bel utilization, critical paths
- Vivado ``report_utilization`` and ``report_timing_summary`` text -> the same figures
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

# LUT sites used by each Xilinx LUT-as-memory / shift-register primitive (UG574, UG474).
LUTRAM_LUTS: dict[str, int] = {
    "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
    "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
    "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1D": 8,
    "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM512X1S": 8,
}
FF_CELLS = ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE")
DSP_CELLS = ("DSP48E1", "DSP48E2", "DSP48A1", "DSP48")
# Block RAM in 36 Kb units: a RAMB18 is half a tile.
BRAM_CELLS: dict[str, float] = {
    "RAMB36E1": 1.0, "RAMB36E2": 1.0, "FIFO36E1": 1.0, "FIFO36E2": 1.0,
    "RAMB18E1": 0.5, "RAMB18E2": 0.5, "FIFO18E1": 0.5, "FIFO18E2": 0.5,
}


@dataclass
class Resources:
    """Xilinx resource figures of one run (``lut`` includes LUTs used as memory)."""

    lut: float = 0
    ff: float = 0
    dsp: float = 0
    bram36: float = 0
    lut_logic: float = 0
    lut_mem: float = 0
    carry: float = 0
    other: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def resources_from_cells(cells: dict[str, int]) -> Resources:
    """Classify a ``{cell type: count}`` map of a ``synth_xilinx`` netlist."""
    r = Resources()
    for name, n in cells.items():
        t = name.lstrip("\\$")
        if re.fullmatch(r"LUT[1-6]", t):
            r.lut_logic += n
        elif t in LUTRAM_LUTS:
            r.lut_mem += n * LUTRAM_LUTS[t]
        elif t in FF_CELLS:
            r.ff += n
        elif t in DSP_CELLS:
            r.dsp += n
        elif t in BRAM_CELLS:
            r.bram36 += n * BRAM_CELLS[t]
        elif t in ("CARRY4", "CARRY8"):
            r.carry += n
        elif t in ("IBUF", "OBUF", "BUFG", "IBUFG", "INV", "scopeinfo"):
            continue  # INV is absorbed into LUTs by Vivado; buffers and scope info are not logic
        else:
            r.other[t] = r.other.get(t, 0) + n
    r.lut = r.lut_logic + r.lut_mem
    return r


def parse_yosys_stat(path_or_text: str | Path) -> tuple[Resources, dict[str, int]]:
    """Parse ``stat -json`` output (a Path to the file, or its text): totals -> Resources, cells.

    Raises ValueError when the text holds no ``design`` / cell counts (a failed run)."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in the yosys stat output")
    data = json.loads(text[start:])
    design = data.get("design")
    if design is None and data.get("modules"):
        design = next(iter(data["modules"].values()))
    if not design or "num_cells_by_type" not in design:
        raise ValueError("yosys stat JSON has no design cell counts (did synthesis fail?)")
    cells = {k.lstrip("\\$"): int(v) for k, v in design["num_cells_by_type"].items()}
    return resources_from_cells(cells), cells


# Segment types of nextpnr's critical-path report (``--report`` JSON, "critical_paths"; the
# same rows as the log's "Critical path report for clock ..."): "routing" is wire delay,
# "clk-skew" / "clk-to-clk" the clock's own, everything else (clk-to-q, logic, setup, source,
# hold) is cell delay, which nextpnr's log sums as "ns logic".
ROUTING_SEGMENTS = ("routing",)
CLOCK_SEGMENTS = ("clk-skew", "clk-to-clk")


@dataclass
class PathSegment:
    type: str
    from_: str                # "cell.port"
    to: str
    delay_ns: float
    net: str | None = None    # routing segments: the net, with its RTL source lines
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = {"type": self.type, "from": self.from_, "to": self.to, "delay_ns": self.delay_ns}
        if self.net is not None:
            d["net"] = self.net
        if self.sources:
            d["sources"] = list(self.sources)
        return d


@dataclass
class CriticalPath:
    """One of nextpnr's critical paths: launch register -> capture register."""

    clock_from: str           # e.g. "posedge clk"
    clock_to: str
    segments: list[PathSegment]

    def _sum(self, keep) -> float:
        return sum(s.delay_ns for s in self.segments if keep(s.type))

    @property
    def from_(self) -> str:
        return self.segments[0].from_

    @property
    def to(self) -> str:
        return self.segments[-1].to

    @property
    def delay_ns(self) -> float:
        return self._sum(lambda t: True)

    @property
    def routing_ns(self) -> float:
        return self._sum(lambda t: t in ROUTING_SEGMENTS)

    @property
    def clock_ns(self) -> float:
        return self._sum(lambda t: t in CLOCK_SEGMENTS)

    @property
    def logic_ns(self) -> float:
        return self._sum(lambda t: t not in ROUTING_SEGMENTS + CLOCK_SEGMENTS)

    def nets(self) -> list[PathSegment]:
        return [s for s in self.segments if s.net is not None]

    def as_dict(self) -> dict:
        d = {"clock_from": self.clock_from, "clock_to": self.clock_to, "from": self.from_,
             "to": self.to, "delay_ns": round(self.delay_ns, 4),
             "logic_ns": round(self.logic_ns, 4), "routing_ns": round(self.routing_ns, 4)}
        if self.clock_ns:
            d["clock_skew_ns"] = round(self.clock_ns, 4)
        d["segments"] = [s.as_dict() for s in self.segments]
        return d


@dataclass
class Ecp5Report:
    fmax_mhz: dict[str, float]        # achieved, per clock
    constraint_mhz: dict[str, float]  # requested, per clock
    utilization: dict[str, tuple[int, int]]  # bel type -> (used, available)
    critical_paths: list[CriticalPath] = field(default_factory=list)

    def critical_path(self) -> CriticalPath | None:
        """The path that sets the lowest Fmax: the longest one within one clock domain
        (a cross-domain path only when there is no other)."""
        same = [p for p in self.critical_paths if p.clock_from == p.clock_to]
        pool = same or self.critical_paths
        return max(pool, key=lambda p: p.delay_ns) if pool else None


def _endpoint(d: dict) -> str:
    return f"{d.get('cell', '?')}.{d.get('port', '?')}"


def _critical_path(entry: dict) -> CriticalPath:
    segs = []
    for s in entry.get("path", []):
        if not {"type", "delay", "from", "to"} <= set(s):
            raise ValueError(f"nextpnr critical path segment lacks type/delay/from/to: {s}")
        segs.append(PathSegment(str(s["type"]), _endpoint(s["from"]), _endpoint(s["to"]),
                                float(s["delay"]), s.get("net"), list(s.get("sources", []))))
    if not segs:
        raise ValueError("nextpnr critical path with no segments")
    return CriticalPath(str(entry.get("from", "")), str(entry.get("to", "")), segs)


def parse_nextpnr_report(path_or_text: str | Path) -> Ecp5Report:
    """Parse nextpnr's ``--report`` JSON (Fmax per clock, bel utilization and the critical
    paths); raise ValueError when no clock has an Fmax."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    data = json.loads(text)
    fmax = {c: float(v["achieved"]) for c, v in data.get("fmax", {}).items()}
    cons = {c: float(v.get("constraint", 0)) for c, v in data.get("fmax", {}).items()}
    if not fmax:
        raise ValueError("nextpnr report has no fmax entry (no clocked logic, or P&R failed)")
    util = {k: (int(v["used"]), int(v["available"]))
            for k, v in data.get("utilization", {}).items()}
    paths = [_critical_path(p) for p in data.get("critical_paths", [])]
    return Ecp5Report(fmax, cons, util, paths)


# --- Vivado text reports ---------------------------------------------------------------

# Row names in report_utilization: UltraScale ("CLB LUTs", "CLB Registers") and 7 series
# ("Slice LUTs", "Slice Registers"); synthesis-time reports append '*' to some names.
_VIVADO_ROWS = {
    "lut": ("CLB LUTs", "Slice LUTs"),
    "lut_logic": ("LUT as Logic",),
    "lut_mem": ("LUT as Memory",),
    "ff": ("CLB Registers", "Slice Registers"),
    "bram36": ("Block RAM Tile",),
    "dsp": ("DSPs",),
}


def _table_rows(text: str):
    """Yield (cells, header) for every row of every ``| a | b |`` table in a Vivado report."""
    header = None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("+"):
            continue
        if not s.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in s.strip("|").split("|")]
        if cells and cells[0] == "Site Type":
            header = cells
            continue
        if header:
            yield cells, header


def parse_vivado_utilization(path_or_text: str | Path) -> tuple[Resources, Resources]:
    """Parse ``report_utilization`` text: (used, available) for LUT/FF/DSP/BRAM36.

    Works whether or not the table has the ``Prohibited`` column (Vivado 2020.1+)."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    used, avail = Resources(), Resources()
    found = set()
    for cells, header in _table_rows(text):
        name = cells[0].rstrip("*").strip()
        for key, names in _VIVADO_ROWS.items():
            if name in names and key not in found and "Used" in header and "Available" in header:
                setattr(used, key, float(cells[header.index("Used")]))
                setattr(avail, key, float(cells[header.index("Available")]))
                found.add(key)
    missing = {"lut", "ff", "dsp", "bram36"} - found
    if missing:
        raise ValueError(f"report_utilization text lacks rows for {sorted(missing)}")
    return used, avail


def parse_vivado_timing_summary(path_or_text: str | Path) -> dict[str, float]:
    """Parse the "Design Timing Summary" table of ``report_timing_summary``: WNS, TNS, WHS."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "WNS(ns)" in line and "TNS(ns)" in line:
            names = re.split(r"\s{2,}", line.strip())
            for row in lines[i + 1:i + 4]:
                vals = row.split()
                if vals and not set(row.strip()) <= {"-", " "}:
                    out = {}
                    for n, v in zip(names, vals):
                        try:
                            out[n] = float(v)
                        except ValueError:
                            out[n] = float("nan")
                    return {"wns_ns": out.get("WNS(ns)", float("nan")),
                            "tns_ns": out.get("TNS(ns)", float("nan")),
                            "whs_ns": out.get("WHS(ns)", float("nan"))}
    raise ValueError("no Design Timing Summary table (WNS/TNS) in the timing report")


def parse_vivado_power(path_or_text: str | Path) -> float:
    """Total On-Chip Power (W) from ``report_power`` text."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    m = re.search(r"\|\s*Total On-Chip Power \(W\)\s*\|\s*([0-9.]+)", text)
    if not m:
        raise ValueError("no 'Total On-Chip Power (W)' row in the power report")
    return float(m.group(1))


# report_power's summary rows that say where the activity came from, and their keys here
POWER_SETTINGS = {"Confidence Level": "confidence", "Simulation Activity File": "activity_file",
                  "Design Nets Matched": "nets_matched"}


def parse_vivado_power_settings(path_or_text: str | Path) -> dict[str, str]:
    """The summary rows of ``report_power`` text that say how the activity was set: confidence
    level, simulation activity file, design nets matched (e.g. "87% (1234/1418)", "NA" when
    vectorless); the rows the report has."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    out = {}
    for row, key in POWER_SETTINGS.items():
        m = re.search(r"\|\s*" + re.escape(row) + r"\s*\|\s*([^|\n]*?)\s*\|", text)
        if m:
            out[key] = m.group(1)
    return out


def module_base(name: str) -> str:
    """A yosys module name without its ``$paramod$<hash>\\`` prefix and escapes: the RTL
    module's own name (``$paramod$1b2...\\engine_pe`` -> ``engine_pe``)."""
    return name.lstrip("\\").rsplit("\\", 1)[-1]


def module_totals(path_or_text: str | Path, top: str) -> dict[str, Resources]:
    """Per RTL module, the resources of all its instances under ``top`` with everything
    beneath them (a hierarchical ``synth_xilinx`` run's ``stat -json``): what the
    whole-engine calibration fits unit by unit.  ``top``'s own entry is the whole design."""
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    data = json.loads(text[text.find("{"):])
    mods = {name.lstrip("\\"): m.get("num_cells_by_type", {}) for name, m in data["modules"].items()}
    inclusive: dict[str, dict[str, int]] = {}

    def cells_of(name: str) -> dict[str, int]:
        # this module's primitive cells plus those of every submodule instance, recursively
        if name not in inclusive:
            acc: dict[str, int] = {}
            for t, n in mods[name].items():
                t = t.lstrip("\\")
                if t in mods:
                    for u, m in cells_of(t).items():
                        acc[u] = acc.get(u, 0) + n * m
                else:
                    acc[t.lstrip("$")] = acc.get(t.lstrip("$"), 0) + n
            inclusive[name] = acc
        return inclusive[name]

    tops = [n for n in mods if module_base(n) == top]
    if not tops:
        raise ValueError(f"yosys stat JSON has no module {top!r}")
    counts: dict[str, dict[str, int]] = {}

    def walk(name: str, times: int) -> None:
        base = module_base(name)
        tot = counts.setdefault(base, {})
        for u, m in cells_of(name).items():
            tot[u] = tot.get(u, 0) + times * m
        for t, n in mods[name].items():
            if t.lstrip("\\") in mods:
                walk(t.lstrip("\\"), times * n)

    walk(tops[0], 1)
    return {base: resources_from_cells(c) for base, c in counts.items()}
