"""The power path: ``python -m fpga activity`` (the engine in Verilator writes a SAIF file),
the SAIF reader, and ``python -m fpga synth --saif`` through fpga/vivado/build.tcl with a
stand-in ``vivado`` (Tcl with Vivado's commands stubbed, writing sample reports).

No power is measured: these check that the activity is written, covers the frames and reaches
Vivado's read_saif, and that the figure Vivado would print lands in result.json.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fpga import activity, flow
from fpga.__main__ import main as fpga_main
from rtlsim.filelist import REPO
from fpga.saif import SaifError, read_saif, root_instance

DATA = Path(__file__).parent / "data" / "fpga"

SAIF = """// hand-written
(SAIFILE
(SAIFVERSION "2.0")
(DIRECTION "backward")
(DIVIDER / )
(TIMESCALE 10 ns)
(DURATION 1000)
 (INSTANCE "tb_mod" tb
  (INSTANCE dut
   (NET
    (clk (T0 500) (T1 500) (TX 0) (TC 200))
    (data\\[3\\]
      (T0 1000) (T1 0) (TZ 0) (TX 0) (TB 0) (TC 0))
   )
   (INSTANCE u0
    (PORT (q (T0 400) (T1 600) (TC 17) (IG 0)))
   )
  )
 )
)
"""


def one_error_line(capsys, *words: str) -> str:
    """stderr is one `error:` line holding ``words``; returns it."""
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for w in words:
        assert w in err, (w, err)
    return err


# --- the SAIF reader -----------------------------------------------------------------------

def test_read_saif_nets_escapes_and_window(tmp_path):
    f = tmp_path / "a.saif"
    f.write_text(SAIF)
    a = read_saif(f)
    assert a.roots == ["tb"] and a.duration == 1000
    assert a.duration_s == pytest.approx(10e-6)
    assert set(a.nets) == {"tb/dut/clk", "tb/dut/data[3]", "tb/dut/u0/q"}
    assert a.nets["tb/dut/clk"].tc == 200 and a.nets["tb/dut/data[3]"].t0 == 1000
    assert set(a.toggled("tb/dut/u0")) == {"tb/dut/u0/q"}
    assert root_instance(f) == "tb"


@pytest.mark.parametrize("text,words", [
    ("(VCD)\n", "not a SAIF file"),
    ("", "not a SAIF file"),
    ("(SAIFILE (DURATION 10) (INSTANCE top (NET (a (TC 1)))\n", "ends inside an open list"),
    ("(SAIFILE (INSTANCE top))\n", "no (DURATION n)"),
    ("(SAIFILE (TIMESCALE 1 parsec) (DURATION 10))\n", "TIMESCALE"),
    ("(SAIFILE (DURATION 10) (INSTANCE top (NET (a (TC x)))))\n", "not integers"),
])
def test_read_saif_rejects_what_it_cannot_read(tmp_path, text, words):
    f = tmp_path / "bad.saif"
    f.write_text(text)
    with pytest.raises(SaifError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_saif(f)


# --- synth --saif: refused before any tool runs --------------------------------------------

@pytest.fixture
def no_synthesis(monkeypatch):
    for name in ("synth_yosys", "synth_vivado"):
        monkeypatch.setattr(flow, name, lambda *a, **k: pytest.fail("synthesis started"))


@pytest.fixture
def fft_saif(tmp_path) -> Path:
    f = tmp_path / "fft_real.saif"
    f.write_text("(SAIFILE (TIMESCALE 1ps) (DURATION 100)\n (INSTANCE fft_real\n"
                 "  (NET (clk (T0 50) (T1 50) (TX 0) (TC 20)))))\n")
    return f


def test_synth_saif_missing_file_is_one_line(tmp_path, no_synthesis, capsys):
    missing = tmp_path / "missing.saif"
    assert fpga_main(["synth", "--top", "fft_real", "--saif", str(missing)]) == 2
    one_error_line(capsys, f"--saif {missing}: no such file", "python -m fpga activity")
    assert fpga_main(["synth", "--tool", "vivado", "--top", "fft_real",
                      "--saif", str(missing)]) == 2
    one_error_line(capsys, "no such file")


def test_synth_saif_refusals(tmp_path, fft_saif, no_synthesis, monkeypatch, capsys):
    assert fpga_main(["synth", "--tool", "yosys", "--top", "fft_real",
                      "--saif", str(fft_saif)]) == 2
    one_error_line(capsys, "--saif", "Vivado's report_power", "open flow")
    assert fpga_main(["synth", "--tool", "vivado", "--synth-only", "--top", "fft_real",
                      "--saif", str(fft_saif)]) == 2
    one_error_line(capsys, "--synth-only", "routed design")
    assert fpga_main(["synth", "--tool", "vivado", "--top", "cmul", "--saif", str(fft_saif)]) == 2
    one_error_line(capsys, "top instance is 'fft_real', not cmul", "--saif-scope")
    assert fpga_main(["synth", "--tool", "vivado", "--top", "fft_real",
                      "--saif-scope", "tb/dut"]) == 2
    one_error_line(capsys, "--saif-scope", "--saif")
    not_saif = tmp_path / "x.saif"
    not_saif.write_text("$date today $end\n")
    assert fpga_main(["synth", "--tool", "vivado", "--top", "fft_real",
                      "--saif", str(not_saif)]) == 2
    one_error_line(capsys, "not a SAIF file")


# --- synth --saif through build.tcl, with a stand-in vivado --------------------------------

FAKE_VIVADO = """#!{python}
# A stand-in for `vivado -mode batch ... -source build.tcl -tclargs ...`: runs the script in
# Tcl with Vivado's commands stubbed; each records its call in calls.txt, and a report
# command writes a sample report (power.rpt from a SAIF once read_saif was called).
import os
import shutil
import sys
import tkinter
from pathlib import Path

