"""golden.pointstats (saturation per rounding point, float ranges) and golden.calibrate (formats
from ranges, measurement), and their use by train: calibration before QAT, the export check."""
import dataclasses
import json

import numpy as np
import pytest

from golden.calibrate import (Calibration, act_flat_at_edge, calibrate, exact_points, float_ranges,
                              int_bits, measure, sqnr_db)
from golden.fixed import Fmt
from golden.formats import Formats
from golden.model import Model, ModelConfig
from golden.pointstats import POINTS, Recorder, count_sat
from golden.runner import Runner, run_fixed


def _model(cell="lstm", **kw):
    return Model.random(ModelConfig(cell=cell, input_size=12, hidden_size=16, k=4, **kw), seed=1)


def _with(model, **formats):
    F = dataclasses.replace(model.config.formats, **formats)
    return Model(dataclasses.replace(model.config, formats=F), model.params)


def test_recorder_counts_and_is_off_by_default():
    count_sat("cell", np.array([5]), 0, 1)          # no recorder: nothing happens
    with Recorder() as rec:
        count_sat("cell", np.array([-3, 0, 1, 2, 7]), -2, 1)
        count_sat("cell", np.array([0]), -2, 1)
    assert rec.saturation() == {"cell": (3, 6)}
    with pytest.raises(KeyError, match="unknown rounding point"):
        with Recorder():
            count_sat("nowhere", np.array([0]), 0, 1)
    with Recorder():
        with pytest.raises(RuntimeError, match="already active"):
            Recorder().__enter__()


@pytest.mark.parametrize("kw", [dict(cell="lstm", peephole=True, proj_size=8, bidirectional=True),
                                dict(cell="gru", num_layers=2)])
def test_recording_changes_no_code_and_sees_every_point(kw):
    m = _model(**kw)
    x = np.random.default_rng(0).normal(0, 3, (20, m.config.input_size))
    plain = run_fixed(m, x)
    with Recorder() as rec:
        got = run_fixed(m, x)
    assert all(np.array_equal(a, b) for a, b in zip(plain.layers, got.layers))
    expect = {"input", "fft", "spec", "ifft", "pre"}
    expect |= ({"peep", "cell", "tanh_c", "m", "proj_pre", "proj"} if kw["cell"] == "lstm"
               else {"gru_sum", "h"})
    assert set(rec.saturation()) == expect
    n_in = rec.saturation()["input"][1]
    assert n_in == x.size
    with Recorder() as fl:
        Runner(m, False)(x)
    assert set(fl.ranges()) == expect - {"fft", "ifft"}


def test_cell_count_equals_the_values_a_wider_format_keeps():
    """Two steps of an LSTM: the narrow model's count at 'cell' equals the number of cell values
    a model with a wider (same fraction) cell format has outside the narrow range."""
    m = Model.random(ModelConfig(cell="lstm", input_size=8, hidden_size=32, k=4), seed=2, gain=2.0)
    m.params["l0.d0.b"][:96] = np.random.default_rng(4).uniform(0, 4, 96)  # i, f, g mostly open
    x = np.random.default_rng(3).normal(0, 4, (2, 8))
    narrow, wide = _with(m, cell="s16.15"), _with(m, cell="s20.15")
    with Recorder() as rec:
        run_fixed(narrow, x)
    c = Runner(wide, True)(x, trace=True).traces[0][0]["c"]
    f = Fmt.parse("s16.15")
    n_out = int(((c < f.min_int) | (c > f.max_int)).sum())
    assert n_out > 0 and rec.saturation()["cell"] == (n_out, c.size)


def test_act_flat_at_edge_and_exact_points():
    gate = Fmt.parse("s16.14")
    assert act_flat_at_edge(Fmt.parse("s16.11"), gate, 8)        # +-16: sigmoid rounds to 1
    assert not act_flat_at_edge(Fmt.parse("s16.12"), gate, 8)    # +-8: sigmoid(8) = 0.99966
    lstm = ModelConfig(formats=Formats(pre="s16.11"))
    assert exact_points(lstm) == {"pre", "tanh_c", "gru_sum"}
    assert exact_points(dataclasses.replace(lstm, peephole=True)) == {"peep", "tanh_c", "gru_sum"}
    assert exact_points(ModelConfig()) == set()                # pre s16.12 is not flat
    # the LSTM's pre clamp is followed by + bias: exact only if the edge minus the bias is flat
    assert "pre" in exact_points(lstm, bias_max=2.34)         # 16 - 2.34 = 13.7: still flat
    assert "pre" not in exact_points(lstm, bias_max=8.0)      # 16 - 8 = 8: sigmoid(8) is not
    assert not act_flat_at_edge(Fmt.parse("s16.11"), gate, 8, slack=8.0)


