"""The whole-engine resource model (fpga/model.py) against the committed whole-engine synthesis
results (fpga/engine_calibration.json): the held-out size within 15 %, the fit blind to it, the
memory mapping rule against yosys.  Seconds, no synthesis."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from fpga import model
from fpga.configs import CONFIGS
from fpga.engine_cal import ENGINE_CALIBRATION, ENGINE_SIZES


def test_held_out_size_within_15_percent():
    m = model.load_model()
    rows = model.calibration_table(m)
    checks = [r for r in rows if r["role"] == "check"]
    assert len([r for r in rows if r["role"] == "fit"]) >= 3 and len(checks) >= 1
    for r in checks:
        for res, err in r["err"].items():
            assert abs(err) <= 0.15, (r["name"], res, err)


def test_the_fit_does_not_see_the_held_out_size(tmp_path: Path):
    """Changing the held-out size's synthesized figures changes nothing in the model's
    prediction of it (only its error)."""
    data = json.loads(ENGINE_CALIBRATION.read_text())
    check = next(n for n, r in data["sizes"].items() if r["role"] == "check")
    before = model.calibration_table(model.load_model())
    for unit in data["sizes"][check].get("hier", {}).values():
        unit["lut"] *= 3
    data["sizes"][check]["flat"]["ff"] *= 2
    p = tmp_path / "cal.json"
    p.write_text(json.dumps(data))
    after = model.calibration_table(model.load_model(p))
    b = next(r for r in before if r["name"] == check)
    a = next(r for r in after if r["name"] == check)
    assert a["model"] == b["model"] and a["synth"]["ff"] == 2 * b["synth"]["ff"]


def test_calibration_covers_the_sizes_of_engine_cal():
    data = json.loads(ENGINE_CALIBRATION.read_text())
    assert set(data["sizes"]) == {c.name for c, _ in ENGINE_SIZES}
    for name, row in data["sizes"].items():
        # the held-out size needs only its flattened totals (the fit never reads it)
        if row["role"] == "fit":
            assert {"engine", "engine_array", "engine_pe", "fft_real"} <= set(row["hier"]), name
        assert row["flat"]["dsp"] > 0 and row["rtl"] != "unknown"


def test_memory_mapping_rule():
    # yosys synth_xilinx of engine_wmem, 1,024 lines x 4 lanes of 32 bits: 4.0 RAMB36
    assert model.Memory("w", "wmem", 1024, 128, lane=32).mapped() == ("bram", 4.0, 0.0)
    # lane enables keep each 32-bit lane on 4 byte enables of 9 bits: 36 bits per lane
    assert model.Memory("w", "wmem", 976, 16384, lane=32).mapped()[1] == 512.0
    assert model.Memory("w", "wmem", 976, 16384).mapped()[1] == 456.0
    # small memories go to LUT RAM: 32 x 136 bits = 10 RAM32M16 of 8 LUTs
    assert model.Memory("bias", "hlanes", 32, 136).mapped() == ("lutram", 0.0, 80.0)
    assert model.Memory("one", "rec", 1, 152).mapped()[0] == "ff"
    # every calibration size: the weight memory's block RAM exactly as yosys mapped it, the
    # total within 20 % (yosys spends a RAMB36 per one or two 17-bit bias lanes, which the
    # rule approximates)
    m = model.load_model()
    for name, row in m.data["sizes"].items():
        if "hier" not in row:
            continue
        cfg = model._config_of(name, row)
        weights = sum(x.mapped()[1] for x in model.memories(cfg) if x.unit == "wmem")
        assert weights == row["hier"]["engine_wmem"]["bram36"], name
    for r in model.calibration_table(m):
        assert abs(r["err"]["bram36"]) <= 0.2, r["name"]


def test_reference_configuration_fits_at_half_the_ceiling():
    """lstmp-1024, k = 8, N_PE 128 x WPAR 4 (512 complex MACs per cycle: 74 % of the XCKU060's
    690 at 4 DSP each) fits by the calibrated model: LUT <= 85 %, DSP and BRAM <= 90 %."""
    m = model.load_model()
    c = replace(CONFIGS["lstmp-1024-k8"], n_pe=128, wpar=4, hlanes=4)
    e = model.estimate(c, m)
    assert model.fits_limits(e, "xcku060") == []
    assert e.dsp >= 4 * 512
    assert set(e.units) == set(model.UNITS)
    assert e.lut == pytest.approx(sum(u["lut"] for u in e.units.values()))
    # both directions' weights on the same engine do not fit (block RAM)
    e2 = model.estimate(c, m, directions=2)
    assert e2.bram36 > e.bram36 * 1.8


def test_render_has_the_tables():
    text = model.render()
    for head in ("## Calibration", "## Unit formulas", "## `lstmp-1024`", "## `gru-1024`",
                 "## Bidirectional", "Held-out size"):
        assert head in text


def test_measure_engines_merges_rows(tmp_path: Path, monkeypatch):
    """`python -m fpga calibrate --engines SIZE` adds its row to the JSON and keeps the others
    (synthesis replaced by a stand-in row here)."""
    from fpga import engine_cal
    monkeypatch.setattr(engine_cal, "measure_one", lambda cfg, part: {"flat": {"lut": cfg.k}})
    monkeypatch.setattr(engine_cal, "_commit", lambda: "abc1234")
    p = tmp_path / "cal.json"
    p.write_text(json.dumps({"sizes": {"other": {"flat": {"lut": 1}}}, "pe_grid": {"4x1": {}}}))
    engine_cal.measure_engines(["cal-small"], path=p)
    d = json.loads(p.read_text())
    assert set(d["sizes"]) == {"other", "cal-small"} and d["pe_grid"] == {"4x1": {}}
    row = d["sizes"]["cal-small"]
    assert row == {"flat": {"lut": 8}, "role": "fit", "rtl": "abc1234", "date": row["date"]}
    assert d["tool"].startswith("yosys synth_xilinx") and d["part"].startswith("xcku060")
    with pytest.raises(KeyError, match="unknown engine size"):
        engine_cal.measure_engines(["nosuch"], path=p)
