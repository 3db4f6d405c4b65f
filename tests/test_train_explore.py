"""train.explore: the reduced (CI) form of the accuracy sweep of the design-space report.

`python -m train explore` over the tiny preset and corpus, two block sizes and both training
modes: results.json has exactly the schema the report generator reads, every point has a
bit-accurate fixed-point PER equal to `python -m train eval RUN --fixed`, the table and plots
are written, and a rerun reuses the finished points.
"""
import json

import pytest

from train.__main__ import main

TOP = {"corpus", "preset", "epochs", "seed", "max_per", "cheapest", "rows"}
ROW = {"name", "cell", "hidden", "k", "mode", "per_float", "per_fixed", "test_per", "dev_per",
       "params", "dense_params", "compression", "cmacs_per_frame", "train_seconds"}
ARGS = ["explore", "--preset", "tiny", "--corpus", "tiny", "--ks", "1", "4", "--modes", "admm",
        "direct", "--cells", "lstm", "gru", "--epochs", "3", "--max-steps", "2",
        "--max-per", "1000", "--quiet"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("explore")
    assert main(ARGS + ["--out", str(out)]) == 0
    return out, json.loads((out / "results.json").read_text())


def test_results_schema_and_points(sweep):
    out, res = sweep
    assert set(res) == TOP
    assert (res["corpus"], res["preset"], res["epochs"], res["seed"]) == ("tiny", "tiny", 3, 0)
    got = [(r["cell"], r["k"], r["mode"]) for r in res["rows"]]
    assert got == [(c, k, m) for c in ("lstm", "gru")
                   for k, m in ((1, "dense"), (4, "admm"), (4, "direct"))]
    for r in res["rows"]:
        assert set(r) == ROW
        assert r["hidden"] == 16 and isinstance(r["name"], str)
        for key in ("per_float", "per_fixed", "dev_per", "compression", "train_seconds"):
            assert isinstance(r[key], float) and r[key] >= 0, (r["name"], key)
        for key in ("params", "dense_params", "cmacs_per_frame"):
            assert isinstance(r[key], int) and r[key] > 0, (r["name"], key)
        assert r["test_per"] == r["per_float"]
        assert r["compression"] == r["dense_params"] / r["params"]
        assert (r["compression"] == 1.0) == (r["k"] == 1)
        fit_res = json.loads((out / r["name"] / "result.json").read_text())
        assert r["per_float"] == fit_res["test_per"] and fit_res["config"]["mode"] == r["mode"]
    # the chooser: every point meets --max-per 1000, so the cheapest is the fewest cMACs/frame
    cheapest = min(res["rows"], key=lambda r: (r["cmacs_per_frame"], r["params"]))
    assert res["cheapest"] == cheapest["name"] and cheapest["k"] == 4


def test_fixed_per_is_evals_bit_accurate_per(sweep, tmp_path):
    out, res = sweep
    for r in res["rows"][:2]:                     # dense and circulant
        main(["eval", str(out / r["name"]), "--fixed", "--quiet",
              "--json", str(tmp_path / "e.json")])
        ev = json.loads((tmp_path / "e.json").read_text())
        assert ev["per_fixed_golden"] == r["per_fixed"]
        assert ev["per_float_torch"] == pytest.approx(r["per_float"], abs=1e-9)


def test_table_and_plots_are_written(sweep):
    out, res = sweep
    table = (out / "table.md").read_text()
    assert "test PER float %" in table and "test PER fixed %" in table
    for r in res["rows"]:
        line = next(x for x in table.splitlines() if x.startswith(f"| {r['name']}"))
        assert f"| {r['per_float']:.2f} | {r['per_fixed']:.2f} |" in line
    for name in ("per_vs_compression.png", "per_vs_cost.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_rerun_reuses_points_and_refuses_another_budget(sweep):
    out, res = sweep
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/result.json")}
    assert main(ARGS + ["--out", str(out)]) == 0
    assert json.loads((out / "results.json").read_text()) == res
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/result.json")} == stamps
    with pytest.raises(ValueError, match="another configuration"):
        main([a if a != "3" else "4" for a in ARGS] + ["--out", str(out)])


def test_bad_block_size_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="powers of two"):
        main(["explore", "--preset", "tiny", "--corpus", "tiny", "--ks", "1", "3",
              "--out", str(tmp_path)])