def test_pre_count_sees_a_clamp_the_bias_would_undo():
    """IFFT output 10.8 clamps to +8 before the bias -5 is added (result ~3, not 5.8): counted,
    although the exact sum 5.8 lies within +-8."""
    from golden.circulant import CirculantFixed
    from golden.fixed import quantize
    F = Formats()
    mat = CirculantFixed.from_vectors(np.full((1, 1, 4), 0.9), 4, 4, F)
    x = quantize(np.full((1, 4), 3.0), F.fmt("data"))
    bias = quantize(np.full(4, -5.0), F.fmt("pre"))
    with Recorder() as rec:
        y = mat(x, bias)
    assert rec.saturation()["pre"] == (4, 4)
    assert np.all(y == F.fmt("pre").max_int + bias)          # clamped, then the bias


def test_int_bits():
    assert [int_bits(v) for v in (0, 0.3, 0.99, 1.0, 11.9, 16.0, 30.7)] == [0, 0, 0, 1, 4, 5, 5]


def test_calibrate_rule():
    m = _model()
    rec = Recorder()
    rec._observe("input", np.array([11.9]))
    rec._observe("m", np.array([1.0]))
    rec._observe("spec", np.array([67.3]))
    rec._observe("pre", np.array([67.8]))           # activation-only in this LSTM: capped at +-16
    rec._observe("tanh_c", np.array([30.7]))
    rec._observe("cell", np.array([30.7]))
    cal = calibrate(m, rec)
    F = cal.formats
    assert (F.data, F.spec, F.pre, F.cell) == ("s16.11", "s20.12", "s16.11", "s16.10")
    assert F.gate == "s16.14" and F.tw_width == 18                # not calibrated
    assert {r["field"] for r in cal.rows} >= {"data", "spec", "pre", "cell", "weight", "bias"}
    assert "| `cell` |" in cal.table()
    # a margin moves a range over the power of two
    assert calibrate(m, rec, margin=1.5).formats.data == "s16.10"
    with pytest.raises(ValueError, match="margin"):
        calibrate(m, rec, margin=0.5)
    # spec never gets more fractional bits than the accumulator has
    tiny = Recorder()
    tiny._observe("spec", np.array([1e-3]))
    F2 = calibrate(m, tiny, base=Formats(data="s8.4", weight="s8.6")).formats
    assert F2.spec == "s20.11"
    assert Fmt.parse(F2.spec).frac == Fmt.parse(F2.data).frac + Fmt.parse(F2.weight).frac
    # a range the width cannot hold
    huge = Recorder()
    huge._observe("cell", np.array([1e6]))
    with pytest.raises(ValueError, match="'cell' needs 20 integer bits"):
        calibrate(m, huge)


def test_calibration_removes_saturation_and_raises_sqnr():
    """A model whose cell state leaves +-8: the default formats clamp it, calibrated ones not."""
    m = Model.random(ModelConfig(cell="lstm", input_size=12, hidden_size=32, k=4), seed=0,
                     gain=3.0)
    m.params["l0.d0.b"][:96] = [4.0] * 32 + [6.0] * 32 + [2.0] * 32   # c accumulates: f ~ 1, i*g ~ 1
    rng = np.random.default_rng(0)
    feats = [rng.normal(0, 2, (60, 12)) for _ in range(4)]
    before = measure(m, feats)
    assert before.over(1e-4).keys() >= {"cell"}
    cal = calibrate(m, float_ranges(m, feats))
    after = measure(_with(m, **{f: getattr(cal.formats, f) for f in ("data", "spec", "pre", "cell",
                                                                   "weight", "bias")}), feats)
    assert after.over(1e-4) == {}
    assert min(after.sqnr) > min(before.sqnr) + 10
    s = after.summary()
    assert s["utterances"] == 4 and s["saturation"]["cell"]["saturated"] == 0
    assert any("SQNR" in line for line in after.lines(1e-4))


def test_sqnr_db():
    a = np.array([1.0, -1.0])
    assert sqnr_db(a, a) == float("inf")
    assert sqnr_db(a, a * 1.1) == pytest.approx(20.0)


def test_points_name_their_formats():
    F = Formats()
    for point, (fld, what) in POINTS.items():
        assert fld is None or F.fmt(fld) and what


# ---- train: calibration before QAT, the export check --------------------------------------

