"""The training loop: phases (dense / direct / ADMM pretrain, rounds, retrain / QAT), per-epoch
checkpoints with the full config, exact resume, optional DistributedDataParallel.

Determinism: model initialization is seeded by ``config.seed``; the batches of epoch e are a
pure function of (seed, e); there is no dropout.  A run resumed from the checkpoint of epoch e
therefore computes exactly what the uninterrupted run computes (tested).
"""
from __future__ import annotations

import copy
import dataclasses
import json
import logging
import math
import os
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from golden.atomic import atomic_write
from golden.cli import UsageError
from golden.formats import Formats

from .admm import AdmmState, distances, hard_project, target_ks
from .batches import Dataset, batches
from .data.augment import FEATURE_AUGMENTS, freq_warp, specaugment
from .data.features import FeatureConfig
from .config import ModelSpec, TrainConfig, with_k
from .ctc import ctc_loss, distill_loss, greedy_decode, per
from .models import SpeechRNN

log = logging.getLogger(__name__)

CKPT = "checkpoint.pt"
DENSE_PHASES = ("dense", "admm-pretrain", "admm")
DISTILL_PHASES = ("direct", "admm", "retrain", "qat")


# ---- distributed helpers -------------------------------------------------------------------

def dist_info() -> tuple[int, int]:
    """(rank, world size) under torchrun, else (0, 1)."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def maybe_init_distributed() -> tuple[int, int]:
    rank, world = dist_info()
    if world > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group("gloo")
    return rank, world


# ---- evaluation ----------------------------------------------------------------------------

@torch.no_grad()
def evaluate(model: SpeechRNN, examples, batch_size: int = 64, quant=None,
             beam: int = 0) -> dict:
    """PER (%) and mean CTC loss of ``model`` on ``examples`` (greedy or beam decoding)."""
    from .ctc import beam_decode

    model.eval()
    refs, hyps, losses = [], [], []
    for b in batches(examples, batch_size, shuffle=False):
        x = b.feats.to(next(model.parameters()).dtype)
        logits = model(x, b.lengths, quant=quant)
        losses.append(float(ctc_loss(logits, b.lengths, b.labels)) * len(b.labels))
        lg = logits.double().numpy()
        for j, L in enumerate(b.lengths.tolist()):
            hyps.append(beam_decode(lg[:L, j], beam) if beam else greedy_decode(lg[:L, j]))
            refs.append(b.labels[j].tolist())
    model.train()
    return {"per": per(refs, hyps), "loss": sum(losses) / max(len(refs), 1), "n": len(refs)}


# ---- checkpoints -----------------------------------------------------------------------------

def save_checkpoint(path: Path, state: dict) -> None:
    with atomic_write(path, "wb") as f:
        torch.save(state, f)


def _numpy_archive(path: Path) -> bool:
    """``path`` is a zip of .npy files (np.savez), not a torch.save zip."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    return bool(names) and all(n.endswith(".npy") for n in names)


WANT_RUN = f"give the run directory `python -m train fit --out` wrote (or its {CKPT})"


def run_checkpoint(run: str | Path) -> Path:
    """The checkpoint of ``run``, a run directory or a checkpoint file; a UsageError saying what
    ``run`` is instead (missing, an exported bundle, another directory)."""
    from .export import MANIFEST

    run = Path(run)
    if not run.exists():
        raise UsageError(f"{run}: no such run directory or checkpoint; {WANT_RUN}")
    if not run.is_dir():
        return run
    if (run / CKPT).is_file():
        return run / CKPT
    if (run / MANIFEST).is_file():
        raise UsageError(f"{run} is an exported bundle ({MANIFEST}), not a run directory; "
                         f"{WANT_RUN}; to validate the bundle: `python -m train check {run}`")
    raise UsageError(f"{run} is a directory without {CKPT}, not a run directory; {WANT_RUN}, "
                     f"or train one into it with `python -m train fit --out {run}`")