DATA = Path({data!r})
SAMPLES = {{"utilization.rpt": "utilization_ku060.rpt", "timing_summary.rpt": "timing_summary.rpt",
           "power_vectorless.rpt": "power.rpt"}}
args = sys.argv[1:]
script, tclargs = args[args.index("-source") + 1], args[args.index("-tclargs") + 1:]
log = Path.cwd() / "calls.txt"
read = []


def stub(name):
    def run(*a):
        with open(log, "a") as fh:
            fh.write(" ".join((name,) + a) + "\\n")
        if name == "read_saif":
            read.append(a)
        if "-file" in a:
            out = Path(a[a.index("-file") + 1])
            sample = SAMPLES.get(out.name)
            if out.name == "power.rpt":
                sample = "power_saif.rpt" if read else "power.rpt"
            if sample:
                shutil.copy(DATA / sample, out)
        return ""
    return run


tcl = tkinter.Tcl()
for name in {commands!r}:
    tcl.createcommand(name, stub(name))
tcl.createcommand("exit", lambda code=0: os._exit(int(code)))   # tkinter's Tcl has no exit
tcl.setvar("argv", tcl.call("list", *tclargs))
tcl.setvar("argc", len(tclargs))
tcl.eval("source {{" + script + "}}")
"""
COMMANDS = ("set_param", "read_verilog", "read_xdc", "synth_design", "write_checkpoint",
            "report_utilization", "report_timing_summary", "opt_design", "place_design",
            "phys_opt_design", "route_design", "report_power", "report_drc", "read_saif")


@pytest.fixture
def fake_vivado(tmp_path, monkeypatch) -> Path:
    pytest.importorskip("tkinter")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "vivado"
    exe.write_text(FAKE_VIVADO.format(python=sys.executable, data=str(DATA), commands=COMMANDS))
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(flow, "BUILD", tmp_path / "build")
    return tmp_path / "build"


def test_synth_saif_reaches_read_saif_and_result_json(fake_vivado, fft_saif, capsys):
    assert fpga_main(["synth", "--top", "fft_real", "--saif", str(fft_saif)]) == 0
    out = capsys.readouterr().out
    assert "0.587 W total on-chip (Vivado's estimate from the activity of" in out
    assert "design nets matched 87% (11905/13684); vectorless 0.612 W" in out
    (run,) = fake_vivado.glob("fft_real/*_vivado")
    calls = (run / "calls.txt").read_text().splitlines()
    names = [c.split()[0] for c in calls if c.split()[0] in ("read_saif", "report_power")]
    assert names == ["report_power", "read_saif", "report_power"]
    read = next(c.split() for c in calls if c.startswith("read_saif"))
    assert read[read.index("-strip_path") + 1] == "fft_real"
    assert read[-1] == str(fft_saif.resolve())
    res = json.loads((run / "result.json").read_text())
    assert res["power_w"] == 0.587
    assert res["power_activity"]["nets_matched"] == "87% (11905/13684)"
    assert res["power_activity"]["vectorless_w"] == 0.612
    assert res["power_activity"]["scope"] == "fft_real"


def test_synth_without_saif_stays_vectorless(fake_vivado, capsys):
    assert fpga_main(["synth", "--top", "fft_real"]) == 0
    assert "0.612 W total on-chip (vectorless estimate)" in capsys.readouterr().out
    (run,) = fake_vivado.glob("fft_real/*_vivado")
    assert "read_saif" not in (run / "calls.txt").read_text()
    res = json.loads((run / "result.json").read_text())
    assert res["power_w"] == 0.612 and res["power_activity"] == {}


# --- activity: user errors ------------------------------------------------------------------

@pytest.fixture
def bundles(tmp_path_factory) -> dict[str, Path]:
    """A bundle without a training configuration (random model), a run directory without a
    bundle, an empty directory, a file, a missing path."""
    from golden.model import Model, ModelConfig
    from train.export import write_bundle

    root = tmp_path_factory.mktemp("bundles")
    gm = Model.random(ModelConfig(cell="gru", input_size=8, hidden_size=8, k=4, num_classes=5,
                                  name="t"), 0)
    write_bundle(gm, root / "untrained")
    (root / "run").mkdir()
    (root / "run" / "checkpoint.pt").write_bytes(b"")
    (root / "empty").mkdir()
    (root / "file").write_text("x")
    return {"untrained": root / "untrained", "run": root / "run", "empty": root / "empty",
            "file": root / "file", "missing": root / "missing"}


@pytest.mark.parametrize("key,words", [
    ("missing", ["no such run or bundle directory", "python -m train export"]),
    ("file", ["is a file, not a run or bundle directory"]),
    ("empty", ["neither a bundle (bundle.json) nor a run directory with bundle/"]),
    ("run", ["a run directory without an exported bundle/", "python -m train export"]),
    ("untrained", ["has no training configuration", "test split is unknown"]),
])
def test_activity_bundle_errors(bundles, monkeypatch, capsys, key, words):
    monkeypatch.setattr(activity, "run", lambda *a, **k: pytest.fail("simulation started"))
    assert fpga_main(["activity", "--bundle", str(bundles[key])]) == 2
    one_error_line(capsys, str(bundles[key]), *words)


@pytest.mark.parametrize("argv,words", [
    (["--config", "nope"], ["unknown CONFIG 'nope'"]),
])
def test_activity_option_errors(monkeypatch, capsys, argv, words):
    monkeypatch.setattr(activity, "run", lambda *a, **k: pytest.fail("simulation started"))
    assert fpga_main(["activity", *argv]) == 2
    one_error_line(capsys, *words)


def test_activity_counts_and_clock_are_checked(capsys):
    for bad in (["--utts", "0"], ["--frames", "x"], ["--clk-mhz", "0"]):
        with pytest.raises(SystemExit) as e:
            fpga_main(["activity", *bad])
        assert e.value.code == 2
    assert activity.clock_ps(200.0) == 5000 and activity.clock_ps(120.7) == 8286


# --- activity: the engine in Verilator ----------------------------------------------------

def test_activity_tiny_writes_a_saif_of_the_frames(tmp_path):
    """The random tiny model on 2 x 6 random frames: one progress line per step and no
    simulator output on the console; the SAIF's window holds every cycle of the frames, and
    the engine's datapath nets toggled (not reset alone)."""
    out = tmp_path / "tiny"
    env = {k: v for k, v in os.environ.items() if k != "WAVES"}
    proc = subprocess.run([sys.executable, "-m", "fpga", "activity", "--config", "tiny",
                           "--frames", "6", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    steps = ["model: ", "input: 2 random sequences of 6 frames", "verilator: ",
             "  12 frames equal to the golden model's", f"wrote {out}.saif: ", "next (Vivado): "]
    assert len(lines) == len(steps) and all(ln.startswith(s) for ln, s in zip(lines, steps)), lines
    assert "cocotb" not in proc.stdout + proc.stderr and "TESTS=" not in proc.stdout
    rec = json.loads(out.with_suffix(".json").read_text())
    assert rec["frames"] == 12 and rec["scope"] == "engine" and rec["clk_mhz"] == 200.0
    assert rec["hdl_params"]["MUL_WIDTH"] == 27 and rec["hdl_params"]["MUL_PIPE"] == 0
    a = read_saif(f"{out}.saif")
    assert a.roots == ["engine"]
    period = 5e-9
    assert a.duration_s >= rec["cycles"] * period > 100 * period
    clk = a.nets["engine/clk"]
    assert abs(clk.tc - 2 * a.duration_s / period) <= 2          # the clock ran the whole window
    assert a.toggled("engine/array_inst") and len(a.toggled()) > 1000
    assert any(n.startswith("engine/s_axis_tdata[") for n in a.toggled())
    assert any(n.startswith("engine/m_axis_tdata[") for n in a.toggled())
    assert any("pe_inst" in n and "acc" in n for n in a.toggled("engine/array_inst"))


@pytest.mark.slow
def test_activity_bundle_runs_its_test_utterances(tmp_path):
    """A bundle (random weights) whose training configuration names the synthetic corpus: its
    first test utterances, cut to 8 frames (each has at least 9), through the engine build it was exported for."""
    from golden.model import Model, ModelConfig
    from train.config import TrainConfig
    from train.export import write_bundle

    gm = Model.random(ModelConfig(cell="gru", input_size=39, hidden_size=16, k=4, num_classes=9,
                                  name="syn"), 0)
    write_bundle(gm, tmp_path / "run" / "bundle",
                 {"config": TrainConfig(corpus="synthetic", features="mfcc39").to_dict()}, n_pe=2)
    out = tmp_path / "syn.saif"
    proc = subprocess.run([sys.executable, "-m", "fpga", "activity", "--bundle",
                           str(tmp_path / "run"), "--frames", "8", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "input: 2 test utterances, 16 frames" in proc.stdout
    rec = json.loads(out.with_suffix(".json").read_text())
    assert rec["frames"] == 16 and rec["config"] is None
    assert (rec["hdl_params"]["IN_SIZE"], rec["hdl_params"]["CELL"]) == (39, 1)
    a = read_saif(out)
    assert a.duration_s >= rec["cycles"] * 5e-9 and a.toggled("engine/array_inst")


def test_vivado_run_of_the_engine_is_recorded_for_the_report(fake_vivado, tmp_path, capsys):
    """`python -m fpga synth` of the engine with Vivado: its utilization and timing reports
    are parsed into the JSON the report reads (bench/results/vivado.json by default)."""
    from fpga import reports
    rec = tmp_path / "vivado.json"
    assert fpga_main(["synth", "--config", "lstmp-1024-k8", "-P", "N_PE=8", "-P", "WPAR=2",
                      "-P", "HLANES=2", "--record", str(rec)]) == 0
    assert f"recorded in {rec}" in capsys.readouterr().out
    (row,) = json.loads(rec.read_text())["rows"]
    used, _ = reports.parse_vivado_utilization(DATA / "utilization_ku060.rpt")
    t = reports.parse_vivado_timing_summary(DATA / "timing_summary.rpt")
    assert (row["base"], row["k"], row["n_pe"], row["wpar"], row["hlanes"]) == (
        "lstmp-1024", 8, 8, 2, 2)
    assert (row["lut"], row["ff"], row["dsp"], row["bram36"]) == (
        used.lut, used.ff, used.dsp, used.bram36)
    assert row["wns_ns"] == t["wns_ns"] and row["fmax_mhz"] == pytest.approx(
        1000 / (1000 / 200 - t["wns_ns"]))
    assert row["power_w"] == 0.612
    # --record '' keeps the results file untouched
    assert fpga_main(["synth", "--config", "lstmp-1024-k8", "-P", "N_PE=8", "-P", "WPAR=2",
                      "-P", "HLANES=2", "--record", ""]) == 0
    assert len(json.loads(rec.read_text())["rows"]) == 1
