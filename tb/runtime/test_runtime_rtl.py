"""The host runtime on the RTL engine (both simulators): 2-layer bidirectional stacks run as
layer-major passes with their weights switched through the load port; every output word and
every logit equal to golden's run_fixed.  A broken engine (a mutant) must make them differ.

Slow: a trained 2-layer bidirectional small model end to end on Verilator (trained here with
`python -m train fit --preset small --layers 2`), every logit equal to golden and the PER of
the RTL's logits equal to `python -m train eval --fixed` on the same utterances.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rtlsim import ROOT
from tb.common.sim import mutant_sim, selected_sims

SETS = {
    # peepholes and projection; layer 0 reads 14 inputs, layer 1 2 x 16: layer 0 padded
    "bi-lstmp": dict(cfg=dict(cell="lstm", input_size=14, hidden_size=32, num_layers=2,
                              proj_size=16, peephole=True, k=4, bidirectional=True,
                              num_classes=7), n_pe=3, wpar=1, hlanes=1, lens=[3, 1, 4]),
    "bi-gru": dict(cfg=dict(cell="gru", input_size=16, hidden_size=16, num_layers=2, k=4,
                            bidirectional=True, num_classes=5), n_pe=4, wpar=2, hlanes=2,
                   lens=[2, 4]),
}
CASES = [(s, n) for s in ("icarus", "verilator") for n in SETS if s in selected_sims()]


def _model(name: str):
    from golden.model import Model, ModelConfig
    return Model.random(ModelConfig(**SETS[name]["cfg"], name=name), seed=11, gain=2.0)


def _feats(name: str):
    s = SETS[name]
    rng = np.random.default_rng(4)
    return [rng.standard_normal((T, s["cfg"]["input_size"])) * 2 for T in s["lens"]]


def _simulate(sim, name, **kw):
    from runtime.sim import simulate
    s = SETS[name]
    return simulate(_model(name), _feats(name), sim=sim, n_pe=s["n_pe"], wpar=s["wpar"],
                    hlanes=s["hlanes"], progress=None, **kw)


@pytest.mark.parametrize("sim,name", [pytest.param(s, n, id=f"{s}-{n}") for s, n in CASES])
def test_runtime_bidirectional(sim, name):
    from golden.runner import run_fixed
    model, feats = _model(name), _feats(name)
    res = _simulate(sim, name, tag=f"rt-{name}")
    for u, f in enumerate(feats):
        ref = run_fixed(model, f).squeeze()
        bad = np.argwhere(res.codes[u] != ref.codes)
        assert not len(bad), f"utterance {u}: {len(bad)} words differ, first at {bad[0].tolist()}"
        assert np.array_equal(res.logits[u], ref.logits), f"utterance {u}: logits differ"
    frames = sum(len(f) for f in feats)
    assert [p["name"] for p in res.passes] == ["layer 0 forward", "layer 0 backward",
                                               "layer 1 forward", "layer 1 backward"]
    for p in res.passes:
        assert p["frames"] == frames and p["load_writes"] > 0
        # the load port takes one write per cycle: a load costs its writes plus a few cycles
        assert p["load_writes"] <= p["load_cycles"] <= p["load_writes"] + 8, p
        assert 0 < p["mac_beats"] <= p["cycles"] <= p["stream_cycles"], p


def test_runtime_broken_engine_differs():
    """Every RND rounding of the datapath truncates instead: the runtime's outputs are no
    longer golden's."""
    from golden.runner import run_fixed
    sim = mutant_sim("verilator")
    model, feats = _model("bi-lstmp"), _feats("bi-lstmp")
    res = _simulate(sim, "bi-lstmp", tag="rt-mutant-round",
                    mutation={"round_sat.v": ("assign inc = HALF;",
                                              "assign inc = {(IN_WIDTH + 1) {1'b0}};")})
    same = [np.array_equal(c, run_fixed(model, f).squeeze().codes) for c, f in zip(res.codes, feats)]
    assert not any(same), "a broken engine gave golden's outputs through the runtime"


