"""train.trainer / export / evaluate: the three modes, exact resume, export -> golden, CLI."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from golden.cli import UsageError
from golden.engine_layout import read_header
from golden.runner import run_fixed
from train.batches import synthetic_dataset
from train.config import PRESETS, TrainConfig
from train.export import load_bundle, to_golden, write_bundle
from train.evaluate import golden_logits
from train.trainer import CKPT, fit, load_checkpoint, model_from_checkpoint

DATA = synthetic_dataset(n_train=24, n_dev=6, n_test=6, dim=13, seed=0)


def _cfg(mode="dense", **kw):
    spec = dataclasses.replace(PRESETS["tiny"], input_size=13, hidden_size=8, bidirectional=True)
    base = dict(preset="tiny", model=spec, mode=mode, k=4, corpus="synthetic", epochs=3,
                batch_size=8, seed=3)
    base.update(kw)
    return TrainConfig(**base)


@pytest.mark.parametrize("mode", ["dense", "direct", "admm"])
def test_modes_train_and_end_in_the_right_form(tmp_path, mode):
    res = fit(_cfg(mode), tmp_path, DATA, progress=False)
    model, cfg = model_from_checkpoint(load_checkpoint(tmp_path / CKPT))
    assert model.spec.k == (1 if mode == "dense" else 4)
    hist = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert len(hist) == 3 and hist[-1]["train_loss"] < hist[0]["train_loss"]
    if mode == "admm":
        assert [h["phase"] for h in hist] == ["admm-pretrain", "admm", "retrain"]
        rounds = hist[1]["admm_rounds"]
        assert len(rounds) == 2 and rounds[1]["rho"] > rounds[0]["rho"]
    assert 0 <= res["test_per"]


@pytest.mark.parametrize("distill, avg, stop", [(0.0, 0, 2), (1.0, 2, 3)])
def test_resume_reaches_the_uninterrupted_result(tmp_path, distill, avg, stop):
    # second case: interrupted between the two averaged retrain epochs; the distillation
    # teacher (the dense model at the end of pre-training) and the running mean of the weights
    # must come back from the checkpoint
    cfg = _cfg("admm", epochs=4, qat_epochs=1, qat_steps=1, distill_weight=distill,
               avg_epochs=avg, retrain_lr=2e-3)
    fit(cfg, tmp_path / "a", DATA, progress=False)
    r = fit(cfg, tmp_path / "b", DATA, progress=False, stop_after=stop)
    assert r["interrupted"]
    fit(cfg, tmp_path / "b", DATA, progress=False, resume=True)
    a = load_checkpoint(tmp_path / "a" / CKPT)["model"]
    b = load_checkpoint(tmp_path / "b" / CKPT)["model"]
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_distillation_config_roundtrip_and_validation():
    cfg = _cfg("admm", distill_weight=0.5, distill_temp=2.0, teacher="runs/x")
    back = TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert back == cfg and back.distill_weight == 0.5 and back.teacher == "runs/x"
    old = cfg.to_dict()
    for name in ("distill_weight", "distill_temp", "teacher"):      # checkpoints before the option
        del old[name]
    assert TrainConfig.from_dict(old).distill_weight == 0.0
    with pytest.raises(ValueError, match="modes direct and admm"):
        _cfg("dense", distill_weight=1.0)
    with pytest.raises(ValueError, match="--teacher"):
        _cfg("direct", distill_weight=1.0)
    with pytest.raises(ValueError, match="distill_weight must be >= 0"):
        _cfg("admm", distill_weight=-1.0)


def test_distillation_from_a_teacher_run(tmp_path):
    fit(_cfg("dense", epochs=1), tmp_path / "teacher", DATA, progress=False)
    fit(_cfg("direct", epochs=1, distill_weight=1.0, teacher=str(tmp_path / "teacher")),
        tmp_path / "student", DATA, progress=False)
    ck = load_checkpoint(tmp_path / "student" / CKPT)
    teacher = load_checkpoint(tmp_path / "teacher" / CKPT)["model"]
    for key, v in ck["teacher"]["model"].items():                 # stored for --resume
        assert torch.equal(v, teacher[key])
    assert json.loads((tmp_path / "student" / "log.jsonl").read_text())["distill_loss"] > 0
    wrong = dataclasses.replace(PRESETS["tiny"], input_size=13, num_classes=7)
    fit(TrainConfig(preset="tiny", model=wrong, mode="dense", corpus="synthetic", epochs=1,
                    max_steps=1, batch_size=8), tmp_path / "wrong", DATA, progress=False)
    with pytest.raises(UsageError, match="--teacher .*num_classes 7 differs"):
        fit(_cfg("direct", epochs=1, distill_weight=1.0, teacher=str(tmp_path / "wrong")),
            tmp_path / "student2", DATA, progress=False)


def test_resume_refuses_another_config(tmp_path):
    fit(_cfg("dense", epochs=2), tmp_path, DATA, progress=False, stop_after=1)
    with pytest.raises(UsageError, match="different configuration"):
        fit(_cfg("dense", epochs=2, lr=1e-2), tmp_path, DATA, progress=False, resume=True)


def test_export_bundle_roundtrip_and_corruption(tmp_path):
    fit(_cfg("direct", epochs=1), tmp_path / "run", DATA, progress=False)
    model, cfg = model_from_checkpoint(load_checkpoint(tmp_path / "run" / CKPT))
    path = write_bundle(to_golden(model, cfg.golden_formats(), "t"), tmp_path / "bundle")
    gm = load_bundle(path)
    assert gm.config.k == 4
    # nothing unread: no per-matrix mem/ files, no params.vh (the engine images carry the build)
    assert not (path / "mem").exists() and not (path / "params.vh").exists()
    # a single-layer bidirectional model: one engine image per direction (golden.engine_layout)
    man = json.loads((path / "bundle.json").read_text())
    assert man["engine"]["written"] and man["engine"]["directions"] == 2
    for d in (0, 1):
        assert (path / "engine" / f"d{d}" / "w.mem").is_file()
        assert (path / "engine" / f"d{d}" / "engine_params.vh").is_file()
    # an engine of wide PEs and two hand-off lanes: its images and header say so
    wide = write_bundle(to_golden(model, cfg.golden_formats(), "t"), tmp_path / "wide", n_pe=4,
                        wpar=2, hlanes=2)
    man = json.loads((wide / "bundle.json").read_text())
    assert man["engine"]["wpar"] == 2 and man["engine"]["hlanes"] == 2
    vh = (wide / "engine" / "d0" / "engine_params.vh").read_text()
    assert ".WPAR(2)" in vh and ".HLANES(2)" in vh
    # golden on the bundle == golden's batched driver used by `eval` (padding + flipping)
    feats = [e.feats for e in DATA.test[:3]]
    batched = golden_logits(gm, feats, fixed=True)
    for f, lg in zip(feats, batched):
        np.testing.assert_array_equal(run_fixed(gm, f).squeeze().logits, lg)
    eng = json.loads((path / "bundle.json").read_text())["engine"]
    assert read_header(path / "engine" / "d0" / "engine_params.vh") == eng["hdl_params"]
    # corrupt one engine image: the checksum names it
    mem = path / "engine" / "d1" / "w.mem"
    mem.write_text(mem.read_text().replace("0", "1", 1))
    with pytest.raises(ValueError, match="files.engine/d1/w.mem"):
        load_bundle(path)


def test_bundle_with_mismatched_quantized_weights_is_rejected(tmp_path):
    fit(_cfg("direct", epochs=1), tmp_path / "run", DATA, progress=False)
    model, cfg = model_from_checkpoint(load_checkpoint(tmp_path / "run" / CKPT))
    path = write_bundle(to_golden(model, cfg.golden_formats(), "t"), tmp_path / "bundle")
    with np.load(path / "weights_q.npz") as z:
        q = {n: z[n] for n in z.files}
    q["l0.d0.w_x.re"][0, 0, 0] += 1
    np.savez(path / "weights_q.npz", **q)
    man = json.loads((path / "bundle.json").read_text())
    import hashlib
    man["files"]["weights_q.npz"] = hashlib.sha256((path / "weights_q.npz").read_bytes()).hexdigest()
    (path / "bundle.json").write_text(json.dumps(man))
    with pytest.raises(ValueError, match="quantized.l0.d0.w_x.re"):
        load_bundle(path)


def test_cli_tiny_end_to_end(tmp_path, capsys):
    """What CI runs: train a few steps, export, golden eval (float and fixed)."""
    from train.__main__ import main
    run, bundle = tmp_path / "run", tmp_path / "bundle"
    assert main(["fit", "--preset", "tiny", "--corpus", "synthetic", "--mode", "admm", "--k", "4",
                 "--epochs", "3", "--max-steps", "2", "--qat-epochs", "1", "--qat-steps", "1",
                 "--out", str(run), "--quiet", "--threads", "1"]) == 0
    assert main(["export", str(run), "--out", str(bundle), "--quiet"]) == 0
    assert main(["eval", str(run), "--split", "dev", "--fixed", "--golden-float", "--quiet",
                 "--threads", "1", "--json", str(tmp_path / "eval.json")]) == 0
    res = json.loads((tmp_path / "eval.json").read_text())
    assert {"per_float_torch", "per_float_golden", "per_fixed_golden"} <= set(res)
    # the QAT phase evaluates dev with the fixed-point emulation: golden agrees exactly
    last = json.loads((run / "log.jsonl").read_text().splitlines()[-1])
    assert last["phase"] == "qat" and last["dev_per"] == res["per_fixed_golden"]
    assert "bundle written" in capsys.readouterr().out


def test_torchrun_two_processes(tmp_path):
    """DDP over gloo with 2 CPU processes: trains, rank 0 writes the checkpoint and result."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--master_port", str(29500 + os.getpid() % 1000),
           "-m", "train", "fit", "--preset", "tiny", "--corpus", "synthetic", "--mode", "direct",
           "--k", "4", "--epochs", "2", "--batch-size", "8", "--out", str(tmp_path / "ddp"),
           "--quiet", "--threads", "1"]
    p = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    hist = [json.loads(line) for line in (tmp_path / "ddp" / "log.jsonl").read_text().splitlines()]
    assert len(hist) == 2
    assert json.loads((tmp_path / "ddp" / "result.json").read_text())["test_per"] >= 0


