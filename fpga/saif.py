"""Read a SAIF file (switching activity, IEEE 1801 Annex I): duration, instances, toggle counts.

What ``python -m fpga activity`` writes (Verilator ``--trace-saif``) and Vivado's ``read_saif``
reads.  The file is a tree of parenthesized lists: a header (``(TIMESCALE 1ps)``,
``(DURATION 260835000)``), then ``(INSTANCE name (NET (net (T0 n) (T1 n) ... (TC n)) ...)
(INSTANCE child ...))``.  ``read_saif`` streams it line by line (a net may span lines) and keeps
each net's counts; ``root_instance`` reads no further than the first instance.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# a parenthesis, a quoted string, or an atom (backslash escapes as in `data\[3\]`)
_TOKEN = re.compile(r'\(|\)|"[^"]*"|(?:\\.|[^\s()"\\])+')
_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}


class SaifError(ValueError):
    """The file is not a SAIF file, or not one this reader understands; the message says where."""


@dataclass(frozen=True)
class Net:
    """One net's counts: time at 0, at 1 and at X (in timescale units) and its toggles."""
    t0: int
    t1: int
    tx: int
    tc: int


@dataclass
class Activity:
    """A SAIF file's contents: its time window and every net by hierarchical name."""
    timescale_s: float
    duration: int                    # in timescale units
    roots: list[str]                 # the top-level instances
    nets: dict[str, Net] = field(default_factory=dict)   # "engine/array_inst/x[3]" -> counts

    @property
    def duration_s(self) -> float:
        return self.duration * self.timescale_s

    def toggled(self, prefix: str = "") -> dict[str, Net]:
        """The nets under ``prefix`` (an instance path) with at least one toggle."""
        pre = prefix.rstrip("/") + "/" if prefix else ""
        return {n: v for n, v in self.nets.items() if v.tc > 0 and n.startswith(pre)}


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


def _timescale(args: list[str], where: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d*)?)\s*([a-z]+)", "".join(args))
    if not m or m.group(2) not in _UNITS:
        raise SaifError(f"{where}: TIMESCALE {' '.join(args)!r} is not a number and a unit "
                        f"({', '.join(_UNITS)})")
    return float(m.group(1)) * _UNITS[m.group(2)]


class _Frame:
    """An open parenthesis: a header or INSTANCE node, a net, or a net's (KEY value) field."""
    __slots__ = ("role", "kw", "args", "vals", "pushed")

    def __init__(self, role: str):
        self.role = role
        self.kw: str | None = None
        self.args: list[str] = []
        self.vals: dict[str, str] = {}
        self.pushed = False


def _events(path: Path) -> Iterator[tuple[str, object]]:
    """("header", (keyword, args)), ("instance", name), ("net", (path, Net)) in file order."""
    stack: list[_Frame] = []
    inst: list[str] = []
    seen_saifile = False
    with open(path, errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.lstrip().startswith("//"):
                continue
            where = f"{path}:{lineno}"
            for tok in _TOKEN.findall(line):
                if tok == "(":
                    parent = stack[-1] if stack else None
                    if parent is not None and parent.kw in ("NET", "PORT"):
                        stack.append(_Frame("net"))
                    elif parent is not None and parent.role == "net":
                        stack.append(_Frame("field"))
                    else:
                        stack.append(_Frame("node"))
                elif tok == ")":
                    if not stack:
                        raise SaifError(f"{where}: ')' closes nothing")
                    f = stack.pop()
                    if f.role == "field" and f.kw and f.args:
                        stack[-1].vals[f.kw] = f.args[0]
                    elif f.role == "net" and f.kw is not None:
                        try:
                            net = Net(*(int(f.vals.get(k, 0)) for k in ("T0", "T1", "TX", "TC")))
                        except ValueError:
                            raise SaifError(f"{where}: net {f.kw}: counts {f.vals} are not "
                                            f"integers") from None
                        yield "net", ("/".join(inst + [_unescape(f.kw)]), net)
                    elif f.role == "node" and f.kw == "INSTANCE" and f.pushed:
                        inst.pop()
                    elif f.role == "node" and len(stack) == 1 and f.kw not in ("INSTANCE", None):
                        yield "header", (f.kw, f.args)
                else:
                    if not stack and not seen_saifile:
                        raise SaifError(f"{path}: not a SAIF file (it starts with {tok!r}, not "
                                        f"(SAIFILE ...)")
                    if not stack:
                        raise SaifError(f"{where}: {tok!r} after the (SAIFILE ...) list")
                    f = stack[-1]
                    if f.kw is None:
                        f.kw = tok
                        if len(stack) == 1:
                            if tok != "SAIFILE":
                                raise SaifError(f"{path}: not a SAIF file (it starts with "
                                                f"({tok} ..., not (SAIFILE ...)")
                            seen_saifile = True
                    elif f.role == "node" and f.kw == "INSTANCE" and not f.pushed:
                        if tok.startswith('"'):          # (INSTANCE "design" name ...)
                            continue
                        inst.append(_unescape(tok))
                        f.pushed = True
                        yield "instance", "/".join(inst)
                    else:
                        f.args.append(tok)
    if not seen_saifile:
        raise SaifError(f"{path}: not a SAIF file (no (SAIFILE ...) list)")
    if stack:
        raise SaifError(f"{path}: ends inside an open list (a truncated file?)")


def read_saif(path: str | Path) -> Activity:
    """Every net of the SAIF file at ``path`` with its counts, and its time window."""
    path = Path(path)
    timescale, duration, roots, nets = None, None, [], {}
    for kind, val in _events(path):
        if kind == "net":
            name, net = val
            nets[name] = net
        elif kind == "instance":
            if "/" not in val:
                roots.append(val)
        elif val[0] == "TIMESCALE":
            timescale = _timescale(val[1], str(path))
        elif val[0] == "DURATION":
            try:
                duration = int(val[1][0])
            except (IndexError, ValueError):
                raise SaifError(f"{path}: DURATION {val[1]} is not an integer") from None
    if duration is None:
        raise SaifError(f"{path}: no (DURATION n) in the header")
    return Activity(timescale if timescale is not None else 1e-9, duration, roots, nets)


def root_instance(path: str | Path) -> str:
    """The name of the SAIF file's first top-level instance (reads no further)."""
    for kind, val in _events(Path(path)):
        if kind == "instance":
            return str(val)
    raise SaifError(f"{path}: no (INSTANCE ...) in the file")
