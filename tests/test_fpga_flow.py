"""FPGA flow: the open fallback runs and its reports are parsed; the Vivado script is
exercised under a Tcl interpreter with Vivado's commands stubbed out.

Checks that the flow works and the parsers read what the tools write -- never the figures.
The Vivado report samples in tests/data/fpga/ are hand-written in the layout of Vivado
2022.2 (UltraScale, with the Prohibited column) and 2018.3 (7 series) reports.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fpga import configs, flow, parts, reports
from fpga.filelist import REPO, available_tops, filelist_for

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
    assert configs.overrides_for("fft_real", cfg) == {"K": 8}
    assert configs.overrides_for("round_sat", cfg) == {}
    with pytest.raises(ValueError, match="no parameter"):
        configs.overrides_for("round_sat", cfg, {"K": 4})
    with pytest.raises(KeyError, match="unknown CONFIG"):
        configs.get_config("nope")


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


def test_ecp5_fmax_report_is_parsed(tmp_path):
    res = flow.fmax_ecp5("cmul", {}, "test", out_dir=tmp_path)
    assert set(res.report.fmax_mhz) == {"clk"} and res.report.fmax_mhz["clk"] > 0
    assert res.report.utilization["MULT18X18D"][0] > 0
    assert "ECP5 figure" in flow.format_fmax(res)


# --- the Vivado script, run with Vivado's commands stubbed --------------------------------

VIVADO_COMMANDS = ("set_param", "read_verilog", "read_xdc", "synth_design", "write_checkpoint",
                   "report_utilization", "report_timing_summary", "opt_design", "place_design",
                   "phys_opt_design", "route_design", "report_power", "report_drc")


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


def test_vivado_build_tcl_rejects_bad_arguments(tmp_path):
    _, status = _run_build_tcl(["-part", "xcku060-ffva1156-2-e"])
    assert status == "EXIT 2"
    _, status = _run_build_tcl(["-top", "fft_real", "-generic", "K", "-out", str(tmp_path)])
    assert status == "EXIT 2"


def test_default_clock_is_200_mhz():
    xdc = (REPO / "fpga" / "xdc" / "clock.xdc").read_text()
    assert "create_clock -period 5.000 -name clk [get_ports clk]" in xdc