@pytest.mark.slow
def test_runtime_trained_bidirectional_stack(tmp_path):
    """Train a 2-layer bidirectional small model briefly, run it on Verilator through
    `python -m runtime run`: every logit equal, PER equal to `train eval --fixed`."""
    if "verilator" not in selected_sims():
        pytest.skip("Verilator not selected")
    run_dir, utts = tmp_path / "bi2", 3
    py = sys.executable
    subprocess.run([py, "-m", "train", "fit", "--preset", "small", "--layers", "2", "--mode",
                    "admm", "--k", "8", "--epochs", "8", "--qat-epochs", "1", "--qat-steps", "10",
                    "--out", str(run_dir), "--quiet"], cwd=ROOT, check=True)
    subprocess.run([py, "-m", "train", "export", str(run_dir), "--out", str(run_dir / "bundle"),
                    "--quiet"], cwd=ROOT, check=True)
    rtl, ev = tmp_path / "rtl.json", tmp_path / "eval.json"
    subprocess.run([py, "-m", "runtime", "run", str(run_dir), "--utts", str(utts), "--json",
                    str(rtl)], cwd=ROOT, check=True)
    subprocess.run([py, "-m", "train", "eval", str(run_dir), "--fixed", "--limit", str(utts),
                    "--json", str(ev), "--quiet"], cwd=ROOT, check=True)
    r, e = json.loads(rtl.read_text()), json.loads(ev.read_text())
    assert r["logits_equal"] and r["output_words"] == r["frames"] * 2 * 128
    assert len(r["passes"]) == 4
    assert r["per_rtl"] == e["per_fixed_golden"], (r["per_rtl"], e["per_fixed_golden"])
    assert r["per_rtl"] < 90, f"the model emits (almost) nothing: PER {r['per_rtl']:.1f} %"


def test_runtime_runs_on_a_bundles_images(tmp_path):
    """`python -m runtime run` (and so `make run`) powers the engine up with the bundle's own
    engine images (``train export``'s engine/d0).  Preloaded, the runtime loads nothing for the
    first pass, so the bundle's images alone make every output word golden's; images written
    for another engine build are refused, naming the parameter."""
    from golden.model import Model, ModelConfig
    from golden.runner import run_fixed
    from runtime import RunError
    from runtime.__main__ import bundle_images
    from runtime.sim import simulate
    from train.export import write_bundle

    sim = "verilator" if "verilator" in selected_sims() else "icarus"
    gm = Model.random(ModelConfig(cell="lstm", input_size=14, hidden_size=32, num_layers=2,
                                  proj_size=16, peephole=True, k=4, num_classes=7, name="uni"),
                      seed=5, gain=2.0)
    bundle = write_bundle(gm, tmp_path / "bundle", n_pe=3)
    images, why = bundle_images(bundle, gm, 3, 1, 1)
    assert images == bundle / "engine" / "d0", why
    other, why = bundle_images(bundle, gm, 4, 1, 1)
    assert other is None and "another engine build: N_PE 3" in why and "N_PE 4" in why
    with pytest.raises(RunError, match=r"images written for another engine build: N_PE 3 \(build 4\)"):
        simulate(gm, [np.zeros((2, 14))], sim=sim, n_pe=4, images=images, progress=None)
    feats = [np.random.default_rng(2).standard_normal((T, 14)) * 2 for T in (3, 2)]
    res = simulate(gm, feats, sim=sim, n_pe=3, images=images, preloaded=True, progress=None,
                   tag="rt-bundle-images")
    assert res.passes[0]["load_writes"] == 0
    for u, f in enumerate(feats):
        np.testing.assert_array_equal(res.codes[u], run_fixed(gm, f).squeeze().codes)
    # the images are what the engine ran: another model's bundle (same build) gives other words
    gm2 = Model.random(gm.config, seed=6, gain=2.0)
    images2 = write_bundle(gm2, tmp_path / "bundle2", n_pe=3) / "engine" / "d0"
    res2 = simulate(gm, feats, sim=sim, n_pe=3, images=images2, preloaded=True, progress=None,
                    tag="rt-bundle-images")
    assert not any(np.array_equal(c, run_fixed(gm, f).squeeze().codes)
                   for c, f in zip(res2.codes, feats))
