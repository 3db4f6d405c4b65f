"""The host runtime (``runtime``) without a simulator: its schedule and host logic against a
functional stand-in for the engine (``GoldenEngine``: golden's run_fixed of whichever pass model
was loaded), its refusals, and the register-map round trip.  The RTL runs are tb/runtime."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from golden.engine_layout import EngineParams, load_writes
from golden.fixed import to_float
from golden.memfile import pack_lanes, unpack_lanes
from golden.model import Model, ModelConfig
from golden.runner import run_fixed
from runtime import Driver, RunError, Runtime, engine_params, plan
from runtime import regs

LSTMP = ModelConfig(cell="lstm", input_size=14, hidden_size=32, num_layers=2, proj_size=16,
                    peephole=True, k=4, bidirectional=True, num_classes=7, name="bi-lstmp")
GRU = ModelConfig(cell="gru", input_size=10, hidden_size=16, num_layers=2, k=4,
                  bidirectional=True, num_classes=5, name="bi-gru")
UNI = ModelConfig(cell="lstm", input_size=12, hidden_size=16, num_layers=2, proj_size=8,
                  peephole=True, k=4, num_classes=6, name="uni")


class GoldenEngine(Driver):
    """The driver interface over a functional model of the engine: a load selects the pass
    model whose load-port writes it equals (none: a load the test did not expect), a stream runs
    golden's run_fixed of that model on each sequence (cut at tlast).  Counters: a frame costs
    ``ep.beats()`` MAC beats; a load one cycle per write."""

    def __init__(self, ep: EngineParams, models: list[Model], corrupt: bool = False):
        self.ep, self.models, self.corrupt = ep, models, corrupt
        self.regs = {**regs.expected_registers(ep), regs.STATUS: 0}
        self.current: Model | None = None
        self.loads: list[int] = []
        self.ctrl_writes: list[int] = []

    def read(self, addr):
        return self.regs.get(addr, 0)

    def write(self, addr, value):
        self.ctrl_writes.append(value)
        if value & regs.CLEAR:
            for a in (regs.FRAMES, regs.CYCLES, regs.BEATS):
                self.regs[a] = 0

    def load(self, writes):
        assert not self.ctrl_writes or not self.ctrl_writes[-1] & regs.RUN, "load while RUN = 1"
        for i, m in enumerate(self.models):
            if load_writes(m, self.ep) == list(writes):
                self.current = m
                self.loads.append(i)
                return len(writes)
        raise AssertionError("a load that is no pass model's")

    def stream(self, beats, n_out):
        ep = self.ep
        dw = ep.formats.fmt("data").width
        fmt = ep.formats.fmt("data")
        seqs, frame, cur = [], [], []
        for word, last in beats:
            frame.append(unpack_lanes(word, dw, ep.k))
            if len(frame) == ep.qin:
                cur.append(np.concatenate(frame)[:ep.input_size])
                frame = []
            if last:
                seqs.append(np.array(cur))
                cur = []
        words, lasts = [], []
        for s in seqs:
            y = run_fixed(self.current, to_float(s, fmt)).squeeze().codes
            if self.corrupt:
                y = y.copy()
                y[-1, 0] += 1
            rows = y.reshape(-1, ep.k)
            words += [pack_lanes(r, dw) for r in rows]
            lasts += [0] * (len(rows) - 1) + [1]
            self.regs[regs.FRAMES] += len(s)
            self.regs[regs.BEATS] += len(s) * ep.beats()
            self.regs[regs.CYCLES] += len(s) * (ep.beats() + 10)
        assert len(words) == n_out
        return words, lasts


def _feats(cfg, lens, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((T, cfg.input_size)) * 2 for T in lens]


def _runtime(cfg, n_pe=3, corrupt=False, **kw):
    model = Model.random(cfg, seed=5, gain=2.0)
    ep = engine_params(model, n_pe)
    drv = GoldenEngine(ep, [p.model for p in plan(model, ep)], corrupt)
    return model, drv, Runtime(drv, model, **kw)


@pytest.mark.parametrize("cfg", [LSTMP, GRU, UNI], ids=["bidir-lstmp", "bidir-gru", "uni-stack"])
def test_runtime_logits_equal_run_fixed(cfg):
    """Layer-major passes (bidirectional) or the whole stack (unidirectional), padded inputs,
    reversed directions, concatenation and the host classifier: every code and logit equal."""
    model, drv, rt = _runtime(cfg)
    feats = _feats(cfg, [3, 1, 5])
    res = rt.run(feats)
    for u, f in enumerate(feats):
        ref = run_fixed(model, f).squeeze()
        assert np.array_equal(res.codes[u], ref.codes), f"utterance {u}: codes"
        assert np.array_equal(res.logits[u], ref.logits), f"utterance {u}: logits"
    n_pass = cfg.num_layers * cfg.dirs if cfg.bidirectional else 1
    assert [p.name for p in res.passes][:2] == (["layer 0 forward", "layer 0 backward"]
                                                if cfg.bidirectional else ["layer 0+1 forward"])
    assert drv.loads == list(range(n_pass)), "one load per pass, in order"
    assert all(p.frames == 9 and p.utterances == 3 for p in res.passes)
    assert res.totals()["frames"] == 9


def test_padding_is_what_the_engine_runs():
    """Layer 0 of the bidirectional LSTMP reads 14 inputs on an engine of 32: its pass model has
    zero input blocks, and the engine's input is 32 wide."""
    model = Model.random(LSTMP, seed=5)
    ep = engine_params(model, 3)
    assert (ep.num_layers, ep.input_size) == (1, 2 * LSTMP.proj_size)
    p0 = plan(model, ep)[0].model
    assert p0.params["l0.d0.w_x"].shape[1] == ep.qin
    assert not p0.params["l0.d0.w_x"][:, 4:].any()
    assert np.array_equal(p0.params["l0.d0.w_x"][:, :4], model.params["l0.d0.w_x"])


