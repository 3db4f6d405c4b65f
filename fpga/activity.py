"""Switching activity of the engine (a SAIF file) from Verilator, for Vivado's ``report_power``.

``python -m fpga activity`` runs rtl/engine.v in Verilator built with ``--trace-saif`` on some
frames -- the test utterances of a trained bundle, or random frames through the random model
of a named configuration that ``python -m fpga synth`` builds -- and writes every net's
toggle counts over the whole run to a SAIF file.  ``python -m fpga synth --saif FILE`` has
fpga/vivado/build.tcl read it (``read_saif``) before ``report_power``.

The run is the host runtime's (``runtime.sim.simulate``): the engine powers up holding the
model (its memory images, ``preloaded``), so no weight loading enters the window, the frames
stream at full rate, and the outputs are checked word for word against the golden model, so
the activity is that of a correct run.  The simulated clock is the one synthesis constrains
(``--clk-mhz``): Vivado turns toggle counts over the SAIF's duration into rates per second.
The multiplier parameters are Xilinx's (``MUL_PARAMS``), as ``synth`` builds the engine, so
the SAIF's nets are named as in the netlist Vivado implements.  The DUT is the SAIF's top
instance (``engine``): Verilator traces from the cocotb toplevel down (``--no-trace-top``
leaves out its own wrapper).

Nothing here measures power: the SAIF is an input to Vivado's estimate.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from golden.cli import UsageError

from . import configs as cfg
from .flow import BUILD, FlowError
from .saif import read_saif

TOP = "engine"
ACTIVITY = BUILD / "activity"
DEFAULT_FRAMES = 20          # frames per random sequence
SEED = 1


@dataclass
class Source:
    """The model the engine runs, its engine build and the input sequences."""
    name: str                          # run name: the configuration's or the bundle's
    model: object                      # golden.model.Model (one direction)
    n_pe: int
    wpar: int
    hlanes: int
    seqs: list[np.ndarray]             # (T, input_size) float features per utterance
    what: str                          # the model, for the progress line
    inputs: str                        # the input, for the progress line
    config: str | None = None          # the named configuration (random model), else None
    images: Path | None = None         # the bundle's engine images (engine/d0), else None


def clock_ps(clk_mhz: float) -> int:
    """The simulated clock period in ps for ``clk_mhz``: an even number (two equal halves)."""
    if not clk_mhz > 0:
        raise ValueError(f"clock {clk_mhz} MHz: must be > 0")
    return max(2, 2 * round(1e6 / clk_mhz / 2))


def random_source(config: str, utts: int, frames: int | None) -> Source:
    """The random model of ``config`` that synthesis builds (fpga.engine_mem), on ``utts``
    random sequences of ``frames`` frames."""
    from .engine_mem import engine_model

    c = cfg.get_config(config)
    model = engine_model(c)
    n = frames or DEFAULT_FRAMES
    rng = np.random.default_rng(SEED)
    seqs = [rng.standard_normal((n, model.config.input_size)) for _ in range(utts)]
    return Source(c.name, model, c.n_pe, c.wpar, c.hlanes, seqs,
                  f"random {c.name} model ({c.description})",
                  f"{utts} random sequence{'s' * (utts != 1)} of {n} frames", config=c.name)


def find_bundle(path: str | Path) -> Path:
    """The bundle of ``path``: a bundle directory, or a run directory holding ``bundle/``."""
    from train.export import MANIFEST
    from train.trainer import CKPT

    p = Path(path)
    want = ("give a bundle directory (`python -m train export RUN --out DIR`) or a run "
            "directory holding bundle/ (`make run` writes runs/main/bundle)")
    if not p.exists():
        raise UsageError(f"--bundle {p}: no such run or bundle directory; {want}")
    if not p.is_dir():
        raise UsageError(f"--bundle {p} is a file, not a run or bundle directory; {want}")
    if (p / MANIFEST).is_file():
        return p
    if (p / "bundle" / MANIFEST).is_file():
        return p / "bundle"
    if (p / CKPT).is_file():
        raise UsageError(f"--bundle {p}: a run directory without an exported bundle/; export it "
                         f"with `python -m train export {p} --out {p / 'bundle'}`")
    raise UsageError(f"--bundle {p}: neither a bundle ({MANIFEST}) nor a run directory with "
                     f"bundle/; {want}")


def bundle_source(path: str | Path, utts: int, frames: int | None,
                  progress: Callable[[str], None]) -> Source:
    """Direction 0 of the trained model in the bundle at ``path`` on the first ``utts``
    utterances of its test split (at most ``frames`` frames each), on the engine build the
    bundle was exported for."""
    from train.batches import run_dataset
    from train.config import TrainConfig
    from train.export import MANIFEST, engine_models, load_bundle

    bundle = find_bundle(path)
    gm = load_bundle(bundle)
    man = json.loads((bundle / MANIFEST).read_text())
    eng = man.get("engine") or {}
    if not eng.get("written"):
        raise UsageError(f"--bundle {bundle}: no engine images in it "
                         f"({eng.get('reason', 'bundle.json has no engine entry')}); the engine "
                         f"cannot run this model")
    train = (man.get("train") or {}).get("config")
    if not train:
        raise UsageError(f"--bundle {bundle}: {MANIFEST} has no training configuration "
                         f"('train.config'), so its test split is unknown; export the bundle "
                         f"from its run with `python -m train export RUN`")
    tc = TrainConfig.from_dict(train)
    progress(f"data: the test split of corpus {tc.corpus!r} (features {tc.features})")
    examples = run_dataset(tc).split("test")[:utts]
    if not examples:
        raise UsageError(f"--bundle {bundle}: corpus {tc.corpus!r} has no test utterances")
    models = engine_models(gm)
    model = models[0]
    seqs = [np.asarray(e.feats, dtype=np.float64)[:frames or None] for e in examples]
    c = model.config
    dirs = (f", direction 0 of {len(models)}" if len(models) > 1 else "")
    return Source(bundle.parent.name if bundle.name == "bundle" else bundle.name, model,
                  int(eng["n_pe"]), int(eng.get("wpar", 1)), int(eng.get("hlanes", 1)), seqs,
                  f"trained model of {bundle} ({c.cell}, {c.input_size} in, {c.hidden_size} "
                  f"cells, {c.num_layers} layer{'s' * (c.num_layers != 1)}, k={c.k}{dirs})",
                  f"{len(seqs)} test utterance{'s' * (len(seqs) != 1)}, "
                  f"{sum(len(s) for s in seqs)} frames", images=bundle / "engine" / "d0")


def saif_path(out: str | Path | None, name: str) -> Path:
    """``--out`` as the SAIF file (``.saif`` appended unless given), by default
    build/fpga/activity/<name>.saif."""
    if out is None:
        return ACTIVITY / f"{name}.saif"
    p = Path(out)
    if p.is_dir():
        raise UsageError(f"--out {p} is a directory; give the SAIF file to write (e.g. "
                         f"{p / (name + '.saif')})")
    return p if p.suffix == ".saif" else p.with_name(p.name + ".saif")


def record(src: Source, hdl: dict[str, int], clk_mhz: float, saif: Path, result: dict,
           activity, seconds: float) -> dict:
    """What ``<out>.json`` holds next to the SAIF: which engine it is the activity of."""
    from golden.engine_layout import EngineParams

    ep = EngineParams.for_model(src.model.config, src.n_pe, src.wpar, src.hlanes)
    return {"saif": str(saif), "top": TOP, "scope": activity.roots[0] if activity.roots else TOP,
            "config": src.config, "model": src.what, "inputs": src.inputs,
            "hdl_params": {**ep.hdl_params(), **hdl}, "clk_mhz": clk_mhz,
            "frames": result["frames"], "cycles": result["cycles"],
            "duration_s": activity.duration_s, "nets": len(activity.nets),
            "nets_toggled": len(activity.toggled()), "seconds": seconds}


def run(src: Source, out: Path, hdl: dict[str, int], clk_mhz: float,
        progress: Callable[[str], None] = print) -> dict:
    """Run ``src`` through the engine in Verilator with SAIF tracing, write ``out`` and
    ``out``.json; returns the record."""
    from golden.runner import run_fixed
    from rtlsim import sim_build_dir
    from runtime.sim import simulate

    period_ps = clock_ps(clk_mhz)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    tag = f"activity-{src.name}"
    logs = sim_build_dir("verilator", TOP, tag, trace="saif")
    progress(f"verilator: the engine with --trace-saif at {1e6 / period_ps:g} MHz "
             f"(log: {_rel(logs)}/build.log, sim.log)")
    t0 = time.monotonic()
    try:
        # the engine powers up holding the model (its memory images: a bundle's own): no load
        # in the window
        sim = simulate(src.model, src.seqs, "verilator", src.n_pe, src.wpar, src.hlanes,
                       max_frames=10 ** 9, tag=tag, hdl=hdl, progress=None, preloaded=True,
                       saif=out.resolve(), clk_ps=period_ps, images=src.images)
    except (AssertionError, RuntimeError, SystemExit) as e:
        raise FlowError(f"Verilator build or run of the engine failed ({e}); logs: "
                        f"{_rel(logs)}/build.log, sim.log") from None
    seconds = time.monotonic() - t0
    if len(sim.passes) != 1 or sim.passes[0]["load_writes"]:
        raise FlowError(f"the engine run was not one pass without a load ({len(sim.passes)} "
                        f"passes): the activity would include weight loading")
    for u, seq in enumerate(src.seqs):
        if not np.array_equal(sim.codes[u], run_fixed(src.model, seq).codes[:, 0]):
            raise FlowError(f"the engine's outputs of sequence {u} are not those of the golden "
                            f"model; log: {_rel(logs)}/sim.log")
    p = sim.passes[0]
    result = {"frames": p["frames"], "cycles": p["cycles"]}
    if not out.is_file():
        raise FlowError(f"Verilator wrote no SAIF file {out} (is WAVES=0 set in the "
                        f"environment? it turns tracing off); log: {_rel(logs)}/sim.log")
    progress(f"  {result['frames']} frames equal to the golden model's, {result['cycles']:,} "
             f"cycles ({result['cycles'] / max(result['frames'], 1):.0f} per frame), "
             f"{seconds:.0f} s")
    activity = read_saif(out)
    # the window must hold the frames: reset alone is a few cycles
    if activity.duration_s < result["cycles"] * period_ps * 1e-12:
        raise FlowError(f"{out}: the SAIF covers {activity.duration_s * 1e6:.3f} us, less than "
                        f"the {result['cycles']} cycles of the frames")
    rec = record(src, hdl, clk_mhz, out, result, activity, seconds)
    out.with_suffix(".json").write_text(json.dumps(rec, indent=2) + "\n")
    return rec


def format_summary(rec: dict) -> str:
    """The lines printed once the SAIF is written: window, nets, and the synth command."""
    lines = [f"wrote {_rel(Path(rec['saif']))}: {rec['duration_s'] * 1e6:.1f} us at "
             f"{rec['clk_mhz']:g} MHz, {rec['nets']:,} nets, {rec['nets_toggled']:,} of them "
             f"toggled; DUT instance '{rec['scope']}' (synth --saif strips it: read_saif "
             f"-strip_path)"]
    if rec["config"]:
        lines.append(f"next (Vivado): python -m fpga synth --tool vivado --config {rec['config']} "
                     f"--clk-mhz {rec['clk_mhz']:g} --saif {_rel(Path(rec['saif']))}")
    else:
        shape = ("K", "N_PE", "WPAR", "HLANES", "CELL", "LAYERS", "IN_SIZE", "HIDDEN", "PROJ",
                 "PEEP")
        params = ", ".join(f"{k}={rec['hdl_params'][k]}" for k in shape)
        lines.append(f"note: its nets are those of this engine build ({params}; every parameter "
                     f"in {_rel(Path(rec['saif']).with_suffix('.json'))}); `python -m fpga "
                     f"synth` builds the named configurations' engines")
    return "\n".join(lines)


def _rel(p: Path) -> str:
    """``p`` relative to the working directory when it is below it."""
    try:
        return str(Path(p).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)
