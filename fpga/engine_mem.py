"""Memory files and parameters for synthesizing ``rtl/engine.v`` at a named configuration.

The engine reads its weights, biases, peepholes and activation tables with ``$readmemh``
from ``MEM_PREFIX`` (rtl/engine.v header).  For synthesis we write them for a random model of
the configuration's shape with the golden model's own writer
(``golden.engine_layout.write_engine_mem``), so the memories have their real depths and
contents, and take the Verilog parameters from ``EngineParams.hdl_params()``: the same
expressions the engine's tests use.

The files go to ``<run dir>/mem/``, which is what the engine's default ``MEM_PREFIX = "mem/"``
names: both yosys and Vivado run with the run directory as their working directory, where
``$readmemh`` resolves relative paths.  (yosys's ``hierarchy -chparam`` takes no string
values, so the prefix is not passed as a parameter.)
"""
from __future__ import annotations

from pathlib import Path

from .configs import Config


def engine_model(cfg: Config, seed: int = 0):
    """The random golden model of ``cfg``'s shape whose memories synthesis writes."""
    from golden.model import Model

    return Model.random(cfg.model, seed=seed)


def prepare_engine(cfg: Config, out_dir: Path, seed: int = 0) -> dict[str, int]:
    """Write the engine's memory files under ``out_dir/mem`` and return its integer
    parameters (``MEM_PREFIX`` keeps its default, "mem/", relative to ``out_dir``)."""
    from golden.engine_layout import write_engine_mem

    model = engine_model(cfg, seed)
    params = cfg.engine
    write_engine_mem(model, params, out_dir / "mem", mem_prefix="mem/")
    return {k: int(v) for k, v in params.hdl_params().items()}
