"""Export a trained model: golden's Model container plus the files the RTL reads.

Bundle layout (``BUNDLE_VERSION``; documented in docs/training.md):

    bundle.json      manifest: bundle version, model config, formats, training config and
                     results, per-file SHA-256, per-parameter shapes
    model.npz        golden.model.Model: config + float64 time-domain circulant vectors,
                     biases, peepholes, classifier (``Model.load`` validates every field)
    weights_q.npz    quantized frequency-domain weights FFT(w)/k (re, im codes of ``weight``),
                     quantized biases / peepholes, activation knot tables
    engine/d{d}/     the images of the RTL engine (rtl/engine.v) written by
                     golden.engine_layout: w.mem (and its banks w_b00.mem ...), bias.mem,
                     peep.mem, sigmoid.mem, tanh.mem, engine_params.vh (MEM_PREFIX relative
                     to the bundle directory), for the engine build export_run names (n_pe,
                     wpar, hlanes; recorded in bundle.json's ``engine`` entry); one
                     directory per direction for a single-layer bidirectional model, d0 only
                     for a unidirectional one; absent (reason in bundle.json) if the model
                     does not fit the engine (dense k = 1, stacked bidirectional layers);
                     ``python -m runtime run`` (and so ``make run``) uses them as the engine's
                     power-up contents when it builds the engine they were written for

(Bundles written before 2026-12 also hold ``mem/*.mem`` per-matrix files and ``params.vh``, which
nothing read; they still load: the manifest lists the files it checks.)

``load_bundle`` re-reads a bundle and checks every file, checksum, shape and the agreement of
the quantized weights with model.npz, raising ValueError naming the field at fault.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
from pathlib import Path

import numpy as np

from golden.activations import act_table
from golden.circulant import quantize_freq_weights
from golden.engine_layout import DEFAULT_N_PE
from golden.fixed import quantize
from golden.formats import Formats
from golden.model import Model

from .models import SpeechRNN

log = logging.getLogger(__name__)

BUNDLE_VERSION = 1
MANIFEST = "bundle.json"
MATRICES = ("w_x", "w_r", "w_h", "w_p")


def to_golden(model: SpeechRNN, formats: Formats, name: str = "model") -> Model:
    """The golden Model container of a trained PyTorch model (float64 copies)."""
    cfg = dataclasses.replace(model.spec, name=name, formats=formats)
    params: dict[str, np.ndarray] = {}
    for l, d, lay in model.rnn_layers():
        pre = f"l{l}.d{d}."
        for n, m in lay.circulant_layers().items():
            params[pre + n] = m.vectors().detach().double().numpy()
        for n, p in lay.named_parameters(recurse=False):
            params[pre + n] = p.detach().double().numpy()
    params["cls.w"] = model.cls.weight.detach().double().numpy()
    params["cls.b"] = model.cls.bias.detach().double().numpy()
    return Model(cfg, params)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def quantized_arrays(gm: Model) -> dict[str, np.ndarray]:
    """Everything the hardware stores, as integer codes (int64)."""
    c, F = gm.config, gm.config.formats
    out: dict[str, np.ndarray] = {}
    for name, a in gm.params.items():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in MATRICES:
            re, im = quantize_freq_weights(a, F.fmt("weight"))
            out[name + ".re"], out[name + ".im"] = re, im
        elif leaf in ("b", "b_x", "b_h"):
            out[name] = quantize(a, F.fmt("bias"))
        elif leaf.startswith("p_"):
            out[name] = quantize(a, F.fmt("peep"))
    for func in ("sigmoid", "tanh"):
        out[f"act.{func}"] = act_table(func, F.fmt("pre"), F.fmt("gate"), F.act_seg_bits)
    return out


def engine_models(gm: Model) -> list[Model]:
    """The unidirectional models the engine runs: the model itself, or each direction of a
    single-layer bidirectional model (without the host-side classifier)."""
    c = gm.config
    if c.bidirectional and c.num_layers > 1:
        raise ValueError("bidirectional: stacked bidirectional layers need both directions of "
                         "layer l before layer l+1, so the bundle has no per-direction engine "
                         "images; the host runtime runs the model layer by layer "
                         "(python -m runtime run, docs/runtime.md)")
    out = []
    for d in range(c.dirs):
        cfg = dataclasses.replace(c, bidirectional=False, num_classes=0, name=f"{c.name}.d{d}")
        pre = f"d{d}."
        params = {n.replace(pre, "d0.", 1): a for n, a in gm.params.items()
                  if not n.startswith("cls.") and n.split(".")[1] + "." == pre}
        out.append(Model(cfg, params))
    return out


def write_engine_images(gm: Model, out: Path, n_pe: int, wpar: int = 1, hlanes: int = 1) -> dict:
    """engine/d{d}/ memory images via golden.engine_layout for an engine of ``n_pe`` PEs of
    ``wpar`` multipliers and ``hlanes`` hand-off lanes; returns the manifest entry."""
    from golden.engine_layout import EngineParams, check_model_fits, write_engine_mem

    try:
        models = engine_models(gm)
        eps = [EngineParams.for_model(m.config, n_pe, wpar, hlanes) for m in models]
        for m, ep in zip(models, eps):
            check_model_fits(m, ep)
    except ValueError as e:
        log.warning("no engine images: %s", e)
        return {"written": False, "reason": str(e)}
    for d, (m, ep) in enumerate(zip(models, eps)):
        write_engine_mem(m, ep, out / "engine" / f"d{d}", mem_prefix=f"engine/d{d}/")
    return {"written": True, "n_pe": n_pe, "wpar": wpar, "hlanes": hlanes, "directions": len(models),
            "hdl_params": eps[0].hdl_params(), "mac_beats_per_frame": eps[0].beats()}


def write_bundle(gm: Model, out_dir: str | Path, train_info: dict | None = None,
                 n_pe: int = DEFAULT_N_PE, wpar: int = 1, hlanes: int = 1) -> Path:
    """Write the bundle (see the module docstring) and return its directory."""
    out = Path(out_dir)
    if out.exists():
        for sub in ("mem", "engine"):
            shutil.rmtree(out / sub, ignore_errors=True)
        (out / "params.vh").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    c, F = gm.config, gm.config.formats
    gm.save(out / "model.npz")
    q = quantized_arrays(gm)
    np.savez(out / "weights_q.npz", **q)
    engine = write_engine_images(gm, out, n_pe, wpar, hlanes)
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest = {
        "bundle_version": BUNDLE_VERSION,
        "model_config": c.to_dict(),
        "formats": F.to_dict(),
        "params": {n: list(a.shape) for n, a in gm.params.items()},
        "quantized": {n: list(a.shape) for n, a in q.items()},
        "n_params": c.n_params(),
        "dense_equivalent_params": c.dense_equivalent_params(),
        "classifier": "host (float)",
        "engine": engine,
        "train": train_info or {},
        "files": {str(p.relative_to(out)): _sha(p) for p in files},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
    return out


def load_bundle(path: str | Path) -> Model:
    """Read and validate a bundle; returns golden's Model.  Raises ValueError naming the field."""
    from .trainer import CKPT

    out = Path(path)
    mpath = out / MANIFEST
    want = "give the directory `python -m train export RUN --out DIR` wrote"
    if not out.exists():
        raise ValueError(f"{out}: no such bundle directory; {want}")
    if (out / CKPT).is_file() or out.suffix == ".pt":
        raise ValueError(f"{out} is a training run, not an exported bundle; export it with "
                         f"`python -m train export {out} --out DIR`")
    if not out.is_dir():
        raise ValueError(f"{out} is a file, not a bundle directory; {want}")
    if not mpath.is_file():
        raise ValueError(f"{out}: field '{MANIFEST}' is missing (not an exported bundle); {want}")
    try:
        man = json.loads(mpath.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{mpath}: field '{MANIFEST}' is not valid JSON ({e})") from None
    for key in ("bundle_version", "model_config", "formats", "params", "quantized", "files"):
        if key not in man:
            raise ValueError(f"{mpath}: field '{key}' is missing")
    if man["bundle_version"] != BUNDLE_VERSION:
        raise ValueError(f"{mpath}: field 'bundle_version' is {man['bundle_version']!r}; "
                         f"this code reads version {BUNDLE_VERSION}")
    for rel, digest in man["files"].items():
        f = out / rel
        if not f.is_file():
            raise ValueError(f"{out}: field 'files.{rel}': file is missing")
        if _sha(f) != digest:
            raise ValueError(f"{out}: field 'files.{rel}': checksum mismatch (file corrupt or edited)")
    gm = Model.load(out / "model.npz")
    if gm.config.to_dict() != man["model_config"]:
        raise ValueError(f"{out}: field 'model_config' does not match model.npz's config")
    if gm.config.formats.to_dict() != man["formats"]:
        raise ValueError(f"{out}: field 'formats' does not match model.npz's formats")
    for name, shape in man["params"].items():
        if name not in gm.params:
            raise ValueError(f"{out}: field 'params.{name}' is not in model.npz")
        if list(gm.params[name].shape) != shape:
            raise ValueError(f"{out}: field 'params.{name}': shape {list(gm.params[name].shape)} "
                             f"!= manifest {shape}")
    with np.load(out / "weights_q.npz") as z:
        stored = {n: z[n] for n in z.files}
    expect = quantized_arrays(gm)
    for name, a in expect.items():
        if name not in stored:
            raise ValueError(f"{out}: field 'quantized.{name}' is missing from weights_q.npz")
        if stored[name].shape != a.shape or not np.array_equal(stored[name], a):
            raise ValueError(f"{out}: field 'quantized.{name}' does not match model.npz "
                             "(quantized weights and float weights disagree)")
    return gm


SATURATION_LIMIT = 1e-4       # export refuses a rounding point that clamps more than 0.01 %


def check_saturation(gm: Model, cfg, utts: int, limit: float = SATURATION_LIMIT,
                     allow: bool = False) -> dict:
    """Run the fixed-point model over the first ``utts`` dev utterances (golden.calibrate.measure)
    and refuse (UsageError) a model with a rounding point whose saturation rate exceeds
    ``limit`` (points whose clamps change no output bit are exempt); ``allow`` only warns."""
    from golden.calibrate import measure
    from golden.cli import UsageError

    from .batches import run_dataset
    ds = run_dataset(cfg)
    dev = [e.feats for e in ds.dev[:utts]]
    meas = measure(gm, dev)
    summary = meas.summary() | {"split": "dev", "limit": limit}
    over = meas.over(limit)
    for line in meas.lines(limit):
        log.info("%s", line)
    if over:
        what = ", ".join(f"{p} {100 * r:.3f} %" for p, r in over.items())
        msg = (f"saturation above {100 * limit:g} % on {len(dev)} dev utterances at: {what} "
               f"(formats {gm.config.formats.to_dict()})")
        if not allow:
            raise UsageError(msg + "; recalibrate (python -m train fit --calib-utts), widen the "
                             "formats, or export anyway with --allow-saturation")
        log.warning("%s; exported anyway (--allow-saturation)", msg)
    return summary


def export_run(run: str | Path, out_dir: str | Path, name: str | None = None, n_pe: int = DEFAULT_N_PE,
               wpar: int = 1, hlanes: int = 1, check_utts: int = 0,
               limit: float = SATURATION_LIMIT, allow_saturation: bool = False) -> Path:
    """Checkpoint (or run directory) -> bundle.  With ``check_utts``, the saturation check
    (``check_saturation``) runs first and its figures go into the manifest."""
    from .trainer import load_checkpoint, model_from_checkpoint, run_checkpoint

    run = Path(run)
    ck = load_checkpoint(run_checkpoint(run))
    model, cfg = model_from_checkpoint(ck)
    gm = to_golden(model, cfg.golden_formats(), name or (run if run.is_dir() else run.parent).name)
    hist = ck.get("history") or []
    info = {"config": cfg.to_dict(), "epochs": ck["epoch"], "phase": ck.get("phase"),
            "last_epoch": hist[-1] if hist else None, "calibration": ck.get("calibration")}
    if check_utts:
        info["saturation"] = check_saturation(gm, cfg, check_utts, limit, allow_saturation)
    path = write_bundle(gm, out_dir, info, n_pe, wpar, hlanes)
    load_bundle(path)
    log.info("exported %s -> %s (%s)", run, path, gm.summary())
    return path