def load_checkpoint(path: str | Path) -> dict:
    """Read a checkpoint file; a UsageError naming the file if it is missing, unreadable
    (truncated, corrupt, another kind of file) or not a training checkpoint."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"checkpoint {path} not found; train one with `python -m train fit`")
    try:
        ck = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:             # torch.load's many ways to fail on a bad file
        if _numpy_archive(path):
            raise UsageError(f"{path} is a NumPy archive (an exported bundle's model.npz?), not a "
                             f"training checkpoint; {WANT_RUN}") from e
        raise UsageError(f"{path} is not a readable training checkpoint (truncated or corrupt: "
                         f"{type(e).__name__}); train the run again, or {WANT_RUN}") from e
    for key in ("config", "spec", "model", "epoch"):
        if not isinstance(ck, dict) or key not in ck:
            raise UsageError(f"{path}: not a training checkpoint (field '{key}' missing); {WANT_RUN}")
    return ck


def model_from_checkpoint(ck: dict) -> tuple[SpeechRNN, TrainConfig]:
    cfg = TrainConfig.from_dict(ck["config"])
    model = SpeechRNN(ModelSpec.from_dict(ck["spec"]))
    if ck.get("dtype") == "float64":
        model.double()
    model.load_state_dict(ck["model"])
    if ck.get("formats"):          # calibrated before QAT (or at the end): the run's formats
        cfg = dataclasses.replace(cfg, model=dataclasses.replace(
            cfg.model, formats=Formats.from_dict(ck["formats"])))
    return model, cfg


def run_formats(cfg: TrainConfig, calibration: dict | None) -> Formats:
    """The run's fixed-point formats: calibrated, else the configuration's."""
    return Formats.from_dict(calibration["formats"]) if calibration else cfg.golden_formats()


def calibrate_formats(model: SpeechRNN, cfg: TrainConfig, train: list) -> dict:
    """Formats chosen from the float model's ranges on the first ``cfg.calib_utts`` training
    utterances (golden.calibrate); returns the Calibration as a dict (formats, rows)."""
    from golden.calibrate import calibrate, float_ranges

    from .export import to_golden
    gm = to_golden(model, cfg.golden_formats(), "calibration")
    utts = [e.feats for e in train[:cfg.calib_utts]]
    t = time.perf_counter()
    cal = calibrate(gm, float_ranges(gm, utts), margin=cfg.calib_margin)
    log.info("formats calibrated on %d training utterances (%.0f s), margin %g:\n%s", len(utts),
             time.perf_counter() - t, cfg.calib_margin, cal.table())
    return cal.to_dict()


def make_teacher(cfg: TrainConfig, model: SpeechRNN) -> SpeechRNN:
    """The frozen distillation teacher: ``cfg.teacher`` (a run directory or checkpoint), or a
    copy of ``model`` (the run's own dense model at the end of ADMM pre-training)."""
    if cfg.teacher:
        teacher, _ = model_from_checkpoint(load_checkpoint(run_checkpoint(cfg.teacher)))
        for name in ("input_size", "num_classes"):
            if getattr(teacher.spec, name) != getattr(model.spec, name):
                raise UsageError(f"--teacher {cfg.teacher}: {name} {getattr(teacher.spec, name)} "
                                 f"differs from the student's {getattr(model.spec, name)}")
        teacher.float()
    else:
        teacher = copy.deepcopy(model).float()
    teacher.eval()
    teacher.requires_grad_(False)
    return teacher


def teacher_from_state(state: dict | None) -> SpeechRNN | None:
    if state is None:
        return None
    teacher = SpeechRNN(ModelSpec.from_dict(state["spec"]))
    teacher.load_state_dict(state["model"])
    teacher.eval()
    teacher.requires_grad_(False)
    return teacher


@torch.no_grad()
def average_in(avg: dict | None, model: SpeechRNN) -> dict:
    """Running mean of the model's weights: {'n': count, 'model': mean state dict}."""
    state = model.state_dict()
    if avg is None:
        return {"n": 1, "model": {key: v.detach().clone() for key, v in state.items()}}
    n = avg["n"] + 1
    for key, v in state.items():
        avg["model"][key] += (v - avg["model"][key]) / n
    return {"n": n, "model": avg["model"]}


# ---- the loop --------------------------------------------------------------------------------

def epoch_phases(cfg: TrainConfig) -> list[str]:
    out = []
    for name, n in cfg.phases():
        out += [name] * n
    return out


def phase_position(cfg: TrainConfig, epoch: int) -> tuple[str, int, int]:
    """(phase, index of ``epoch`` within it from 0, the phase's epochs) for ``epoch`` (from 0)
    of ``cfg``'s plan."""
    start = 0
    for phase, n in cfg.phases():
        if epoch < start + n:
            return phase, epoch - start, n
        start += n
    raise IndexError(f"epoch {epoch + 1} is past the plan's {start} epochs")


PHASE_WORDS = {"dense": "dense", "direct": "direct circulant training",
               "admm-pretrain": "dense pre-training", "retrain": "circulant retraining"}


def admm_rho(cfg: TrainConfig, round_number: int) -> float:
    """rho of ADMM round ``round_number`` (from 1): ``AdmmState.round`` multiplies it by
    ``rho_growth`` after each round."""
    return cfg.rho * cfg.rho_growth ** (round_number - 1)


def epoch_label(cfg: TrainConfig, epoch: int, rounds_per_epoch: int | None = None) -> str:
    """How the log names ``epoch`` (from 0): its number in the ``--epochs`` budget, or among
    the QAT epochs, and its phase in words with the block size it trains toward, e.g.
    ``epoch 9/20 (ADMM rounds 7-8 of 14 toward k=8, rho=0.0241, 0.041)`` or
    ``QAT epoch 1/1 (fixed point, k=8)``.  ``rounds_per_epoch``: the ADMM rounds an epoch
    really has (fewer than ``admm_rounds_per_epoch`` when it has fewer batches)."""
    phase, i, n = phase_position(cfg, epoch)
    k = cfg.target_spec.k
    if phase == "qat":
        return f"QAT epoch {i + 1}/{n} (fixed point, k={k})"
    head = f"epoch {epoch + 1}/{cfg.epochs}"
    if phase == "admm":
        per_epoch = cfg.admm_rounds_per_epoch if rounds_per_epoch is None else rounds_per_epoch
        if not per_epoch:
            return f"{head} (ADMM epoch {i + 1} of {n} toward k={k}, no rounds)"
        first, last = i * per_epoch + 1, (i + 1) * per_epoch
        rounds = f"round {first}" if first == last else f"rounds {first}-{last}"
        rhos = ", ".join(f"{admm_rho(cfg, r):.3g}" for r in range(first, last + 1))
        return f"{head} (ADMM {rounds} of {n * per_epoch} toward k={k}, rho={rhos})"
    if phase == "admm-pretrain":
        return f"{head} ({PHASE_WORDS[phase]} toward k={k})"
    return f"{head} ({PHASE_WORDS[phase]}, k={k})"


ADMM_NOTE = ("ADMM pulls the dense weights toward block-circulant form (k=%d): dev PER is "
             "expected to rise during these epochs and to recover in the circulant retraining")


def lr_at(cfg: TrainConfig, epoch: int, phase: str) -> float:
    if phase == "qat":
        return cfg.qat_lr
    if phase == "retrain" and cfg.retrain_lr:
        return cfg.retrain_lr * cfg.lr_decay ** phase_position(cfg, epoch)[1]
    half = cfg.epochs // 2
    return cfg.lr * cfg.lr_decay ** max(0, epoch - half)


def spec_for(cfg: TrainConfig, phase: str) -> ModelSpec:
    if phase in DENSE_PHASES:
        return with_k(cfg.model, 1, 0)
    return cfg.target_spec


def fit(cfg: TrainConfig, out_dir: str | Path, data: Dataset, resume: bool = False,
        progress: bool = True, stop_after: int | None = None) -> dict:
    """Train ``cfg`` on ``data`` into ``out_dir`` (checkpoint.pt, log.jsonl, result.json,
    train.log with this package's log messages).

    ``stop_after``: return after that many epochs (simulates an interruption, for tests).
    """
    rank, world = maybe_init_distributed()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pkg_log = logging.getLogger("train")
    handler = logging.FileHandler(out / "train.log") if rank == 0 else logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    pkg_log.addHandler(handler)
    if pkg_log.getEffectiveLevel() > logging.INFO:
        pkg_log.setLevel(logging.INFO)
    try:
        return _fit(cfg, out, data, resume, progress, stop_after, rank, world)
    finally:
        pkg_log.removeHandler(handler)
        handler.close()


@dataclass
class _State:
    """Everything a run carries from epoch to epoch (and, through the checkpoint, across a
    resume)."""
    model: SpeechRNN
    start_epoch: int = 0
    history: list = field(default_factory=list)
    teacher: SpeechRNN | None = None
    avg: dict | None = None
    calibration: dict | None = None
    ck: dict | None = None          # the resumed checkpoint, until its optimizer state is used
    opt: torch.optim.Optimizer | None = None
    admm: AdmmState | None = None
    quant: object = None            # train.quant.QuantContext during QAT


def _fit(cfg: TrainConfig, out: Path, data: Dataset, resume: bool, progress: bool,
         stop_after: int | None, rank: int, world: int) -> dict:
    main_proc = rank == 0
    plan = epoch_phases(cfg)
    st = _start(cfg, out, resume, main_proc, plan)
    t0 = time.perf_counter() - (st.history[-1]["elapsed"] if st.history else 0.0)
    for epoch in range(st.start_epoch, len(plan)):
        phase = plan[epoch]
        _enter_phase(st, cfg, plan, epoch, data)
        rec, label = _train_epoch(st, cfg, epoch, phase, data, progress and main_proc, rank, world)
        _average_weights(st, cfg, epoch)
        if epoch == len(plan) - 1 and st.calibration is None and cfg.calib_utts:
            st.calibration = calibrate_formats(st.model, cfg, data.train)   # no QAT: for export
        if main_proc:
            _evaluate_and_checkpoint(st, cfg, out, data, epoch, phase, rec, label, t0)
        if world > 1:
            torch.distributed.barrier()
        if stop_after is not None and epoch + 1 - st.start_epoch >= stop_after and epoch + 1 < len(plan):
            return {"interrupted": True, "epoch": epoch + 1}
    return _finish(st, cfg, out, data, plan, main_proc)


def _start(cfg: TrainConfig, out: Path, resume: bool, main_proc: bool, plan: list) -> _State:
    """A fresh model, or the state of the checkpoint in ``out`` (``resume``)."""
    if not (resume and (out / CKPT).exists()):
        torch.manual_seed(cfg.seed)
        if main_proc:      # a fresh run in a used directory: no records of the earlier run
            (out / "log.jsonl").write_text("")
        return _State(SpeechRNN(spec_for(cfg, plan[0])))
    ck = load_checkpoint(out / CKPT)
    if TrainConfig.from_dict(ck["config"]) != cfg:
        raise UsageError(f"--resume: {out / CKPT} was written by a different configuration; "
                         "rerun with the same options or another --out directory")
    model, _ = model_from_checkpoint(ck)
    st = _State(model, ck["epoch"], ck["history"], teacher_from_state(ck.get("teacher")),
                ck.get("avg"), ck.get("calibration"), ck)
    if main_proc:      # drop records of an epoch that was logged but not checkpointed
        (out / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in st.history))
    log.info("resuming %s at %s", out, epoch_label(cfg, st.start_epoch)
             if st.start_epoch < len(plan) else "the end (all epochs done)")
    return st


