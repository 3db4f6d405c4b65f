"""FPGA flow: the open fallback runs and its reports are parsed; the Vivado script is
exercised under a Tcl interpreter with Vivado's commands stubbed out.

Checks that the flow works and the parsers read what the tools write -- never the figures.
The Vivado report samples in tests/data/fpga/ are hand-written in the layout of Vivado
2022.2 (UltraScale, with the Prohibited column) and 2018.3 (7 series) reports.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fpga import configs, flow, parts, reports
from rtlsim.filelist import REPO, available_tops, filelist_for

DATA = Path(__file__).parent / "data" / "fpga"


# --- tables and file lists ---------------------------------------------------------------

def test_part_table_matches_data_sheets():
    ku = parts.get_part("xcku060")
    assert (ku.luts, ku.ffs, ku.dsps, ku.bram36) == (331_680, 663_360, 2_760, 1_080)
    assert ku.family == "xcu" and ku.name == parts.DEFAULT_PART
    v7 = parts.get_part("xc7vx690t")
    assert (v7.luts, v7.ffs, v7.dsps, v7.bram36) == (433_200, 866_400, 3_600, 1_470)
    assert v7.family == "xc7"
    with pytest.raises(KeyError, match="known parts"):
        parts.get_part("xc7a35t")


def test_every_file_list_resolves():
    tops = available_tops()
    assert "round_sat" in tops
    for top in tops:
        fl = filelist_for(top)
        assert fl.sources, top
        assert all(s.exists() for s in fl.sources), top
        assert len(set(fl.sources)) == len(fl.sources), top


def test_config_overrides_only_declared_parameters():
    cfg = configs.get_config("small")
    assert configs.overrides_for("fft_real", cfg) == {"K": 8, "TW_WIDTH": cfg.model.formats.tw_width}
    assert configs.overrides_for("round_sat", cfg) == {}
    with pytest.raises(ValueError, match="no parameter"):
        configs.overrides_for("round_sat", cfg, {"K": 4})
    with pytest.raises(KeyError, match="unknown CONFIG"):
        configs.get_config("nope")


def test_every_generic_parameter_is_declared_by_a_top():
    """No alias names: each name a configuration hands out is a parameter of some module."""
    declared = {n for top in available_tops() for n in configs.top_parameters(top)}
    names = set(configs.get_config("small").generic_params())
    assert names <= declared, names - declared


def test_configs_are_model_configs_and_engine_builds():
    """A named configuration is (model config, N_PE, WPAR, HLANES): its engine parameters,
    the derived shape included, are EngineParams', and the shape words round-trip."""
    from golden.engine_layout import EngineParams
    for name, c in configs.CONFIGS.items():
        ep = EngineParams.for_model(c.model, c.n_pe, c.wpar, c.hlanes)
        assert c.engine == ep and c.k == c.model.k
        gp = c.generic_params()
        assert {k: gp[k] for k in ep.hdl_params()} == ep.hdl_params()
        again = configs.Config.of(name, **c.record())
        assert again.engine == ep and again.model == c.model
    c = configs.get_config("lstmp-1024-k8").rebuilt("x", k=16, n_pe=32, wpar=2, hlanes=2)
    assert (c.model.k, c.engine.k, c.n_pe, c.engine.gg) == (16, 16, 32, -(-4 * 64 // 32))
    with pytest.raises(ValueError, match="cell 'lstmx'"):
        configs.Config.of("bad", "lstmx", 16, 64, 0, 1, k=4, n_pe=2)


# --- parsers on reference texts -----------------------------------------------------------

def test_parse_vivado_utilization_ultrascale():
    used, avail = reports.parse_vivado_utilization(DATA / "utilization_ku060.rpt")
    assert (used.lut, used.ff, used.dsp, used.bram36) == (998, 530, 8, 2.5)
    assert (used.lut_logic, used.lut_mem) == (613, 385)
    assert (avail.lut, avail.ff, avail.dsp, avail.bram36) == (331680, 663360, 2760, 1080)


def test_parse_vivado_utilization_7series():
    used, avail = reports.parse_vivado_utilization(DATA / "utilization_7v.rpt")
    assert (used.lut, used.ff, used.dsp, used.bram36) == (12345, 23456, 256, 64)
    assert (avail.lut, avail.dsp, avail.bram36) == (433200, 3600, 1470)


def test_parse_vivado_utilization_rejects_other_text():
    with pytest.raises(ValueError, match="lacks rows"):
        reports.parse_vivado_utilization((DATA / "power.rpt").read_text())


def test_parse_vivado_timing_and_power():
    t = reports.parse_vivado_timing_summary(DATA / "timing_summary.rpt")
    assert t == {"wns_ns": 1.234, "tns_ns": 0.0, "whs_ns": 0.031}
    assert reports.parse_vivado_power(DATA / "power.rpt") == 0.612
    with pytest.raises(ValueError):
        reports.parse_vivado_timing_summary("no table here")


def test_parse_vivado_power_settings():
    """Where the activity came from: a SAIF (nets matched) or nothing (the rows absent)."""
    got = reports.parse_vivado_power_settings(DATA / "power_saif.rpt")
    assert got == {"confidence": "High", "activity_file": "/work/build/fpga/activity/tiny.saif",
                   "nets_matched": "87% (11905/13684)"}
    assert reports.parse_vivado_power(DATA / "power_saif.rpt") == 0.587
    assert reports.parse_vivado_power_settings(DATA / "power.rpt") == {}


def test_classify_xilinx_cells():
    r = reports.resources_from_cells({"LUT6": 10, "LUT2": 5, "SRLC32E": 3, "RAM64M": 2,
                                      "FDRE": 7, "FDSE": 1, "DSP48E2": 4, "RAMB36E2": 2,
                                      "RAMB18E2": 3, "CARRY8": 2, "OBUF": 9})
    assert (r.lut_logic, r.lut_mem, r.lut) == (15, 11, 26)
    assert (r.ff, r.dsp, r.bram36, r.carry) == (8, 4, 3.5, 2)


# --- the open flow, really run ------------------------------------------------------------

def test_yosys_synth_xilinx_report_is_parsed(tmp_path):
    part = parts.get_part("xcku060")
    res = flow.synth_yosys("round_sat", part, {"IN_WIDTH": 24}, "test", out_dir=tmp_path)
    assert res.used.lut > 0 and res.cells
    assert set(res.utilization()) == {"lut", "ff", "dsp", "bram36"}
    saved = json.loads((tmp_path / "result.json").read_text())
    assert saved["params"] == {"IN_WIDTH": 24} and saved["used"]["lut"] == res.used.lut
    table = flow.format_synth(res, part)
    for label in ("LUT", "FF", "DSP48E2", "BRAM36", "331,680", "util %"):
        assert label in table


def test_make_synth_falls_back_to_yosys_with_one_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FPGA_NOTICE_SHOWN"}
    # A PATH holding only the interpreter's folder: no vivado can be found.
    env["PATH"] = str(Path(sys.executable).parent)
    proc = subprocess.run([sys.executable, "-m", "fpga", "synth", "--top", "round_sat",
                           "--part", "xc7vx690t"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Vivado is not on PATH") == 1
    assert "yosys synth_xilinx" in proc.stdout and "DSP48E1" in proc.stdout
    assert "433,200" in proc.stdout


def test_ecp5_fmax_speed_grade_reaches_nextpnr(tmp_path, monkeypatch, capsys):
    """cmul routed at grade 6 (the flow's default) and at grade 8 through the command line:
    the faster grade must give a higher Fmax, and each run records its own grade."""
    slow = flow.fmax_ecp5("cmul", {}, "test", out_dir=tmp_path / "s6")
    assert slow.speed_grade == 6 and set(slow.report.fmax_mhz) == {"clk"}
    assert slow.report.utilization["MULT18X18D"][0] > 0
    monkeypatch.setattr(flow, "BUILD", tmp_path / "build")
    from fpga.__main__ import main
    assert main(["fmax", "--top", "cmul", "--speed", "8", "--json"]) == 0
    out = capsys.readouterr().out
    fast = json.loads(out[out.index("\n{") + 1:])
    assert fast["speed_grade"] == 8 and "_speed8" in fast["out_dir"]
    assert fast["fmax_mhz"]["clk"] > 1.1 * slow.report.fmax_mhz["clk"]
    assert "(LFE5U-85F, speed grade 8, routed by nextpnr-ecp5; an ECP5 figure)" in out
    saved = json.loads((tmp_path / "s6" / "fmax.json").read_text())
    assert saved["speed_grade"] == 6
    # the critical path of the slowest clock sets its Fmax; its nets name RTL lines
    for res in (saved, fast):
        cp = res["critical_path"]
        assert cp["delay_ns"] == pytest.approx(1000.0 / res["fmax_mhz"]["clk"], rel=5e-3)
        assert cp["logic_ns"] + cp["routing_ns"] == pytest.approx(cp["delay_ns"])
        assert cp["from"] == cp["segments"][0]["from"] and cp["to"] == cp["segments"][-1]["to"]
        srcs = [src for seg in cp["segments"] for src in seg.get("sources", [])]
        assert any(src.startswith(("rtl/cmul.v:", "rtl/mul_reg.v:")) for src in srcs), srcs
    text = flow.format_fmax(slow)
    assert "Fmax %.1f MHz (LFE5U-85F, speed grade 6," % slow.report.fmax_mhz["clk"] in text
    assert "ECP5 figure" in text and "critical path: " in text


def test_nextpnr_command_carries_the_speed_grade():
    for grade in (6, 7, 8):
        cmd = flow.nextpnr_command("nextpnr-ecp5", grade, 150.0, 3)
        assert cmd[cmd.index("--speed") + 1] == str(grade)
        assert cmd[cmd.index("--freq") + 1] == "150" and cmd[cmd.index("--seed") + 1] == "3"
        assert "--85k" in cmd and "--report" in cmd
    for grade in (5, 9, "6"):
        with pytest.raises(ValueError, match="speed grade"):
            flow.nextpnr_command("nextpnr-ecp5", grade, 200.0, 1)
    with pytest.raises(ValueError, match="> 0"):
        flow.nextpnr_command("nextpnr-ecp5", 6, 0.0, 1)


def test_fmax_command_line_rejects_bad_input(capsys):
    from fpga.__main__ import main
    for args, msg in ((["--speed", "9"], "invalid choice: 9 (choose from 6, 7, 8)"),
                      (["--freq", "-5"], "must be > 0")):
        with pytest.raises(SystemExit) as e:
            main(["fmax", "--top", "cmul", *args])
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert msg in err.splitlines()[-1]
    with pytest.raises(SystemExit):
        main(["fmax", "--help"])
    assert "(default: 6)" in " ".join(capsys.readouterr().out.split())


def test_make_fmax_passes_the_speed_grade():
    def dry(*extra):
        proc = subprocess.run(["make", "-n", "fmax", "TOP=cmul", *extra], cwd=REPO,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return next(line for line in proc.stdout.splitlines() if "-m fpga fmax" in line)
    assert dry().endswith("--speed 6")          # no SEEDS: one route, seed 1, as before
    assert dry("SPEED=7").endswith("--speed 7")
    assert dry("SEEDS=1,2,3").endswith("--speed 6 --seeds 1,2,3")
    proc = subprocess.run(["make", "help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "SEEDS=1,2,3" in next(line for line in proc.stdout.splitlines() if "make fmax" in line)


# --- several placer seeds, with yosys and nextpnr stubbed ---------------------------------

def _fake_report(seed: int, mhz: float) -> dict:
    """A nextpnr --report of one clock at ``mhz`` whose critical path is named after
    ``seed``."""
    period = 1000.0 / mhz
    path = [_seg("clk-to-q", f"launch_s{seed}", f"launch_s{seed}", 0.5),
            _seg("routing", f"launch_s{seed}", f"capture_s{seed}", period - 0.5, net="n")]
    return {"fmax": {"clk": {"achieved": mhz, "constraint": 200.0}},
            "utilization": {"TRELLIS_COMB": {"used": 100 + seed, "available": 83640}},
            "critical_paths": [{"from": "posedge clk", "to": "posedge clk", "path": path}]}


def _results(fmax_by_seed: dict[int, float], grade: int = 6) -> list[flow.FmaxResult]:
    return [flow.FmaxResult("cmul", "tiny", "LFE5U-85F CABGA756", {},
                            reports.parse_nextpnr_report(json.dumps(_fake_report(s, mhz))),
                            60.0, f"/x/seed{s}", grade, s)
            for s, mhz in fmax_by_seed.items()]


@pytest.fixture
def stub_tools(tmp_path, monkeypatch):
    """``flow._run`` replaced: "yosys" writes a netlist, "nextpnr" checks that it reads one
    and writes the report of ``stub_tools["fmax"][seed]``.  Every call is recorded."""
    calls: list[tuple[str, Path, list[str]]] = []
    fmax = {1: 86.8, 2: 122.4, 3: 94.6}

    def fake_run(cmd, cwd, logfile, what):
        calls.append((cmd[0], Path(cwd), list(cmd)))
        if cmd[0] == "fake-yosys":
            (Path(cwd) / "netlist.json").write_text("{}")
            return
        assert (Path(cwd) / cmd[cmd.index("--json") + 1]).is_file(), "no netlist to route"
        seed = int(cmd[cmd.index("--seed") + 1])
        (Path(cwd) / "report.json").write_text(json.dumps(_fake_report(seed, fmax[seed])))

    monkeypatch.setattr(flow, "_run", fake_run)
    monkeypatch.setattr(flow, "find_yosys", lambda: "fake-yosys")
    monkeypatch.setattr(flow, "find_nextpnr_ecp5", lambda: "fake-nextpnr")
    monkeypatch.setattr(flow, "BUILD", tmp_path / "build")
    return {"calls": calls, "fmax": fmax}


def test_seeds_option_parses_comma_lists():
    from fpga.__main__ import parse_seeds
    assert parse_seeds("1,2,3") == [1, 2, 3]
    assert parse_seeds(" 7, 4 ") == [7, 4]          # the order given is the order routed
    assert parse_seeds("5") == [5]


def test_seeds_option_rejects_bad_lists_in_one_line(stub_tools, capsys):
    from fpga.__main__ import main
    for args, msg in ((["--seeds", ""], "argument --seeds: wants placer seeds separated by "
                                         "commas, e.g. 1,2,3; got ''"),
                      (["--seeds", "1,,2"], "wants placer seeds separated by commas"),
                      (["--seeds", "1,x"], "argument --seeds: seed 'x' is not an integer"),
                      (["--seeds", "1.5"], "seed '1.5' is not an integer"),
                      (["--seeds", "1,2,1"], "argument --seeds: seed 1 listed more than once"),
                      (["--seed", "2", "--seeds", "1,2"], "not allowed with argument"),
                      (["--seeds", "1,2", "--seed", "2"], "not allowed with argument")):
        with pytest.raises(SystemExit) as e:
            main(["fmax", "--top", "cmul", *args])
        assert e.value.code == 2, args
        err = capsys.readouterr().err.splitlines()
        assert err[-1].startswith("python -m fpga fmax: error: ") and msg in err[-1], err
    assert stub_tools["calls"] == []                # refused before any tool ran


def test_median_of_odd_and_even_counts():
    assert flow.median_of([122.4, 86.8, 94.6]) == (94.6, [2])
    assert flow.median_of([100.0]) == (100.0, [0])
    # even: the mean of the two middle values, their positions lower value first
    assert flow.median_of([100.0, 90.0, 120.0, 110.0]) == (105.0, [0, 3])
    assert flow.median_of([110.0, 100.0]) == (105.0, [1, 0])
    assert flow.median_of([100.0, 100.0, 50.0, 200.0]) == (100.0, [0, 1])
    with pytest.raises(ValueError, match="no values"):
        flow.median_of([])


def test_fmax_seeds_synthesizes_once_and_routes_each_seed(stub_tools, capsys):
    from fpga.__main__ import main
    assert main(["fmax", "--top", "cmul", "--seeds", "1,2,3", "--json"]) == 0
    calls = stub_tools["calls"]
    assert [c[0] for c in calls] == ["fake-yosys"] + ["fake-nextpnr"] * 3
    synth_dir = calls[0][1]
    routed = [(c[2][c[2].index("--seed") + 1], c[1]) for c in calls[1:]]
    assert routed == [(str(s), synth_dir / f"seed{s}") for s in (1, 2, 3)]
    # every seed routes the one netlist yosys wrote
    assert {c[2][c[2].index("--json") + 1] for c in calls[1:]} == {"../netlist.json"}
    out = capsys.readouterr().out
    text, blob = out[:out.index("\n{") + 1], out[out.index("\n{") + 1:]
    assert "seed 2 (2/3): Fmax 122.4 MHz (LFE5U-85F, speed grade 6, routed by " \
        "nextpnr-ecp5; an ECP5 figure), routed in " in text
    assert "median Fmax 94.6 MHz (seed 3) over seeds 1, 2, 3; min 86.8, max 122.4 MHz " \
        "(LFE5U-85F, speed grade 6, routed by nextpnr-ecp5; ECP5 figures)" in text
    assert "critical path: launch_s3.Q -> capture_s3.D" in text      # the median seed's
    assert "launch_s1" not in text and "launch_s2" not in text
    data = json.loads(blob)
    # one row per seed, as a single-seed run writes it, each in its own folder
    assert [r["seed"] for r in data["runs"]] == [1, 2, 3]
    for r in data["runs"]:
        saved = json.loads((synth_dir / f"seed{r['seed']}" / "fmax.json").read_text())
        assert saved == r and set(r) == set(_results({1: 1.0})[0].to_json())
    assert data["summary"] | {"top": None} == {
        "top": None, "config": "tiny", "seeds": [1, 2, 3], "fmax_mhz_median": 94.6,
        "fmax_mhz_min": 86.8, "fmax_mhz_max": 122.4, "median_of": "middle value",
        "median_seeds": [3], "critical_path_seed": 3, "speed_grade": 6,
        "device": "LFE5U-85F CABGA756", "note": data["summary"]["note"]}
    assert "speed grade 6" in data["summary"]["note"]
    assert json.loads((synth_dir / "fmax_seeds.json").read_text()) == data


def test_single_seed_run_is_unchanged(stub_tools, capsys):
    from fpga.__main__ import main
    assert main(["fmax", "--top", "cmul", "--seed", "2"]) == 0
    calls = stub_tools["calls"]
    assert [c[0] for c in calls] == ["fake-yosys", "fake-nextpnr"]
    assert calls[1][1] == calls[0][1]                 # routed where it was synthesized
    assert calls[1][2][calls[1][2].index("--json") + 1] == "netlist.json"
    saved = json.loads((calls[0][1] / "fmax.json").read_text())
    assert saved["seed"] == 2 and saved["fmax_mhz"] == {"clk": 122.4}
    assert "Fmax 122.4 MHz (LFE5U-85F, speed grade 6," in capsys.readouterr().out


def test_seeds_summary_labels_the_grade_and_the_even_median():
    res = _results({4: 110.0, 1: 100.0, 2: 90.0, 3: 120.0}, grade=8)
    summ = flow.seeds_summary(res)
    assert (summ["fmax_mhz_median"], summ["fmax_mhz_min"], summ["fmax_mhz_max"]) == \
        (105.0, 90.0, 120.0)
    assert summ["median_of"] == "mean of the two middle values"
    assert summ["median_seeds"] == [1, 4] and summ["critical_path_seed"] == 1
    assert (summ["speed_grade"], summ["device"]) == (8, "LFE5U-85F CABGA756")
    text = flow.format_fmax_seeds(res)
    assert "** ECP5 figure, not Xilinx **" in text.splitlines()[0]
    assert ("median Fmax 105.0 MHz (mean of the two middle values, seed 1 100.0 and seed 4 "
            "110.0 MHz) over seeds 4, 1, 2, 3; min 90.0, max 120.0 MHz (LFE5U-85F, speed "
            "grade 8, routed by nextpnr-ecp5; ECP5 figures)") in text
    rows = [line for line in text.splitlines() if line.startswith("    seed ")]
    assert len(rows) == 4 and all("(ECP5, grade 8)" in line for line in rows)
    assert [line.split()[1] for line in rows if line.endswith("<- middle")] == ["4", "1"]
    assert "seed 1 (the slower of the two middle seeds):" in text
    assert "launch_s1.Q -> capture_s1.D" in text
    with pytest.raises(ValueError, match="different parts"):
        flow.seeds_summary(res + _results({9: 100.0}, grade=6))


# --- nextpnr's critical path, on a captured report ----------------------------------------

def test_parse_nextpnr_critical_path_of_a_real_run():
    """nextpnr_report_cmul.json is the --report of a real run (nextpnr-ecp5 0.11.1, cmul at
    its defaults, grade 6); nextpnr_critical_path_cmul.txt the same run's log lines.  The
    split into logic and routing must be the one nextpnr prints."""
    rep = reports.parse_nextpnr_report(DATA / "nextpnr_report_cmul.json")
    assert rep.fmax_mhz == {"clk": pytest.approx(136.147, abs=1e-3)}
    cp = rep.critical_path()
    assert (cp.clock_from, cp.clock_to) == ("posedge clk", "posedge clk")
    assert cp.from_ == "a_re_reg_TRELLIS_FF_Q_8.Q"
    assert cp.to == "g_whole.ri_m_TRELLIS_FF_Q_18.M"
    assert [s.type for s in cp.segments] == ["clk-to-q", "routing", "logic", "routing", "setup"]
    assert cp.segments[1].net == "a_re_reg[8]"
    assert cp.segments[1].sources == ["../../rtl/cmul.v:51.30-51.38"]
    log = (DATA / "nextpnr_critical_path_cmul.txt").read_text()
    logic, routing = (float(x) for x in
                      re.search(r"([\d.]+) ns logic, ([\d.]+) ns routing", log).groups())
    fmax = float(re.search(r"Max frequency for clock 'clk': ([\d.]+) MHz", log).group(1))
    assert round(cp.logic_ns, 2) == logic == 4.45
    assert round(cp.routing_ns, 2) == routing == 2.89
    assert cp.delay_ns == pytest.approx(1000.0 / fmax, abs=5e-3)
    d = cp.as_dict()
    assert set(d) == {"clock_from", "clock_to", "from", "to", "delay_ns", "logic_ns",
                      "routing_ns", "segments"}
    assert d["segments"][0] == {"type": "clk-to-q", "from": "a_re_reg_TRELLIS_FF_Q_8.Q",
                                "to": "a_re_reg_TRELLIS_FF_Q_8.Q", "delay_ns": 0.5249999761581421}
    line = flow.format_critical_path(cp)[0]
    assert line == ("  critical path: a_re_reg_TRELLIS_FF_Q_8.Q -> g_whole.ri_m_TRELLIS_FF_Q_18.M, "
                    "7.35 ns (logic 4.45 ns, routing 2.89 ns)")


def _seg(kind, a, b, delay, **extra):
    return {"type": kind, "from": {"cell": a, "port": "Q"}, "to": {"cell": b, "port": "D"},
            "delay": delay, **extra}


def test_critical_path_choice_skew_and_bad_reports():
    base = {"fmax": {"a": {"achieved": 100.0, "constraint": 200.0},
                     "b": {"achieved": 250.0, "constraint": 200.0}}, "utilization": {}}
    paths = [
        {"from": "posedge b", "to": "posedge b",
         "path": [_seg("clk-to-q", "r1", "r1", 0.5), _seg("routing", "r1", "r2", 3.5)]},
        {"from": "posedge a", "to": "posedge b",            # cross-domain: never chosen
         "path": [_seg("routing", "x", "y", 20.0)]},
        {"from": "posedge a", "to": "posedge a",
         "path": [_seg("clk-skew", "c", "c", -0.25), _seg("clk-to-q", "p", "p", 0.5),
                  _seg("logic", "p", "q", 4.0), _seg("routing", "q", "s", 5.5, net="n"),
                  _seg("setup", "s", "s", 0.25)]},
    ]
    rep = reports.parse_nextpnr_report(json.dumps({**base, "critical_paths": paths}))
    cp = rep.critical_path()
    assert (cp.from_, cp.to, cp.clock_from) == ("c.Q", "s.D", "posedge a")
    assert (cp.logic_ns, cp.routing_ns, cp.clock_ns, cp.delay_ns) == (4.75, 5.5, -0.25, 10.0)
    assert cp.as_dict()["clock_skew_ns"] == -0.25
    assert "clock skew -0.25 ns" in flow.format_critical_path(cp)[0]
    only_cross = reports.parse_nextpnr_report(json.dumps({**base, "critical_paths": paths[1:2]}))
    assert only_cross.critical_path().delay_ns == 20.0
    none = reports.parse_nextpnr_report(json.dumps(base))
    assert none.critical_path() is None
    assert flow.format_critical_path(None) == ["  critical path: not in nextpnr's report"]
    bad = [{"from": "posedge a", "to": "posedge a", "path": [{"type": "logic", "delay": 1.0}]}]
    with pytest.raises(ValueError, match="lacks"):
        reports.parse_nextpnr_report(json.dumps({**base, "critical_paths": bad}))
    with pytest.raises(ValueError, match="no segments"):
        reports.parse_nextpnr_report(json.dumps({**base, "critical_paths": [{"path": []}]}))
    with pytest.raises(ValueError, match="no fmax"):
        reports.parse_nextpnr_report(json.dumps({"critical_paths": paths}))


# --- the Vivado script, run with Vivado's commands stubbed --------------------------------

VIVADO_COMMANDS = ("set_param", "read_verilog", "read_xdc", "synth_design", "write_checkpoint",
                   "report_utilization", "report_timing_summary", "opt_design", "place_design",
                   "phys_opt_design", "route_design", "report_power", "report_drc", "read_saif")


def _run_build_tcl(args: list[str]) -> tuple[list[list[str]], str]:
    tkinter = pytest.importorskip("tkinter")
    tcl = tkinter.Tcl()
    tcl.eval("set ::calls {}")
    for cmd in VIVADO_COMMANDS:
        tcl.eval(f"proc {cmd} {{args}} {{ lappend ::calls [linsert $args 0 {cmd}] }}")
    tcl.eval("proc exit {{code 0}} { return -code error \"EXIT $code\" }")
    tcl.setvar("argv", tcl.call("list", *args))
    tcl.setvar("argc", len(args))
    try:
        tcl.eval(f"source {{{REPO / 'fpga' / 'vivado' / 'build.tcl'}}}")
        status = "EXIT 0"
    except tkinter.TclError as e:
        status = str(e)
    n = int(tcl.eval("llength $::calls"))
    calls = [list(tcl.splitlist(tcl.eval(f"lindex $::calls {i}"))) for i in range(n)]
    return calls, status


def test_vivado_build_tcl_runs_the_documented_flow(tmp_path):
    calls, status = _run_build_tcl(["-top", "fft_real", "-part", "xcku060-ffva1156-2-e",
                                    "-generic", "K=16", "-clk_mhz", "250",
                                    "-out", str(tmp_path)])
    assert status == "EXIT 0"
    order = [c[0] for c in calls]
    expect = ["read_verilog", "read_xdc", "synth_design", "opt_design", "place_design",
              "phys_opt_design", "route_design", "report_power"]
    assert [c for c in order if c in expect] == expect
    read = next(c for c in calls if c[0] == "read_verilog")
    srcs = tcl_list_files(read)
    assert [Path(s).name for s in srcs] == [p.name for p in filelist_for("fft_real").sources]
    synth = next(c for c in calls if c[0] == "synth_design")
    assert synth[synth.index("-top") + 1] == "fft_real"
    assert synth[synth.index("-part") + 1] == "xcku060-ffva1156-2-e"
    assert synth[synth.index("-generic") + 1] == "K=16"
    assert synth[synth.index("-mode") + 1] == "out_of_context"
    assert "-include_dirs" in synth
    xdc = (tmp_path / "clock.xdc").read_text()
    assert "create_clock -period 4.000 -name clk [get_ports clk]" in xdc
    files = {Path(c[c.index("-file") + 1]).name for c in calls if "-file" in c}
    assert {"utilization.rpt", "timing_summary.rpt", "power.rpt",
            "utilization_synth.rpt"} <= files


def tcl_list_files(call: list[str]) -> list[str]:
    """The file arguments of a stubbed read_verilog call (options dropped, lists flattened)."""
    out = []
    for a in call[1:]:
        if not a.startswith("-"):
            out += a.split()
    return out


def test_vivado_build_tcl_reads_the_saif_before_report_power(tmp_path):
    """With -saif: a vectorless report, then read_saif with -strip_path, then power.rpt; without
    it, no read_saif."""
    saif = tmp_path / "engine.saif"
    saif.write_text("(SAIFILE (DURATION 10) (INSTANCE engine))\n")
    base = ["-top", "fft_real", "-out", str(tmp_path)]
    calls, status = _run_build_tcl(base + ["-saif", str(saif), "-saif_strip", "engine"])
    assert status == "EXIT 0"
    order = [c[0] for c in calls if c[0] in ("route_design", "report_power", "read_saif")]
    assert order == ["route_design", "report_power", "read_saif", "report_power"]
    first, read, last = [c for c in calls if c[0] in ("report_power", "read_saif")]
    assert Path(first[first.index("-file") + 1]).name == "power_vectorless.rpt"
    assert Path(last[last.index("-file") + 1]).name == "power.rpt"
    assert read[-1] == str(saif) and read[read.index("-strip_path") + 1] == "engine"
    assert Path(read[read.index("-out_file") + 1]).name == "saif_unmatched.txt"
    calls, status = _run_build_tcl(base)
    assert status == "EXIT 0"
    assert "read_saif" not in [c[0] for c in calls]
    assert [c for c in calls if c[0] == "report_power"] == [["report_power", "-file",
                                                            str(tmp_path / "power.rpt")]]


def test_vivado_build_tcl_rejects_bad_saif_arguments(tmp_path):
    base = ["-top", "fft_real", "-out", str(tmp_path)]
    for extra in (["-saif", str(tmp_path / "missing.saif")], ["-saif_strip", "engine"]):
        calls, status = _run_build_tcl(base + extra)
        assert status == "EXIT 2" and calls == []
    saif = tmp_path / "engine.saif"
    saif.write_text("(SAIFILE)\n")
    calls, status = _run_build_tcl(base + ["-saif", str(saif), "-impl", "0"])
    assert status == "EXIT 2" and calls == []


def test_vivado_build_tcl_rejects_bad_arguments(tmp_path):
    _, status = _run_build_tcl(["-part", "xcku060-ffva1156-2-e"])
    assert status == "EXIT 2"
    _, status = _run_build_tcl(["-top", "fft_real", "-generic", "K", "-out", str(tmp_path)])
    assert status == "EXIT 2"


def test_default_clock_is_200_mhz():
    xdc = (REPO / "fpga" / "xdc" / "clock.xdc").read_text()
    assert "create_clock -period 5.000 -name clk [get_ports clk]" in xdc


# --- collected routed figures (scripts/collect_fmax.py) ----------------------------------

def _fmax_run(seed: int | None, mhz: float) -> dict:
    run = {"top": "engine", "config": "tiny", "device": "LFE5U-85F CABGA756", "speed_grade": 6,
           "params": {"K": 4}, "fmax_mhz": {"clk": mhz}, "constraint_mhz": {"clk": 200.0},
           "critical_path": None, "utilization": {}, "seconds": 1.0}
    if seed is not None:
        run["seed"] = seed
    return run


@pytest.fixture
def collect_fmax(tmp_path, monkeypatch):
    """scripts/collect_fmax.py, writing its results file in ``tmp_path``."""
    from scripts import collect_fmax
    monkeypatch.setattr(collect_fmax, "OUT", tmp_path / "ecp5_fmax.json")
    return collect_fmax


def test_collect_fmax_keeps_one_row_per_seed(tmp_path, collect_fmax):
    out = collect_fmax.OUT
    runs = []
    for i, (seed, mhz) in enumerate([(None, 100.0), (2, 120.0), (2, 121.0)]):
        p = tmp_path / f"run{i}.json"
        p.write_text(json.dumps(_fmax_run(seed, mhz)))
        runs.append(p)
    assert collect_fmax.main([str(runs[0]), str(runs[1]), "--commit", "abc"]) == 0
    assert collect_fmax.main([str(runs[2]), "--commit", "def"]) == 0
    rows = json.loads(out.read_text())
    # a run without a seed is seed 1; a later run of the same seed replaces the earlier one
    assert [(r["seed"], r["fmax_mhz"], r["rtl_commit"]) for r in rows] == [(1, 100.0, "abc"),
                                                                           (2, 121.0, "def")]
    assert collect_fmax.main([str(tmp_path / "missing.json")]) == 2


def test_collect_fmax_takes_a_seeds_run_and_prints_the_median(tmp_path, collect_fmax, capsys):
    out = collect_fmax.OUT
    seeds_run = tmp_path / "fmax_seeds.json"
    seeds_run.write_text(json.dumps({"runs": [_fmax_run(s, mhz) for s, mhz in
                                              ((1, 86.8), (2, 122.4), (3, 94.6))],
                                     "summary": {}}))
    other = tmp_path / "fmax.json"                    # same design, another commit
    other.write_text(json.dumps(_fmax_run(4, 50.0)))
    assert collect_fmax.main([str(seeds_run), "--commit", "abc"]) == 0
    printed = capsys.readouterr().out
    assert "median 94.6 MHz over 3 seeds (1, 2, 3), min 86.8, max 122.4 MHz" in printed
    assert collect_fmax.main([str(other), "--commit", "def"]) == 0
    assert "median 50.0 MHz over 1 seed (4)" in capsys.readouterr().out
    rows = json.loads(out.read_text())
    assert [(r["seed"], r["fmax_mhz"]) for r in rows] == [(1, 86.8), (2, 122.4), (3, 94.6),
                                                          (4, 50.0)]
    # an even count: the mean of the two middle values, over the rows of one commit
    extra = tmp_path / "seed5.json"
    extra.write_text(json.dumps(_fmax_run(5, 100.0)))
    assert collect_fmax.main([str(extra), "--commit", "abc"]) == 0
    assert "grade 6 at abc: median 97.3 MHz over 4 seeds (1, 2, 3, 5, mean of the two middle " \
        "values)" in capsys.readouterr().out


def test_module_totals_of_a_hierarchical_run():
    """reports.module_totals: every RTL module's instances with everything beneath them (the
    per-unit figures the whole-engine resource model is fitted on)."""
    stat = {"modules": {
        "\\top": {"num_cells_by_type": {"FDRE": 2, "$paramod$ab12\\mid": 2, "\\leaf": 1}},
        "$paramod$ab12\\mid": {"num_cells_by_type": {"LUT2": 3, "\\leaf": 2}},
        "\\leaf": {"num_cells_by_type": {"DSP48E2": 1, "RAMB18E2": 1}}},
        "design": {"num_cells_by_type": {}}}
    t = reports.module_totals(json.dumps(stat), "top")
    assert (t["top"].ff, t["top"].lut, t["top"].dsp, t["top"].bram36) == (2, 6, 5, 2.5)
    assert (t["mid"].lut, t["mid"].dsp) == (6, 4)
    assert (t["leaf"].dsp, t["leaf"].bram36) == (5, 2.5)      # 2 x 2 under mid, 1 under top
    with pytest.raises(ValueError, match="no module 'engine'"):
        reports.module_totals(json.dumps(stat), "engine")


def test_synth_config_can_be_a_bundle(tmp_path):
    """`make synth CONFIG=<bundle>`: the engine gets the trained model's exported images (copied
    to the run directory's mem/) and the build they were exported for; other tops that build's
    parameters; a changed build, a bundle without images and a stale one are refused."""
    import json

    from fpga.__main__ import resolve_params
    from golden.engine_layout import EngineParams
    from golden.model import Model, ModelConfig
    from train.export import write_bundle

    gm = Model.random(ModelConfig(cell="lstm", input_size=12, hidden_size=32, proj_size=16,
                                  peephole=True, k=4, num_classes=5, name="t"), seed=3)
    bundle = write_bundle(gm, tmp_path / "run" / "bundle", n_pe=4, wpar=2)
    want = EngineParams.for_model(gm.config, 4, 2).hdl_params()
    for given in (bundle, tmp_path / "run"):            # the bundle, or the run holding it
        params, name = resolve_params("engine", str(given), {}, "pytest")
        assert params == want and name == "bundle-run"
    mem = flow.run_dir("engine", name, "pytest") / "mem"
    for f in ("w_b00.mem", "bias.mem", "peep.mem", "tanh.mem"):
        assert (mem / f).read_bytes() == (bundle / "engine" / "d0" / f).read_bytes()
    assert resolve_params("fft_real", str(bundle), {}, "pytest")[0]["K"] == 4
    with pytest.raises(ValueError, match="-P N_PE: a bundle's engine parameters are those it was exported for"):
        resolve_params("engine", str(bundle), {"N_PE": 8}, "pytest")
    # images older than the engine's parameters (no shape): refused, naming the difference
    man = json.loads((bundle / "bundle.json").read_text())
    vh = bundle / "engine" / "d0" / "engine_params.vh"
    vh.write_text(vh.read_text().replace(f".GG({want['GG']})", ".GG(99)"))
    man["files"]["engine/d0/engine_params.vh"] = __import__("hashlib").sha256(vh.read_bytes()).hexdigest()
    (bundle / "bundle.json").write_text(json.dumps(man))
    with pytest.raises(ValueError, match=r"written for other engine parameters \(GG 99 \(now"):
        resolve_params("engine", str(bundle), {}, "pytest")
    # a stacked bidirectional model has no engine images
    bi = Model.random(ModelConfig(cell="gru", input_size=8, hidden_size=8, num_layers=2, k=4,
                                  bidirectional=True, num_classes=5, name="bi"), seed=1)
    with pytest.raises(ValueError, match="the bundle has no engine images"):
        resolve_params("engine", str(write_bundle(bi, tmp_path / "bi")), {}, "pytest")