def test_cli_admm_defaults_per_preset():
    from train.__main__ import build_parser, config_from_args
    from train.config import ADMM_DEFAULTS

    def cfg(*argv):
        return config_from_args(build_parser().parse_args(["fit", "--out", "x", *argv]))
    assert cfg("--preset", "small", "--mode", "admm").retrain_lr == ADMM_DEFAULTS["small"]["retrain_lr"]
    assert cfg("--preset", "small", "--mode", "admm", "--retrain-lr", "0").retrain_lr == 0.0
    assert cfg("--preset", "small", "--mode", "dense").retrain_lr == 0.0
    assert cfg("--preset", "tiny", "--mode", "admm").retrain_lr == 0.0
    assert cfg("--preset", "small", "--mode", "admm").rho_growth == ADMM_DEFAULTS["small"]["rho_growth"]
    assert cfg("--preset", "small", "--mode", "admm", "--rho-growth", "3").rho_growth == 3.0
    assert cfg("--preset", "small", "--mode", "dense").rho_growth == 3.0
    assert cfg("--preset", "tiny", "--mode", "admm").rho_growth == 3.0


def test_cli_features_per_preset():
    """Each preset trains on its own feature preset unless --features says otherwise, and the
    feature dimension matches the preset's input size."""
    from train.__main__ import build_parser, config_from_args
    from train.config import PRESET_FEATURES, PRESETS
    from train.data.features import FeatureConfig

    def cfg(*argv):
        return config_from_args(build_parser().parse_args(["fit", "--out", "x", *argv]))
    assert set(PRESET_FEATURES) == set(PRESETS)
    for name, spec in PRESETS.items():
        assert cfg("--preset", name).features == PRESET_FEATURES[name]
        assert FeatureConfig.preset(PRESET_FEATURES[name]).dim == spec.input_size
    assert cfg("--preset", "small").features == "fbank40"
    assert cfg("--preset", "small", "--features", "mfcc39").features == "mfcc39"


