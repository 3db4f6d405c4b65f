"""The command lines' user errors (golden.cli): one `error:` line on stderr naming the thing and
the fix, exit status 2, no traceback, nothing written; ERNN_DEBUG=1 shows the traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from golden import cli
from golden.model import Model, ModelConfig
from train.__main__ import main as train_main
from train.export import write_bundle

REPO = Path(__file__).resolve().parents[1]


def one_error_line(capsys, *words: str) -> str:
    """stderr is one `error:` line holding ``words`` (and no traceback); returns it."""
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, Path]:
    """A bundle (from a random model, no training), a run directory whose checkpoint is
    truncated, a checkpoint of something else, an empty directory, a missing path."""
    root = tmp_path_factory.mktemp("cli")
    gm = Model.random(ModelConfig(cell="gru", input_size=8, hidden_size=8, k=4, num_classes=5,
                                  name="t"), 0)
    bundle = write_bundle(gm, root / "bundle")
    torch.save({"weights": torch.zeros(64)}, root / "other.pt")
    data = (root / "other.pt").read_bytes()
    (root / "run").mkdir()
    (root / "run" / "checkpoint.pt").write_bytes(data[:len(data) // 2])
    (root / "empty").mkdir()
    return {"bundle": bundle, "npz": bundle / "model.npz", "run": root / "run",
            "truncated": root / "run" / "checkpoint.pt", "other": root / "other.pt",
            "empty": root / "empty", "missing": root / "missing"}


# (path key, words of the message) for `eval` and `export` of something that is not a run
NOT_A_RUN = [
    ("missing", ["no such run directory or checkpoint", "give the run directory"]),
    ("bundle", ["is an exported bundle (bundle.json), not a run directory",
                "give the run directory", "python -m train check"]),
    ("npz", ["model.npz is a NumPy archive", "not a training checkpoint", "give the run directory"]),
    ("truncated", ["checkpoint.pt is not a readable training checkpoint (truncated or corrupt",
                   "train the run again"]),
    ("run", ["checkpoint.pt is not a readable training checkpoint"]),
    ("other", ["other.pt: not a training checkpoint (field 'config' missing)"]),
    ("empty", ["is a directory without checkpoint.pt, not a run directory",
               "python -m train fit --out"]),
]


@pytest.mark.parametrize("command,option", [("eval", "--json"), ("export", "--out")])
@pytest.mark.parametrize("key,words", NOT_A_RUN)
def test_eval_and_export_of_what_is_not_a_run(paths, tmp_path, capsys, command, option, key, words):
    out = tmp_path / "written"
    assert train_main([command, str(paths[key]), option, str(out), "--quiet"]) == 2
    one_error_line(capsys, str(paths[key]), *words)
    assert not out.exists()


def test_export_refuses_an_out_that_is_not_a_bundle(paths, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    for out in (tmp_path, tmp_path / "notes.txt"):
        before = sorted(p.name for p in tmp_path.iterdir())
        assert train_main(["export", str(paths["run"]), "--out", str(out), "--quiet"]) == 2
        one_error_line(capsys, f"--out {out}", "give a new directory or an earlier bundle's")
        assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("argv,words", [
    (["--wpar", "3"], ["--wpar 3: must be a power of two"]),
    (["--hlanes", "4", "--n-pe", "2"], ["--hlanes 4 must divide --n-pe 2"]),
])
def test_export_engine_options(paths, tmp_path, capsys, argv, words):
    out = tmp_path / "b"
    assert train_main(["export", str(paths["run"]), "--out", str(out), *argv]) == 2
    one_error_line(capsys, *words)
    assert not out.exists()


def test_fit_refuses_a_wrong_out_or_teacher(tmp_path, capsys, monkeypatch):
    import train.__main__ as train_cli

    monkeypatch.setattr(train_cli, "_dataset", lambda *a: pytest.fail("data loaded"))
    f = tmp_path / "file"
    f.write_text("")
    assert train_main(["fit", "--preset", "tiny", "--mode", "admm", "--out", str(f)]) == 2
    one_error_line(capsys, f"--out {f} is a file", "give a new directory")
    out = tmp_path / "run"
    assert train_main(["fit", "--preset", "tiny", "--mode", "admm", "--distill-weight", "1",
                       "--teacher", str(tmp_path / "nope"), "--out", str(out)]) == 2
    one_error_line(capsys, "nope: no such run directory or checkpoint")
    assert not out.exists()
    # a combination the training config refuses: one line, before any data is loaded
    assert train_main(["fit", "--preset", "tiny", "--mode", "admm", "--k", "8", "--epochs", "2",
                       "--out", str(out)]) == 2
    one_error_line(capsys, "mode admm needs --epochs >= 3", "python -m train fit --help")
    assert not out.exists()


def test_check_prints_the_bundle(paths, capsys):
    assert train_main(["check", str(paths["bundle"])]) == 0
    out = capsys.readouterr().out
    for words in ("bundle version 1", "1xGRU in=8 H=8", "k=4", "formats : data s16.12",
                  "engine  : images for N_PE 8", "bundle.json model.npz weights_q.npz",
                  "engine/d0/ ("):
        assert words in out, (words, out)


@pytest.mark.parametrize("key,words", [
    ("missing", ["no such bundle directory", "python -m train export"]),
    ("run", ["is a training run, not an exported bundle", "export it with"]),
    ("truncated", ["is a training run, not an exported bundle"]),
    ("npz", ["is a file, not a bundle directory"]),
    ("empty", ["field 'bundle.json' is missing (not an exported bundle)"]),
])
def test_check_of_what_is_not_a_bundle(paths, capsys, key, words):
    assert train_main(["check", str(paths[key])]) == 2
    one_error_line(capsys, str(paths[key]), *words)


def test_check_names_a_corrupt_file(paths, tmp_path, capsys):
    import shutil

    bundle = shutil.copytree(paths["bundle"], tmp_path / "b")
    man = json.loads((bundle / "bundle.json").read_text())
    name = next(n for n in man["files"] if n.startswith("engine/"))
    (bundle / name).write_text("0\n")
    assert train_main(["check", str(bundle)]) == 2
    one_error_line(capsys, f"files.{name}", "checksum mismatch")


def test_debug_env_shows_the_traceback(paths):
    argv = [sys.executable, "-m", "train", "eval", str(paths["bundle"])]
    env = {k: v for k, v in os.environ.items() if k != cli.DEBUG_ENV}
    plain = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert plain.stderr.startswith("error: ") and plain.stderr.count("\n") == 1
    debug = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120,
                           env={**env, cli.DEBUG_ENV: "1"})
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "UsageError" in debug.stderr


def test_run_reports_errors_failures_and_debugs(capsys, monkeypatch):
    def raises(e):
        raise e
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert cli.run(raises, KeyError("unknown part 'x'"), errors=(KeyError,)) == 2
    assert capsys.readouterr().err == "error: unknown part 'x'\n"       # no KeyError quotes
    assert cli.run(raises, RuntimeError("yosys failed"), failures=(RuntimeError,)) == 1
    assert capsys.readouterr().err == "error: yosys failed\n"
    with pytest.raises(ValueError):                                    # not a user error
        cli.run(raises, ValueError("bug"), failures=(RuntimeError,))
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(cli.UsageError):
        cli.run(raises, cli.UsageError("x"))
    monkeypatch.setenv(cli.DEBUG_ENV, "0")
    assert cli.run(raises, cli.UsageError("x")) == 2


@pytest.mark.parametrize("argv,words", [
    (["synth", "--tool", "yosys", "--part", "nope"], ["unknown part 'nope'", "known parts"]),
    (["synth", "--tool", "yosys", "--top", "round_sat", "--config", "nope"], ["unknown CONFIG"]),
    (["synth", "--tool", "yosys", "--top", "no_such_top"], ["no rtl/no_such_top.f"]),
    (["synth", "--tool", "yosys", "--top", "round_sat", "-P", "K"], ["-P wants NAME=VALUE"]),
    (["synth", "--tool", "yosys", "--top", "round_sat", "-P", "SHIFT=x"],
     ["-P SHIFT=x", "is not an integer"]),
    (["synth", "--tool", "yosys", "--top", "round_sat", "-P", "NOPE=1"], ["has no parameter NOPE"]),
    (["model", "--calibration", "/no/such/calibration.json"],
     ["--calibration /no/such/calibration.json: no such file"]),
])
def test_fpga_user_errors(tmp_path, monkeypatch, capsys, argv, words):
    from fpga import flow
    from fpga.__main__ import main as fpga_main

    monkeypatch.setattr(flow, "synth_yosys", lambda *a, **k: pytest.fail("synthesis started"))
    assert fpga_main(argv) == 2
    one_error_line(capsys, *words)


def _script(name: str):
    import importlib
    return importlib.import_module(f"scripts.{name}")


def test_collect_fmax_user_errors(tmp_path, monkeypatch, capsys):
    collect_fmax = _script("collect_fmax")
    monkeypatch.setattr(collect_fmax, "OUT", tmp_path / "ecp5_fmax.json")
    assert collect_fmax.main([str(tmp_path / "missing.json")]) == 2
    one_error_line(capsys, "missing.json: no such file", "python -m fpga fmax")
    bad = tmp_path / "fmax.json"
    bad.write_text("{ truncated")
    assert collect_fmax.main([str(bad), "--commit", "abc"]) == 2
    one_error_line(capsys, "fmax.json is not valid JSON")
    assert not collect_fmax.OUT.exists()


def test_bench_user_errors(tmp_path, capsys):
    from bench import choose, engine_cycles, golden_speed, sim_speed

    missing = tmp_path / "rows.json"
    assert engine_cycles.main(["--table", "--json", str(missing)]) == 2
    one_error_line(capsys, f"--json {missing}: no such file", "make engine-bench")
    assert engine_cycles.main(["--only", "lstmp-2048-k8", "--json", str(missing)]) == 2
    one_error_line(capsys, "--only lstmp-2048-k8: unknown model")
    assert choose.main(["--max-per", "10", "--max-dsp", "500", "--part", "nope"]) == 2
    one_error_line(capsys, "unknown part 'nope'")
    for main, argv, words in ((golden_speed.main, ["--batches", "16,x", "--json", ""],
                               "wants positive integers"),
                              (sim_speed.main, ["--sims", "modelsim", "--json", ""],
                               "unknown simulator(s) 'modelsim'")):
        with pytest.raises(SystemExit) as e:                           # argparse: usage, exit 2
            main(argv)
        assert e.value.code == 2 and words in capsys.readouterr().err
    assert not missing.exists()


def test_no_traceback_for_a_bad_bundle_in_golden_model(paths, capsys):
    """A bundle whose model.npz is replaced by junk: checksum first, so the file is named."""
    import shutil

    bundle = shutil.copytree(paths["bundle"], paths["empty"].parent / "junk-bundle")
    np.savez(bundle / "model.npz", x=np.zeros(2))
    assert train_main(["check", str(bundle)]) == 2
    one_error_line(capsys, "files.model.npz", "checksum mismatch")


def test_augmentation_and_condition_options(tmp_path, capsys, monkeypatch):
    """Unknown transforms, audio augmentation of a corpus without audio, unknown robustness
    conditions: one line each, before any data loads."""
    import train.__main__ as train_cli

    monkeypatch.setattr(train_cli, "_dataset", lambda *a: pytest.fail("data loaded"))
    out = tmp_path / "run"
    assert train_main(["fit", "--preset", "tiny", "--augment", "noise,echo", "--out", str(out)]) == 2
    one_error_line(capsys, "unknown augmentation(s) ['echo']", "speed, noise, reverb")
    assert train_main(["fit", "--preset", "tiny", "--corpus", "synthetic", "--augment", "speed",
                       "--out", str(out)]) == 2
    one_error_line(capsys, "corpus 'synthetic' has no audio to augment", "specaugment")
    assert not out.exists()
    assert train_main(["eval", str(tmp_path / "nope"), "--conditions", "noise20,noise3"]) == 2
    one_error_line(capsys, "--conditions: unknown condition(s) noise3", "noise10", "'all'")
