"""Named configurations (``make synth CONFIG=...``) and how they become Verilog parameters.

A configuration is a model shape (cell type, sizes, layers) plus hardware parameters (block
size K, number of circulant PEs N_PE, widths).  Each top receives only the overrides for the
parameters it declares (found in its module header), so one configuration serves the engine,
the circulant PE and the FFT blocks alike.  The same table feeds the resource model
(:mod:`fpga.model`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .filelist import filelist_for


@dataclass(frozen=True)
class Config:
    name: str
    cell: str            # "lstmp" (LSTM with peepholes and projection) or "gru"
    in_dim: int          # input features (padded to a multiple of k in hardware)
    hidden: int          # cells
    proj: int            # projection size (0 = none; recurrence from h)
    layers: int
    k: int               # circulant block size
    n_pe: int            # circulant PEs
    wpar: int = 1        # complex multipliers per PE (words per beat, rtl/engine.v WPAR)
    hlanes: int = 1      # hand-off lanes (rtl/engine.v HLANES)
    data_width: int = 16
    weight_width: int = 16
    description: str = ""
    # Extra Verilog parameters passed as they are (for names only one top uses).
    extra: dict[str, int] = field(default_factory=dict)

    def generic_params(self) -> dict[str, int]:
        """Every parameter name a top may declare for this configuration, with its value."""
        p = {
            "K": self.k, "N_PE": self.n_pe, "WPAR": self.wpar, "HLANES": self.hlanes,
            "DATA_WIDTH": self.data_width,
            "W_WIDTH": self.weight_width, "WEIGHT_WIDTH": self.weight_width,
            "IN_SIZE": self.in_dim, "HIDDEN": self.hidden, "PROJ": self.proj,
            "LAYERS": self.layers,
            "CELL": int(self.cell == "gru"),          # engine: 0 LSTM, 1 GRU
            "PEEP": int(self.cell == "lstmp"),
        }
        p.update(self.extra)
        return p


CONFIGS: dict[str, Config] = {
    c.name: c
    for c in (
        Config("tiny", "lstmp", 16, 64, 0, 1, k=4, n_pe=2,
               description="test model: 16 in, 64 cells, k=4, 2 PEs"),
        Config("small", "lstmp", 16, 64, 0, 1, k=8, n_pe=4,
               description="demo model: 16 in, 64 cells, k=8, 4 PEs"),
        Config("lstmp-1024-k4", "lstmp", 153, 1024, 512, 2, k=4, n_pe=64,
               description="papers' TIMIT LSTMP (2x1024, proj 512), k=4"),
        Config("lstmp-1024-k8", "lstmp", 153, 1024, 512, 2, k=8, n_pe=64,
               description="papers' TIMIT LSTMP (2x1024, proj 512), k=8 (reference)"),
        Config("lstmp-1024-k16", "lstmp", 153, 1024, 512, 2, k=16, n_pe=64,
               description="papers' TIMIT LSTMP (2x1024, proj 512), k=16"),
        Config("gru-1024-k8", "gru", 153, 1024, 0, 2, k=8, n_pe=64,
               description="GRU with the same sizes, k=8"),
        Config("gru-1024-k16", "gru", 153, 1024, 0, 2, k=16, n_pe=64,
               description="GRU with the same sizes, k=16"),
    )
}
DEFAULT_CONFIG = "tiny"
REFERENCE_CONFIG = "lstmp-1024-k8"

_PARAM_RE = re.compile(r"\bparameter\s+(?:integer\s+|signed\s+|\[[^\]]*\]\s*)*(\w+)\s*=")


def get_config(name: str) -> Config:
    if name not in CONFIGS:
        raise KeyError(f"unknown CONFIG {name!r}; known: {', '.join(CONFIGS)}")
    return CONFIGS[name]


def top_parameters(top: str) -> list[str]:
    """Parameter names declared in the header ``#( ... )`` of module ``top``."""
    fl = filelist_for(top)
    for src in fl.sources:
        text = re.sub(r"//[^\n]*|/\*.*?\*/", "", src.read_text(), flags=re.S)
        m = re.search(r"\bmodule\s+" + re.escape(top) + r"\b\s*#\s*\((.*?)\)\s*\(", text, re.S)
        if m:
            return _PARAM_RE.findall(m.group(1))
        if re.search(r"\bmodule\s+" + re.escape(top) + r"\b", text):
            return []
    raise ValueError(f"module {top} not found in the sources of its file list")


def overrides_for(top: str, config: Config, extra: dict[str, int] | None = None) -> dict[str, int]:
    """The parameter overrides a configuration gives ``top`` (only names it declares)."""
    declared = top_parameters(top)
    values = config.generic_params()
    out = {n: values[n] for n in declared if n in values}
    for n, v in (extra or {}).items():
        if n not in declared:
            raise ValueError(f"{top} has no parameter {n} (it declares {declared})")
        out[n] = v
    return out