def test_a_resident_pass_is_not_reloaded():
    """A unidirectional stack is one pass: loaded once, the second batch reuses it."""
    model, drv, rt = _runtime(UNI)
    rt.run(_feats(UNI, [2]))
    res = rt.run(_feats(UNI, [3], seed=1))
    assert drv.loads == [0]
    assert res.passes[0].load_writes == 0


@pytest.mark.parametrize("cfg", [UNI, LSTMP], ids=["uni-stack", "bidir-lstmp"])
def test_a_preloaded_engine_skips_the_first_load(cfg):
    """preloaded: the engine powered up holding the first pass's weights (its memory images),
    so only the later passes load; the results are those of run_fixed."""
    model, drv, rt = _runtime(cfg, preloaded=True)
    drv.current = drv.models[0]
    feats = _feats(cfg, [3, 2])
    res = rt.run(feats)
    assert drv.loads == list(range(1, len(res.passes)))
    assert res.passes[0].load_writes == 0
    for u, x in enumerate(feats):
        np.testing.assert_array_equal(res.logits[u], run_fixed(model, x).logits[:, 0])


def test_a_broken_engine_is_seen():
    """One output word off by one in the stand-in: the logits no longer equal run_fixed (the
    comparison the RTL tests make can fail)."""
    model, drv, rt = _runtime(LSTMP, corrupt=True)
    f = _feats(LSTMP, [3])
    res = rt.run(f)
    assert not np.array_equal(res.codes[0], run_fixed(model, f[0]).squeeze().codes)


@pytest.mark.parametrize("feats,msg", [
    ([], "no utterances"),
    ([np.zeros((0, 14))], "utterance 0: empty sequence"),
    ([np.zeros((3, 14)), np.zeros((9, 14))], "utterance 1: 9 frames, longer than the runtime's buffers (max_frames=8)"),
    ([np.zeros((3, 13))], "utterance 0: features of shape (3, 13), the model takes (frames, 14)"),
    ([np.full((2, 14), np.nan)], "NaN"),
])
def test_bad_input_is_refused(feats, msg):
    _, drv, rt = _runtime(LSTMP, max_frames=8)
    with pytest.raises(RunError) as e:
        rt.run(feats)
    assert msg in str(e.value) and "\n" not in str(e.value)
    assert drv.loads == [], "nothing loaded for a refused request"


def test_a_model_with_another_k_is_refused():
    model = Model.random(LSTMP, seed=5)
    ep = dataclasses.replace(engine_params(model, 3), k=8)
    drv = GoldenEngine(ep, [])
    with pytest.raises(RunError, match=r"k: model has 4, engine is built for 8"):
        Runtime(drv, model)


def test_a_model_that_does_not_fit_is_refused():
    """A bidirectional model on an engine built for a 2-layer stack; a wider layer than the
    engine's input; a 3-layer unidirectional stack on a 2-layer engine."""
    bi = Model.random(LSTMP, seed=5)
    ep2 = EngineParams.for_model(dataclasses.replace(LSTMP, bidirectional=False), 3)
    with pytest.raises(RunError, match="engine is built for 2 layers of input 14"):
        Runtime(GoldenEngine(ep2, []), bi)
    narrow = dataclasses.replace(engine_params(bi, 3), input_size=16)
    with pytest.raises(RunError, match="layer 1 reads 32 inputs, more than the engine's input_size 16"):
        Runtime(GoldenEngine(narrow, []), bi)
    deep = Model.random(dataclasses.replace(UNI, num_layers=3), seed=1)
    with pytest.raises(RunError, match="engine is built for 2 layers"):
        Runtime(GoldenEngine(EngineParams.for_model(UNI, 3), []), deep)


def test_registers_describe_the_engine():
    ep = EngineParams(k=8, n_pe=16, wpar=2, hlanes=4, cell="gru", num_layers=1, input_size=40,
                      hidden_size=64, proj_size=0, peephole=False)
    assert regs.params_from_registers(regs.expected_registers(ep)) == ep
    bad = {**regs.expected_registers(ep), regs.ID: 0xDEADBEEF}
    with pytest.raises(ValueError, match="register ID reads 0xdeadbeef, not the engine's"):
        regs.params_from_registers(bad)


def test_cli_errors_are_one_line(tmp_path):
    """`python -m runtime run` on a missing run, or with --utts 0: one line, exit 2, nothing
    built."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    for args, want in ((["run", str(tmp_path / "nope")], "no such run directory"),
                       (["run", str(tmp_path), "--utts", "0"], "--utts 0: run at least one")):
        r = subprocess.run([sys.executable, "-m", "runtime", *args], cwd=root,
                           capture_output=True, text=True)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and want in lines[0], r.stderr
    assert not any(tmp_path.iterdir())