def test_fit_calibrates_before_qat_and_export_checks(tmp_path, capsys):
    from train.__main__ import main
    from train.trainer import CKPT, load_checkpoint, model_from_checkpoint, save_checkpoint

    run = tmp_path / "run"
    assert main(["fit", "--preset", "tiny", "--corpus", "synthetic", "--mode", "direct", "--k", "4",
                 "--epochs", "1", "--max-steps", "2", "--qat-epochs", "1", "--qat-steps", "1",
                 "--calib-utts", "8", "--out", str(run), "--quiet", "--threads", "1"]) == 0
    ck = load_checkpoint(run / CKPT)
    assert ck["calibration"]["formats"] == ck["formats"]
    _, cfg = model_from_checkpoint(ck)
    assert cfg.golden_formats().to_dict() == ck["formats"]
    res = json.loads((run / "result.json").read_text())
    assert res["formats"] == ck["formats"] and res["calibration"]["rows"]
    # export: the bundle carries the calibrated formats and the check's figures
    assert main(["export", str(run), "--out", str(tmp_path / "b"), "--check-utts", "4",
                 "--quiet"]) == 0
    man = json.loads((tmp_path / "b" / "bundle.json").read_text())
    assert man["formats"] == ck["formats"] and man["train"]["saturation"]["utterances"] == 4
    # a checkpoint whose data format clamps the features: refused, nothing written
    ck["formats"] = dict(ck["formats"], data="s16.15")
    save_checkpoint(run / CKPT, ck)
    capsys.readouterr()
    assert main(["export", str(run), "--out", str(tmp_path / "c"), "--check-utts", "4",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "saturation above 0.01 % on 4 dev utterances at: input" in err
    assert "--allow-saturation" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()
    assert main(["export", str(run), "--out", str(tmp_path / "c"), "--check-utts", "4",
                 "--allow-saturation", "--quiet"]) == 0
    # eval --fixed prints the points and the SQNR
    capsys.readouterr()
    assert main(["eval", str(run), "--fixed", "--limit", "3", "--quiet", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "input" in out and "ABOVE 0.01 %" in out and "SQNR vs float64" in out
    # python -m train numerics: ranges, calibration, both sets of formats measured
    assert main(["numerics", str(run), "--calib-utts", "4", "--limit", "2", "--compare", "default",
                 "--quiet", "--json", str(tmp_path / "n.json")]) == 0
    n = json.loads((tmp_path / "n.json").read_text())
    assert set(n["measured"]) == {"run", "compare"} and n["measured"]["run"]["utterances"] == 2
    assert n["measured"]["run"]["saturation"]["input"]["saturated"] > 0
    assert n["measured"]["compare"]["formats"] == Formats().to_dict()
    assert n["ranges"]["input"]["max"] >= n["ranges"]["input"]["p99"] > 0
    assert main(["numerics", str(run), "--compare", "/nonexistent.json"]) == 2


def test_calibration_options_are_checked(capsys):
    from train.__main__ import main
    assert main(["fit", "--preset", "tiny", "--corpus", "synthetic", "--calib-margin", "0.5",
                 "--out", "/nonexistent/x"]) == 2
    assert "calib_margin >= 1.0" in capsys.readouterr().err


def test_calibration_round_trips():
    cal = Calibration(Formats(cell="s16.10"), [{"field": "cell"}], 1.0)
    d = cal.to_dict()
    assert Formats.from_dict(d["formats"]).cell == "s16.10"


def test_per_layer_formats():
    """Per-layer calibration sees each layer's own ranges, and the per-layer emulation with the
    same formats everywhere is exactly the one-engine model."""
    from golden.calibrate import calibrate_layers, sqnr_per_layer_formats
    m = Model.random(ModelConfig(cell="lstm", input_size=12, hidden_size=16, k=4, num_layers=2,
                                 bidirectional=True), seed=5)
    rng = np.random.default_rng(1)
    feats = [rng.normal(0, 3, (30, 12)) for _ in range(3)]
    rec = float_ranges(m, feats)
    assert {l for l, _ in rec.layer_max} == {0, 1}
    assert rec.layer_max[(0, "input")] == rec.max["input"] and (1, "input") not in rec.layer_max
    per = calibrate_layers(m, rec)
    assert per[0].formats.data == calibrate(m, rec).formats.data == "s16.11"   # features to ~10
    assert per[1].formats.data == "s16.15"                                      # m in (-1, 1)
    F = m.config.formats
    assert sqnr_per_layer_formats(m, [F, F], feats) == measure(m, feats).sqnr
