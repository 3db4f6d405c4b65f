"""Named configurations (``make synth CONFIG=...``) and how they become Verilog parameters.

A configuration is a table row: a model shape (``golden.model.ModelConfig``: cell type, sizes,
layers, block size k, number formats) and the engine build that runs it (N_PE circulant PEs,
WPAR multipliers per PE, HLANES hand-off lanes).  Everything else is derived once, by
``golden.engine_layout.EngineParams`` (``Config.engine``): the engine's sizes, memories and
Verilog parameters, which the resource model (:mod:`fpga.model`), the synthesis flow and the
report all read.  Each top receives only the overrides for the parameters it declares (found in
its module header), so one configuration serves the engine, the circulant PE and the FFT blocks
alike.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from golden.engine_layout import EngineParams
from golden.formats import Formats
from golden.model import ModelConfig
from rtlsim.filelist import filelist_for

CELLS = {"lstmp": ("lstm", True), "lstm": ("lstm", False), "gru": ("gru", False)}
"""The shape words of the tables: LSTM with peepholes, LSTM without, GRU."""


@dataclass(frozen=True)
class Config:
    name: str
    model: ModelConfig   # the model shape (one direction), k and number formats included
    n_pe: int            # circulant PEs (rtl/engine.v N_PE)
    wpar: int = 1        # complex multipliers per PE (words per beat, rtl/engine.v WPAR)
    hlanes: int = 1      # hand-off lanes (rtl/engine.v HLANES)
    description: str = ""
    # Extra Verilog parameters passed as they are (for names only one top uses).
    extra: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, cell: str, in_dim: int, hidden: int, proj: int, layers: int, k: int,
           n_pe: int, wpar: int = 1, hlanes: int = 1, description: str = "",
           data_width: int = 16, weight_width: int = 16) -> "Config":
        """A row from shape words: ``cell`` "lstmp" (LSTM with peepholes; projection if
        ``proj``), "lstm" or "gru"; ``in_dim`` input features (padded to a multiple of k in
        hardware); the default number formats (their widths must be ``data_width`` and
        ``weight_width``)."""
        if cell not in CELLS:
            raise ValueError(f"config {name}: cell {cell!r}: use one of {', '.join(CELLS)}")
        F = Formats()
        if (F.fmt("data").width, F.fmt("weight").width) != (data_width, weight_width):
            raise ValueError(f"config {name}: data/weight widths {data_width}/{weight_width} are "
                             f"not the default formats' ({F.data}, {F.weight}): give a "
                             f"ModelConfig with its formats")
        kind, peep = CELLS[cell]
        mc = ModelConfig(cell=kind, input_size=in_dim, hidden_size=hidden, num_layers=layers,
                         proj_size=proj, peephole=peep, k=k, name=name)
        return cls(name, mc, n_pe, wpar, hlanes, description)

    def rebuilt(self, name: str, k: int, n_pe: int, wpar: int, hlanes: int) -> "Config":
        """The same model shape at another block size and engine build."""
        return dataclasses.replace(self, name=name, n_pe=n_pe, wpar=wpar, hlanes=hlanes,
                                   model=dataclasses.replace(self.model, k=k, name=name))

    @property
    def engine(self) -> EngineParams:
        """The engine build (raises ValueError naming what does not fit)."""
        return EngineParams.for_model(self.model, self.n_pe, self.wpar, self.hlanes)

    @property
    def k(self) -> int:
        return self.model.k

    def record(self) -> dict:
        """The row in shape words (``Config.of(name, **record)`` rebuilds it): the calibration
        records and the reports use them."""
        m, F = self.model, self.model.formats
        cell = "gru" if m.cell == "gru" else ("lstmp" if m.peephole else "lstm")
        return {"cell": cell, "in_dim": m.input_size, "hidden": m.hidden_size,
                "proj": m.proj_size, "layers": m.num_layers, "k": m.k, "n_pe": self.n_pe,
                "wpar": self.wpar, "hlanes": self.hlanes, "data_width": F.fmt("data").width,
                "weight_width": F.fmt("weight").width}

    def generic_params(self) -> dict[str, int]:
        """Every parameter name a top may declare for this configuration, with its value: the
        engine's (EngineParams.hdl_params: build, formats, derived shape), W_WIDTH (the
        circulant PE's name for the weight width) and ``extra``."""
        p = self.engine.hdl_params()
        p["W_WIDTH"] = p["WEIGHT_WIDTH"]
        p.update(self.extra)
        return p


CONFIGS: dict[str, Config] = {
    c.name: c
    for c in (
        Config.of("tiny", "lstmp", 16, 64, 0, 1, k=4, n_pe=2,
                  description="test model: 16 in, 64 cells, k=4, 2 PEs"),
        Config.of("small", "lstmp", 16, 64, 0, 1, k=8, n_pe=4,
                  description="demo model: 16 in, 64 cells, k=8, 4 PEs"),
        Config.of("lstmp-1024-k4", "lstmp", 153, 1024, 512, 2, k=4, n_pe=64,
                  description="papers' TIMIT LSTMP (2x1024, proj 512), k=4"),
        Config.of("lstmp-1024-k8", "lstmp", 153, 1024, 512, 2, k=8, n_pe=64,
                  description="papers' TIMIT LSTMP (2x1024, proj 512), k=8 (reference)"),
        Config.of("lstmp-1024-k16", "lstmp", 153, 1024, 512, 2, k=16, n_pe=64,
                  description="papers' TIMIT LSTMP (2x1024, proj 512), k=16"),
        Config.of("gru-1024-k8", "gru", 153, 1024, 0, 2, k=8, n_pe=64,
                  description="GRU with the same sizes, k=8"),
        Config.of("gru-1024-k16", "gru", 153, 1024, 0, 2, k=16, n_pe=64,
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