def test_cli_batch_size_per_preset():
    from train.__main__ import build_parser, config_from_args
    from train.config import PRESET_DEFAULTS, TrainConfig

    def cfg(*argv):
        return config_from_args(build_parser().parse_args(["fit", "--out", "x", *argv]))
    small = PRESET_DEFAULTS["small"]["batch_size"]
    assert small != TrainConfig.batch_size
    for mode in ("dense", "direct", "admm"):
        assert cfg("--preset", "small", "--mode", mode).batch_size == small
        assert cfg("--preset", "tiny", "--mode", mode).batch_size == TrainConfig.batch_size
    assert cfg("--preset", "small", "--batch-size", "32").batch_size == 32


def test_cli_refuses_a_block_size_it_would_ignore_or_cannot_build(monkeypatch, tmp_path, capsys):
    """--k with the dense mode is refused, and an unsupported k is one line, both before any
    data is loaded and before the run directory exists."""
    import train.__main__ as cli

    def no_data(*a, **k):
        raise AssertionError("the corpus was loaded before the arguments were checked")
    monkeypatch.setattr(cli, "_dataset", no_data)
    out = tmp_path / "run"
    for argv, words in ((["--k", "8"], "--k sets the block size"),
                        (["--k-proj", "4"], "--k-proj sets the block size"),
                        (["--mode", "direct", "--k", "7"], "k=7 is not supported")):
        assert cli.main(["fit", "--preset", "tiny", "--corpus", "synthetic", *argv,
                         "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert words in err and err.startswith("error: ") and err.count("\n") == 1
    assert not out.exists()
    # the default block size of a circulant run is still 8
    cfg = cli.config_from_args(cli.build_parser().parse_args(["fit", "--out", "x", "--mode", "admm"]))
    assert cfg.k == 8


def test_cli_augmentation_defaults_per_preset():
    """The small preset trains with its augmentation recipe unless told otherwise; other
    presets, and random features, without."""
    from train.__main__ import build_parser, config_from_args
    from train.config import PRESET_DEFAULTS

    def cfg(*argv):
        return config_from_args(build_parser().parse_args(["fit", "--out", "x", *argv]))
    recipe = PRESET_DEFAULTS["small"]
    small = cfg("--preset", "small", "--mode", "admm")
    assert (small.augment, small.norm) == (recipe["augment"], "speaker")
    assert small.aug_copies == recipe["aug_copies"] == 6 and small.aug_clean == 0.5 and small.voices == "classic"
    assert cfg("--preset", "small", "--augment", "none").augment == ""
    assert cfg("--preset", "small", "--norm", "utterance").norm == "utterance"
    tiny = cfg("--preset", "tiny")
    assert (tiny.augment, tiny.norm, tiny.aug_copies) == ("", "speaker", 2)
    assert cfg("--preset", "small", "--corpus", "synthetic").augment == ""


def test_resume_is_exact_with_augmentation(tmp_path):
    """Augmented copies picked per epoch and SpecAugment masks per step come back the same
    after an interruption; and they do change the training."""
    from train.batches import Dataset, Example
    from train.data.augment import AugmentConfig

    rng = np.random.default_rng(5)
    noisy = [Example(e.feats + rng.normal(0, 0.5, e.feats.shape).astype(np.float32), e.labels,
                     e.utt_id) for e in DATA.train]
    data = Dataset("aug", DATA.input_size, DATA.train, DATA.dev, DATA.test, [noisy],
                   AugmentConfig.parse("noise"))
    cfg = _cfg("admm", epochs=4, augment="specaugment", retrain_lr=2e-3)
    fit(cfg, tmp_path / "a", data, progress=False)
    assert fit(cfg, tmp_path / "b", data, progress=False, stop_after=2)["interrupted"]
    fit(cfg, tmp_path / "b", data, progress=False, resume=True)
    fit(_cfg("admm", epochs=4, retrain_lr=2e-3), tmp_path / "plain", DATA, progress=False)
    a, b, plain = (load_checkpoint(tmp_path / r / CKPT)["model"] for r in ("a", "b", "plain"))
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)
    assert any(not torch.equal(a[key], plain[key]) for key in a)