def _enter_phase(st: _State, cfg: TrainConfig, plan: list, epoch: int, data: Dataset) -> None:
    """At an epoch's start: the distillation teacher, and on a new phase (or after a resume)
    the hard projection, the switch to QAT (float64, calibrated formats), a fresh optimizer
    and ADMM state, restored from the resumed checkpoint within a phase."""
    phase = plan[epoch]
    first_of_phase = epoch == 0 or plan[epoch - 1] != phase
    if cfg.distill_weight > 0 and phase in DISTILL_PHASES and st.teacher is None:
        st.teacher = make_teacher(cfg, st.model)
        log.info("distillation from %s (weight %g, temperature %g)",
                 cfg.teacher or "the dense pre-trained model", cfg.distill_weight, cfg.distill_temp)
    if first_of_phase or st.opt is None:
        if first_of_phase and st.model.spec != spec_for(cfg, phase):
            log.info("hard projection onto block-circulant matrices (k=%d)", cfg.k)
            st.model = hard_project(st.model, spec_for(cfg, phase))
        if phase == "qat":
            from .quant import QuantContext
            st.model.double()
            if st.calibration is None and cfg.calib_utts:
                st.calibration = calibrate_formats(st.model, cfg, data.train)
            st.quant = QuantContext(run_formats(cfg, st.calibration))
        st.opt = torch.optim.Adam(st.model.parameters(), lr=lr_at(cfg, epoch, phase))
        if phase == "admm":
            st.admm = AdmmState(st.model, cfg.target_spec, cfg.rho)
            if first_of_phase:
                log.info(ADMM_NOTE, cfg.target_spec.k)
        if st.ck is not None and not first_of_phase:
            st.opt.load_state_dict(st.ck["optim"])
            if phase == "admm":
                st.admm.load_state_dict(st.ck["admm"])
        st.ck = None
    for g in st.opt.param_groups:
        g["lr"] = lr_at(cfg, epoch, phase)


