"""The design-space report (bench/report.py) and chooser (bench/choose.py) on fixture JSON.

tests/data/bench/ holds made-up inputs in the schemas the benchmarks write (their figures mean
nothing); the tests check that the report is produced and well formed, that the chooser obeys
its budgets, and that bad input is named.  Seconds, no simulation.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bench import choose, designspace as ds, report
from bench.engine_cycles import merge_json, select
from golden.cli import UsageError

DATA = Path(__file__).parent / "data" / "bench"
NUM = re.compile(r"^-?[\d,]+(\.\d+)?[x*%]?$")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    d = tmp_path / "results"
    shutil.copytree(DATA, d)
    return d


def run_report(results: Path, tmp_path: Path) -> tuple[int, str]:
    out = tmp_path / "docs" / "results.md"
    rc = report.main(["--results", str(results), "--out", str(out), "--img",
                      str(tmp_path / "docs" / "img"), "--fpga-md", str(DATA / "fpga_fmax.md")])
    return rc, out.read_text() if out.is_file() else ""


def tables(md: str) -> list[list[list[str]]]:
    """Every markdown table as a list of rows of cells (header first, separator dropped)."""
    out, cur = [], []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= {"-"} for c in cells):
                cur.append(cells)
        elif cur:
            out.append(cur)
            cur = []
    return out


def table_with(md: str, *header: str) -> list[list[str]]:
    for t in tables(md):
        if all(h in t[0] or any(c.startswith(h) for c in t[0]) for h in header):
            return t
    raise AssertionError(f"no table with columns {header}")


def col(t: list[list[str]], name: str) -> list[str]:
    i = t[0].index(name)
    return [r[i] for r in t[1:]]


def test_report_well_formed(results: Path, tmp_path: Path):
    rc, md = run_report(results, tmp_path)
    assert rc == 0
    heads = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert heads == list(report.SECTIONS)
    acc = json.loads((results / "accuracy.json").read_text())
    t = table_with(md, "PER float %", "PER fixed %")
    assert sorted(col(t, "model")) == sorted(r["name"] for r in acc["rows"])
    assert "n/a" in col(t, "PER fixed %")                 # a null per_fixed is shown as such
    for name in ("params", "compression", "PER float %", "train s"):
        assert all(NUM.match(v) for v in col(t, name)), name
    hw = table_with(md, "measured cycles", "estimated cycles")
    assert {(r[0], r[1], r[2]) for r in hw[1:]} == {
        (m, str(k), f"{n}x1") for m in ("lstmp-1024", "gru-1024") for k in (8, 16)
        for n in (16, 64, 128)}
    measured = [r for r in hw[1:] if r[4] != "not measured"]
    assert [(r[0], r[1], r[2], r[4]) for r in measured] == [("lstmp-1024", "8", "64x1", "7,936")]
    for name in ("beats", "estimated cycles", "frames/s @ 200 MHz (assumed)",
                 "latency us @ 200 MHz (assumed)", "DSP", "BRAM36"):
        assert all(NUM.match(v) for v in col(hw, name)), name
    # no routed engine clock among the fixture's inputs: the column says so, no figure invented
    assert set(col(hw, "frames/s @ routed clock (none recorded)")) == {"-"}
    assert all(v.startswith(("yes", "no")) for v in col(hw, "fits XCKU060"))
    assert len(table_with(md, "ceiling frames/s @ 200 MHz (assumed)")) == 1 + 4
    best = table_with(md, "% of DSP ceiling", "limits")
    assert {(r[0], r[1]) for r in best[1:]} <= {(m, str(k)) for m in ("lstmp-1024", "gru-1024") for k in (8, 16)}
    assert "2.52 TOPS" in md and "Energy efficiency is not measured" in md
    assert "fft_real K=8: 123.4 MHz; engine CONFIG=tiny: 12.3 MHz" in md   # read from the table
    assert len(table_with(md, "simulator", "cycles/s")) == 3
    for png in ("report_per_vs_compression.png", "report_pareto.png", "report_fps_vs_dsp.png"):
        f = tmp_path / "docs" / "img" / png
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert f"](img/{png})" in md
    assert md.count("$ python -m bench.choose") == len(report.chooser_budgets(acc))
    assert "Not measured yet" not in md
    # the bidirectional runs (fixture: 4 passes of 900 cycles/frame, loads of 433,000 cycles):
    # 300 frames -> 300 x 200 MHz / (4 x (433,000 + 300 x 900)) = 21,337 frames/s; resident
    # 300 x 200 MHz / (4 x 300 x 900) = 55,556
    bi = table_with(md, "cycles/frame per pass (measured)", "load cycles per pass (measured)")
    assert len(bi) == 1 + 3 + 1
    assert bi[1][3:5] == ["1 x 300", "21,337"] and bi[1][6] == "38 %"
    assert bi[4][4] == "55,556" and "1,822 BRAM36, 169 % (does not fit" in bi[4][3]


def test_report_with_missing_inputs(tmp_path: Path):
    empty = tmp_path / "none"
    empty.mkdir()
    rc, md = run_report(empty, tmp_path)
    assert rc == 0
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == list(report.SECTIONS)
    assert "Not measured yet: run `python -m train explore" in md
    assert "Not measured yet: run `make engine-bench`" in md
    hw = table_with(md, "measured cycles")
    assert set(col(hw, "measured cycles")) == {"not measured"}
    assert (tmp_path / "docs" / "img" / "report_fps_vs_dsp.png").is_file()
    assert not (tmp_path / "docs" / "img" / "report_pareto.png").exists()


@pytest.mark.parametrize("file,edit,expect", [
    ("accuracy.json", lambda d: d["rows"][3].pop("per_fixed"), "rows[3]: missing field 'per_fixed'"),
    ("accuracy.json", lambda d: d["rows"][0].update(per_float="7.1"), "rows[0].per_float: expected"),
    ("accuracy.json", lambda d: d["rows"][0].update(cell="rnn"), "rows[0].cell"),
    ("accuracy.json", lambda d: d.pop("corpus"), "missing field 'corpus'"),
    ("engine_cycles.json", lambda d: d["rows"][0].pop("beats_frame"), "missing field 'beats_frame'"),
    ("sim_speed.json", lambda d: d["rows"][1].update(cycles_per_s=None), "rows[1].cycles_per_s"),
    ("golden_speed.json", None, "not valid JSON"),
])
def test_bad_input_is_named(results: Path, tmp_path: Path, capsys, file, edit, expect):
    path = results / file
    if edit is None:
        path.write_text("{ truncated")
    else:
        data = json.loads(path.read_text())
        edit(data)
        path.write_text(json.dumps(data))
    rc, _ = run_report(results, tmp_path)
    err = capsys.readouterr().err
    assert rc == 2
    assert file in err and expect in err


def run_choose(results: Path, capsys, *args: str) -> tuple[int, str, str]:
    rc = choose.main(["--results", str(results), *args])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


@pytest.mark.parametrize("max_per,max_dsp,cell", [
    (15, 300, None), (15, 1000, None), (15, 1000, "gru"), (12, 120, "lstm")])
def test_chooser_obeys_budgets(results: Path, capsys, max_per, max_dsp, cell):
    args = ["--max-per", str(max_per), "--max-dsp", str(max_dsp)] + (["--cell", cell] if cell else [])
    rc, out, _ = run_choose(results, capsys, *args)
    assert rc == 0
    m = re.search(r"best: (\S+)-k(\d+), N_PE=(\d+)", out)
    base, k, n = m.group(1), int(m.group(2)), int(m.group(3))
    per = float(re.search(r"PER fixed ([\d.]+) %", out).group(1))
    dsp = float(re.search(r"cost\s+: (\d+) DSP", out).group(1))
    fps = float(re.search(r"speed\s+: ([\d,]+) frames/s", out).group(1).replace(",", ""))
    assert per <= max_per and dsp <= max_dsp
    if cell:
        assert base == {"lstm": "lstmp-1024", "gru": "gru-1024"}[cell]
    # No candidate within the budgets is faster (independent enumeration of the space).
    acc = ds.load_accuracy(results / "accuracy.json")
    hw = ds.HardwareModel(ds.load_engine(results / "engine_cycles.json"))
    best = 0.0
    for r in acc["rows"]:
        if r["k"] > 1 and r["per_fixed"] is not None and r["per_fixed"] <= max_per \
                and (cell is None or r["cell"] == cell):
            for npe in ds.CHOOSER_NPES:
                for w in (1, 2, 4, 8):
                    if (r["k"] // 2) % w:
                        continue
                    p = hw.point({"lstm": "lstmp-1024", "gru": "gru-1024"}[r["cell"]], r["k"],
                                 npe, wpar=w, hlanes=ds.default_hlanes(npe, w))
                    if p.dsp <= max_dsp and p.fits:
                        best = max(best, p.fps)
    assert fps == pytest.approx(best, rel=1e-3)
    assert f"--k {k}" in out and f"--n-pe {n}" in out and "--no-bidirectional" in out
    assert ("estimated" in out) != ("measured in RTL" in out)
    assert "at an assumed 200 MHz (target clock, not routed)" in out


@pytest.mark.parametrize("args,expect", [
    (["--max-per", "1", "--max-dsp", "1000"], "PER fixed"),
    (["--max-per", "15", "--max-dsp", "10"], "DSP > 10"),
    # only the k = 4 models are accurate enough: their weights need more block RAM than the
    # part's 90 % (the model's memory list)
    (["--max-per", "9", "--max-dsp", "1000"], "BRAM36 1"),
])
def test_chooser_nothing_fits(results: Path, capsys, args, expect):
    rc, out, err = run_choose(results, capsys, *args)
    assert rc != 0 and out == ""
    assert "nothing fits" in err and expect in err


def test_chooser_needs_accuracy(tmp_path: Path, capsys):
    rc, _, err = run_choose(tmp_path, capsys, "--max-per", "10", "--max-dsp", "500")
    assert rc == 2 and "accuracy.json" in err and "not measured yet" in err


def test_engine_cycles_selection_and_merge(tmp_path: Path):
    sel = select(False, ["gru-1024-k16:64,32", "tiny-gru"])
    assert [(s["name"], s["cell"], s["k"], n, w, h) for s, n, w, h in sel] == [
        ("gru-1024-k16", "gru", 16, 64, 1, 1), ("gru-1024-k16", "gru", 16, 32, 1, 1),
        ("tiny-gru", "gru", 4, 4, 1, 1)]
    assert len(select(False, None)) == 16 and {s["name"] for s, *_ in select(True, None)} == {
        "tiny-lstmp", "tiny-gru"}
    assert [(s["name"], s["k"], s["proj_size"], n) for s, n, *_ in select(False, ["lstmp-1024-k4:8"])] == [
        ("lstmp-1024-k4", 4, 512, 8)]
    assert [(s["name"], s["input_size"], n, w, h) for s, n, w, h in
            select(False, ["lstm-512-k8:64x4,32,128x4h4,64h2"])] == [
        ("lstm-512-k8", 512, 64, 4, 1), ("lstm-512-k8", 512, 32, 1, 1),
        ("lstm-512-k8", 512, 128, 4, 4), ("lstm-512-k8", 512, 64, 1, 2)]
    for bad in ("lstmp-2048-k8", "tiny-gru-k8"):
        with pytest.raises(UsageError, match="unknown model"):
            select(False, [bad])
    for bad, msg in (("lstm-512-k8:64x3", "wpar=3"), ("lstm-512-k8:64xa", "N\\[xWPAR\\]"),
                     ("lstm-512-k8:64h3", "hlanes=3")):
        with pytest.raises(UsageError, match=msg):
            select(False, [bad])
    path = tmp_path / "ec.json"
    rows = json.loads((DATA / "engine_cycles.json").read_text())["rows"]
    merge_json(path, rows)
    merge_json(path, [{**rows[0], "last_frame_cycles": 1}])
    got = json.loads(path.read_text())["rows"]
    assert len(got) == len(rows)
    assert [r["last_frame_cycles"] for r in got if r["model"] == rows[0]["model"]] == [1]


def test_fpga_engine_override_rebuilds_layout():
    """The chooser prints `python -m fpga synth --config C -P N_PE=n`: the engine's memories
    must then be written for n PEs (not C's own N_PE) in a run directory of their own."""
    from fpga.__main__ import resolve_params
    from golden.engine_layout import EngineParams
    from golden.model import ModelConfig

    params, run = resolve_params("engine", "tiny", {"N_PE": 4, "K": 8}, "pytest")
    assert run == "tiny-K8-npe4" and params["N_PE"] == 4 and params["K"] == 8
    mem = Path(__file__).resolve().parents[1] / "build" / "fpga" / "engine" / f"{run}_pytest" / "mem"
    ep = EngineParams.for_model(ModelConfig(cell="lstm", input_size=16, hidden_size=64, k=8), 4)
    words = [w for w in (mem / "w.mem").read_text().splitlines() if not w.startswith("//")]
    assert len(words) == ep.wdepth and {len(w) for w in words} == {4 * 2 * 16 // 4}   # 4 banks
    assert resolve_params("engine", "tiny", {}, "pytest")[1] == "tiny"


def test_stale_measurement_is_flagged(results: Path, tmp_path: Path):
    """A measured point whose beats/frame differ from today's layout is marked, not hidden."""
    rc, md = run_report(results, tmp_path)
    assert rc == 0 and "(stale)" not in md
    path = results / "engine_cycles.json"
    data = json.loads(path.read_text())
    data["rows"][0]["beats_frame"] += 64
    path.write_text(json.dumps(data))
    rc, md = run_report(results, tmp_path)
    hw = table_with(md, "measured cycles")
    assert [r[4] for r in hw[1:] if r[4] != "not measured"] == ["7,936 (stale)"]
    assert "re-run `make engine-bench`" in md


def test_issue_bound_and_computed_table():
    """EngineParams.issue_bound: the accumulations cover every beat, short ones are paid at the
    hand-off spacing; the computed table finds a split within 1.05x of the packed bound for every
    reference model up to 512 complex MACs per cycle."""
    from bench.engine_cycles import computed_rows
    from golden.engine_layout import EngineParams
    from golden.model import ModelConfig

    gru = ModelConfig(cell="gru", input_size=153, hidden_size=1024, num_layers=2, k=16)
    ep = EngineParams.for_model(gru, 128)
    assert sum(ep.accumulations()) == ep.beats()
    # layer 0's gx accumulations (10 blocks x 8 beats = 80) wait for SPACING = 130
    assert ep.issue_bound() == ep.beats() + 2 * (130 - 80)
    assert EngineParams.for_model(gru, 128, 1, 4).issue_bound() == ep.beats()
    rows = computed_rows()
    assert {r["macs"] for r in rows} == {16, 64, 128, 256, 512}
    assert all(r["n_pe"] * r["wpar"] == r["macs"] for r in rows)
    assert max(r["issue"] / r["packed"] for r in rows) <= 1.05


def test_report_shows_the_routed_engine_clock(results: Path, tmp_path: Path):
    """With bench/results/ecp5_fmax.json the report gives frames/s at the engine's routed ECP5
    Fmax next to the assumed target clock, both labelled in the header."""
    shutil.copy(ds.RESULTS / "ecp5_fmax.json", results / "ecp5_fmax.json")
    clock = ds.load_engine_clock(results / "ecp5_fmax.json")
    # independently: the small engine's rows of its last routed commit, median over seeds
    rows = [r for r in json.loads((results / "ecp5_fmax.json").read_text())
            if r.get("top") == "engine" and r["config"] == "small"]
    last = [r["fmax_mhz"] for r in rows if r["rtl_commit"] == rows[-1]["rtl_commit"]]
    assert clock.config == "small" and clock.grade == 6 and clock.seeds == len(last) >= 3
    assert clock.mhz == sorted(last)[len(last) // 2] and clock.commit == rows[-1]["rtl_commit"]
    rc, md = run_report(results, tmp_path)
    assert rc == 0
    hw = table_with(md, "measured cycles")
    name = f"frames/s @ {clock.mhz:.1f} MHz (ECP5 routed, grade 6)"
    assert name in hw[0] and "frames/s @ 200 MHz (assumed)" in hw[0]
    row = next(r for r in hw[1:] if r[4] != "not measured")
    assert row[hw[0].index(name)] == f"{clock.mhz * 1e6 / 7936:,.0f}"
    assert "an assumption" in md and "speed grade 6" in md


def test_vivado_figures_replace_the_model(results: Path, tmp_path: Path):
    """A Vivado run recorded by `python -m fpga synth` (flow.record_vivado) is what the report
    shows for that configuration, marked as Vivado's; the others keep the model's figures."""
    from fpga import flow
    from fpga.reports import Resources
    res = flow.SynthResult("engine", "lstmp-1024-k8-K8-npe64", "xcku060-ffva1156-2-e", "vivado",
                           {"K": 8, "N_PE": 64, "WPAR": 1, "HLANES": 1},
                           Resources(lut=123456, ff=234567, dsp=321, bram36=456.5), {}, 1.0,
                           str(tmp_path), timing={"clk_mhz": 200.0, "wns_ns": -0.5,
                                                  "fmax_mhz": 190.5}, power_w=7.5)
    path = flow.record_vivado(res, "lstmp-1024", results / "vivado.json")
    flow.record_vivado(res, "lstmp-1024", path)                  # the same run again: replaced
    rows = json.loads(path.read_text())["rows"]
    assert len(rows) == 1 and rows[0]["fmax_mhz"] == 190.5 and rows[0]["power_w"] == 7.5
    rc, md = run_report(results, tmp_path)
    assert rc == 0
    hw = table_with(md, "measured cycles")
    viv = [r for r in hw[1:] if "(Vivado)" in r[hw[0].index("DSP")]]
    assert [(r[0], r[1], r[2]) for r in viv] == [("lstmp-1024", "8", "64x1")]
    assert viv[0][hw[0].index("LUT")] == "123.5k" and viv[0][hw[0].index("BRAM36")] == "456"
    bad = results / "vivado.json"
    bad.write_text(json.dumps({"rows": [{"base": "lstmp-1024"}]}))
    rc, _ = run_report(results, tmp_path)
    assert rc == 2
