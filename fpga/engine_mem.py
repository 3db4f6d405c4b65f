"""Memory files and parameters for synthesizing ``rtl/engine.v`` at a named configuration, or
for a trained model's exported bundle (``make synth CONFIG=<bundle>``: ``bundle_config``).

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

import json
import shutil
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


def bundle_config(path: "str | Path") -> tuple[Config, Path]:
    """The engine build of an exported bundle (``python -m train export``; a run directory
    holding ``bundle/`` is taken too) and its first engine image directory (``engine/d0``).
    The bundle is checked first (``train.export.load_bundle``: checksums, shapes); ValueError
    names what is wrong: not a bundle, no engine images, images of another build."""
    from golden.engine_layout import read_header
    from train.export import MANIFEST, engine_models, load_bundle

    b = Path(path)
    if not (b / MANIFEST).is_file() and (b / "bundle" / MANIFEST).is_file():
        b = b / "bundle"
    gm = load_bundle(b)
    eng = json.loads((b / MANIFEST).read_text())["engine"]
    if not eng.get("written"):
        raise ValueError(f"{b}: the bundle has no engine images ({eng.get('reason')})")
    name = "bundle-" + (b.resolve().parent.name if b.name == "bundle" else b.name)
    c = Config(name, engine_models(gm)[0].config, eng["n_pe"], eng["wpar"], eng["hlanes"],
               description=f"trained model of {b}")
    images = b / "engine" / "d0"
    got, want = read_header(images / "engine_params.vh"), c.engine.hdl_params()
    if got != want:
        diff = ", ".join(f"{k} {got.get(k)} (now {v})" for k, v in want.items() if got.get(k) != v)
        raise ValueError(f"{b}: its engine images were written for other engine parameters "
                         f"({diff}): export the run again (python -m train export)")
    return c, images


def prepare_bundle(images: Path, out_dir: Path) -> dict[str, int]:
    """Copy a bundle's engine images to ``out_dir/mem`` (the engine's default MEM_PREFIX) and
    return the parameters they were written for."""
    from golden.engine_layout import read_header

    mem = out_dir / "mem"
    shutil.rmtree(mem, ignore_errors=True)
    mem.mkdir(parents=True)
    for f in images.iterdir():
        if f.suffix == ".mem":
            shutil.copy2(f, mem / f.name)
    return read_header(images / "engine_params.vh")