def _train_epoch(st: _State, cfg: TrainConfig, epoch: int, phase: str, data: Dataset,
                 progress: bool, rank: int, world: int) -> tuple[dict, str]:
    """One epoch of batches (CTC, + the ADMM penalty, + distillation), ADMM rounds at their
    steps; returns the epoch's record so far and its label for the log."""
    model = st.model
    ddp = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    plan_b = list(batches(data.epoch_train(cfg.seed, epoch), cfg.batch_size, cfg.seed, epoch,
                          rank=rank, world=world))
    aug = cfg.augment_config()
    feature_aug = set(aug.kinds) & set(FEATURE_AUGMENTS)
    masks = np.random.default_rng([cfg.seed, epoch, rank, 0x5A]) if feature_aug else None
    warp_block = FeatureConfig.preset(cfg.features).base_dim if "warp" in feature_aug else 0
    cap = cfg.qat_steps if phase == "qat" and cfg.qat_steps else cfg.max_steps
    if cap:
        plan_b = plan_b[:cap]
    distill = cfg.distill_weight > 0 and phase in DISTILL_PHASES
    n_rounds = cfg.admm_rounds_per_epoch if phase == "admm" else 0
    round_at = {math.ceil((i + 1) * len(plan_b) / n_rounds) - 1 for i in range(n_rounds)}
    rounds = []
    label = epoch_label(cfg, epoch, len(round_at))
    _, in_phase, phase_epochs = phase_position(cfg, epoch)
    first_round, all_rounds = in_phase * len(round_at) + 1, phase_epochs * len(round_at)
    bar = tqdm(plan_b, desc=label, unit="batch", disable=not progress, leave=False)
    tot = tot_kd = 0.0
    dtype = next(model.parameters()).dtype
    model.train()
    for step, b in enumerate(bar):
        feats = b.feats
        if masks is not None:            # the feature-level augmentation of this batch
            x = feats.numpy()
            if warp_block:
                x = freq_warp(x, b.lengths.numpy(), aug, warp_block, masks)
            if "specaugment" in feature_aug:
                x = specaugment(x, b.lengths.numpy(), aug, masks)
            feats = torch.from_numpy(x)
        logits = ddp(feats.to(dtype), b.lengths, quant=st.quant)
        loss = ctc_loss(logits, b.lengths, b.labels)
        total = loss + st.admm.penalty(model) if phase == "admm" else loss
        if distill:
            with torch.no_grad():
                t_logits = st.teacher(feats.float(), b.lengths)
            kd = distill_loss(logits, t_logits, b.lengths, cfg.distill_temp)
            total = total + cfg.distill_weight * kd
            tot_kd += kd.item()
        st.opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        st.opt.step()
        lv = loss.item()
        tot += lv
        bar.set_postfix(loss=f"{lv:.3f}")
        if step in round_at:
            r = st.admm.round(model, cfg.rho_growth)
            rounds.append(r)
            log.info("ADMM round %d of %d: rho=%.3g  ||W - Proj(W)|| = %.4f (relative %.4f)",
                     first_round + len(rounds) - 1, all_rounds, r["rho"], r["dist"],
                     r["rel_dist"])
    bar.close()
    rec = {"epoch": epoch + 1, "phase": phase, "k": model.spec.k,
           "train_loss": tot / max(len(plan_b), 1), "lr": lr_at(cfg, epoch, phase)}
    if distill:
        rec["distill_loss"] = tot_kd / max(len(plan_b), 1)
    if rounds:
        rec["admm_rounds"] = rounds
    if phase in DENSE_PHASES and cfg.mode == "admm":
        ks = target_ks(cfg.target_spec)
        rec.update({f"proj_{key}": v for key, v in distances(
            model, {n: ks[n.rsplit(".", 1)[1]] for n in model.circulant_layers()}).items()})
    return rec, label


def _average_weights(st: _State, cfg: TrainConfig, epoch: int) -> None:
    """``--avg-epochs``: add this epoch's weights to the running mean; load it at the end."""
    if cfg.avg_epochs and cfg.epochs - cfg.avg_epochs <= epoch < cfg.epochs:
        st.avg = average_in(st.avg, st.model)
        if epoch == cfg.epochs - 1:
            st.model.load_state_dict(st.avg["model"])
            log.info("weights: mean over the last %d epochs", st.avg["n"])


def _evaluate_and_checkpoint(st: _State, cfg: TrainConfig, out: Path, data: Dataset, epoch: int,
                             phase: str, rec: dict, label: str, t0: float) -> None:
    """Dev PER/loss into the epoch's record, the record into log.jsonl, the checkpoint."""
    ev = evaluate(st.model, data.dev, cfg.eval_batch, quant=st.quant)
    rec.update({"dev_per": ev["per"], "dev_loss": ev["loss"], "elapsed": time.perf_counter() - t0})
    st.history.append(rec)
    log.info("%s: train loss %.3f, dev loss %.3f, dev PER %.2f%% (%.0f s)", label,
             rec["train_loss"], ev["loss"], ev["per"], rec["elapsed"])
    with open(out / "log.jsonl", "a") as f:
        f.write(json.dumps(rec) + "\n")
    dtype = next(st.model.parameters()).dtype
    state = {"config": cfg.to_dict(), "spec": st.model.spec.to_dict(), "epoch": epoch + 1,
             "phase": phase, "model": st.model.state_dict(), "optim": st.opt.state_dict(),
             "admm": st.admm.state_dict() if phase == "admm" else None,
             "history": st.history, "avg": st.avg, "dtype": str(dtype).replace("torch.", ""),
             "calibration": st.calibration,
             "formats": st.calibration["formats"] if st.calibration else None,
             "teacher": None if st.teacher is None else
             {"spec": st.teacher.spec.to_dict(), "model": st.teacher.state_dict()}}
    save_checkpoint(out / CKPT, state)


def _finish(st: _State, cfg: TrainConfig, out: Path, data: Dataset, plan: list,
            main_proc: bool) -> dict:
    """The test PER (fixed point after QAT) and result.json."""
    result = {"config": cfg.to_dict(), "history": st.history}
    if st.quant is None and plan[-1] == "qat":          # resumed after the last epoch
        from .quant import QuantContext
        st.quant = QuantContext(run_formats(cfg, st.calibration))
    if main_proc:
        test = evaluate(st.model, data.test, cfg.eval_batch, quant=st.quant)
        result.update({"test_per": test["per"], "test_loss": test["loss"],
                       "dev_per": st.history[-1]["dev_per"] if st.history else None,
                       "train_seconds": st.history[-1]["elapsed"] if st.history else 0.0,
                       "params": st.model.n_params(), "quantized": st.quant is not None,
                       "formats": run_formats(cfg, st.calibration).to_dict(),
                       "calibration": st.calibration})
        log.info("done: test PER %.2f%% (%s), %d parameters, %.0f s", test["per"],
                 "bit-accurate fixed point" if st.quant is not None else "float",
                 st.model.n_params(), result["train_seconds"])
        (out / "result.json").write_text(json.dumps(result, indent=2))
    return result
