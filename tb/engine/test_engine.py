"""engine vs golden.runner.run_fixed: every output word of every frame, exact.

One build per simulator and parameter set (a random tiny model each: LSTM with peepholes and
projection, GRU, plain LSTM), then on the same simulation:

* ``engine_registers``: configuration read-back and ID;
* ``engine_streams``: several sequences back to back with random tvalid/tready stalls on both
  streams (nothing lost, duplicated or reordered; tlast only at each sequence's end);
* ``engine_full_rate``: one sequence without stalls (logs cycles per frame);
* ``engine_reset_mid_sequence``: half a sequence, soft reset, then a clean run;
* ``engine_reload``: a second model written through the load port, then a run that matches it.
* ``engine_run_soft_reset``: CTRL = RUN | SOFT_RESET written while the source already offers a
  sequence: no beat is taken during the reset, the sequence comes out exact.
* ``engine_load_rules``: no load while RUN = 1; out-of-range addresses and lanes are dropped and
  flagged (STATUS.load_error), the model in the engine stays exact.
* ``engine_padding``: random garbage in the padding words of each frame's last block changes
  nothing (models with IN_SIZE not a multiple of K).
* ``engine_tlast_recovery``: a tlast in the middle of a frame (the frame cut short) sets
  STATUS.frame_error; a soft reset and CLEAR recover, the next sequence is exact.

The trained-model end-to-end test (``test_engine_trained``, slow) takes a bundle or model from
ENGINE_MODEL (default ``runs/*/bundle/model.npz``) and streams real utterance features.
(``python -m fpga activity`` runs the host runtime instead, ``runtime.sim.simulate``.)
"""
from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np
import pytest

from tb.common.sim import ROOT, assert_mutant_fails, mutant_sim, run_cocotb, selected_sims

TOP = "engine"

SETS = {
    "lstmp2": dict(cell="lstm", k=4, n_pe=3, num_layers=2, input_size=14, hidden_size=32,
                   proj_size=16, peephole=True),
    # two hand-off lanes (GRU: G = 3 gate rows per hidden block over 2 z banks)
    "gru2": dict(cell="gru", k=4, n_pe=4, hlanes=2, num_layers=2, input_size=16, hidden_size=16,
                 proj_size=0, peephole=False),
    # wide PEs: a whole block (4 words) per beat, one accumulator per multiplier; the PEs
    # without the extra multiplier registers (MUL_PIPE 0, as the Xilinx flow builds them) and
    # with 3 real multipliers per complex MAC (MUL_MULTS 3, DSP48E2's 27-bit operand)
    "lstm1": dict(cell="lstm", k=8, n_pe=2, wpar=4, hlanes=2, num_layers=1, input_size=20,
                  hidden_size=32, proj_size=0, peephole=False,
                  hdl=dict(MUL_PIPE=0, MUL_WIDTH=27, MUL_MULTS=3)),
    # 2 projection rows on 8 PEs: each row split over 4 PEs (EngineParams.ps == 4), one row per
    # hand-off lane (2 lanes); 2 words per beat (the whole block of k = 4)
    # as the ECP5 flow builds it: every multiply a MULT18X18D with its own registers
    "lstmp2-ecp5": dict(cell="lstm", k=4, n_pe=3, num_layers=2, input_size=14, hidden_size=32,
                        proj_size=16, peephole=True, prim="ecp5"),
    "lstmp-split": dict(cell="lstm", k=4, n_pe=8, wpar=2, hlanes=2, num_layers=2, input_size=14,
                        hidden_size=32, proj_size=8, peephole=True),
}
CASES = [("icarus", "lstmp2"), ("icarus", "gru2"), ("icarus", "lstm1"), ("icarus", "lstmp-split"),
         ("icarus", "lstmp2-ecp5"),
         ("verilator", "lstmp2"), ("verilator", "gru2"), ("verilator", "lstmp-split")]


def model_config(s: dict):
    from golden.model import ModelConfig
    return ModelConfig(cell=s["cell"], input_size=s["input_size"], hidden_size=s["hidden_size"],
                       num_layers=s["num_layers"], proj_size=s["proj_size"],
                       peephole=s["peephole"], k=s["k"], name="tiny")


def build_and_run(sim: str, name: str, model, n_pe: int, tb: dict, wpar: int = 1,
                  hlanes: int = 1, hdl: dict | None = None, prim: str | None = None,
                  images: Path | None = None, **kw) -> tuple[int, int]:
    """Write the memory images of ``model`` into the build directory (or take ``images``, a
    bundle's engine/d0 written for this build) and run the cocotb tests (``hdl``: extra Verilog
    parameters, e.g. MUL_PIPE; ``prim``: run_cocotb's target primitives; ``kw``: run_cocotb's
    mutation, testcase, check)."""
    from golden.engine_layout import EngineParams, write_engine_mem
    from runtime.sim import check_images
    ep = EngineParams.for_model(model.config, n_pe, wpar, hlanes)
    build = ROOT / "build" / "sim" / sim / f"{TOP}-{name}"
    mem = build / "mem"
    if images is None:
        write_engine_mem(model, ep, mem)
    else:
        check_images(images, ep.hdl_params())
        mem = Path(images)
    build.mkdir(parents=True, exist_ok=True)
    model.save(build / "model.npz")
    params = {**ep.hdl_params(), **(hdl or {}), "MEM_PREFIX": f'"{mem.resolve()}/"'}
    return run_cocotb(TOP, "test_engine", sim, params,
                      {**tb, "N_PE": n_pe, "WPAR": wpar, "HLANES": hlanes,
                       "MODEL": str(build / "model.npz")},
                      tagname=name, prim=prim, **kw)


@pytest.mark.parametrize("sim,name", [pytest.param(s, n, id=f"{s}-{n}") for s, n in CASES
                                      if s in selected_sims()])
def test_engine(sim, name):
    from golden.model import Model
    s = SETS[name]
    model = Model.random(model_config(s), seed=7, gain=2.0)
    build_and_run(sim, name, model, s["n_pe"],
                  {"SEED": 1, "SEQ_LENS": [3, 1, 4], "FULL_LEN": 3, "RELOAD_SEED": 8,
                   "IN_SIZE": s["input_size"], "K": s["k"]}, wpar=s.get("wpar", 1),
                  hlanes=s.get("hlanes", 1), hdl=s.get("hdl"), prim=s.get("prim"))


# Mutants: each must make the engine testbench fail, or the testbench proves nothing.
MUTANTS = {
    # every RND rounding of the datapath becomes truncation
    "round-trn": {"round_sat.v": ("assign inc = HALF;", "assign inc = {(IN_WIDTH + 1) {1'b0}};")},
    # the PEs never restart their real accumulators (rows add into the previous row's sums)
    "pe-no-first": {"engine_pe.v": ("acc_first ? {ACC_WIDTH{1'b0}} : acc_reg[0+:ACC_WIDTH]",
                                    "acc_reg[0+:ACC_WIDTH]")},
    # the bias of row r + 1 is added to row r
    "bias-off-by-one": {"engine_hlanes.v": ("bias_mem[bias_addr[BAW-1:0]]",
                                            "bias_mem[bias_addr[BAW-1:0] + 1'b1]")},
    # every gate result is read from z bank 0 (two hand-off lanes: half the rows are wrong)
    "zbank-select": {"engine_ewq.v": ("zsel[zr] <= (HLANES == 1) ? {HLW{1'b0}} : zrow[HLW-1:0];",
                                  "zsel[zr] <= {HLW{1'b0}};")},
}
MUTANT_SET = {"zbank-select": "gru2"}     # the model each mutant runs on (default lstmp2)


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_engine_mutant_fails(mutant):
    """A broken engine must fail the stream test (Verilator, or Icarus when only it is selected)."""
    from golden.model import Model
    sim = mutant_sim("verilator")
    s = SETS[MUTANT_SET.get(mutant, "lstmp2")]
    model = Model.random(model_config(s), seed=7, gain=2.0)
    n_tests, n_fail = build_and_run(sim, f"mutant-{mutant}", model, s["n_pe"],
                                    {"SEED": 1, "SEQ_LENS": [3, 2]}, wpar=s.get("wpar", 1),
                                    hlanes=s.get("hlanes", 1), mutation=MUTANTS[mutant],
                                    testcase=["engine_streams"], check=False)
    assert_mutant_fails(mutant, n_tests, n_fail, "the engine stream test")


@pytest.mark.slow
@pytest.mark.parametrize("sim", [s for s in ("icarus", "verilator") if s in selected_sims()])
def test_engine_trained(sim):
    """A trained, exported model on real utterance features (ENGINE_MODEL: model.npz or bundle)."""
    from golden.model import Model
    path = os.environ.get("ENGINE_MODEL")
    if not path:
        found = sorted(ROOT.glob("runs/*/bundle/model.npz"))
        if not found:
            pytest.skip("no exported model: set ENGINE_MODEL or run `python -m train export`")
        path = str(found[-1])
    p = Path(path)
    model = Model.load(p / "model.npz" if p.is_dir() else p)
    if model.config.bidirectional:
        pytest.skip("bidirectional model: one engine run takes a unidirectional stack; the host "
                    "runtime runs it (tb/runtime, python -m runtime run)")
    from golden.engine_layout import DEFAULT_N_PE
    n_pe = int(os.environ.get("ENGINE_N_PE", DEFAULT_N_PE))
    feats = sorted((ROOT / "data").glob("*.feats-*.npz"))
    if not feats:
        pytest.skip("no feature file in data/: run `python -m train data`")
    # a bundle exported for this N_PE: the engine powers up with the bundle's own images
    bundle = p if p.is_dir() else p.parent
    man = bundle / "bundle.json"
    images = None
    if man.is_file():
        eng = json.loads(man.read_text()).get("engine", {})
        if eng.get("written") and (eng["n_pe"], eng["wpar"], eng["hlanes"]) == (n_pe, 1, 1):
            images = bundle / "engine" / "d0"
    build_and_run(sim, f"trained-npe{n_pe}", model, n_pe,
                  {"SEED": 3, "FEATS": str(feats[0]), "UTTS": int(os.environ.get("ENGINE_UTTS", "2")),
                   "MAX_FRAMES": int(os.environ.get("ENGINE_MAX_FRAMES", "40"))}, images=images)


# ---- cocotb side ---------------------------------------------------------------------------
try:
    import cocotb
except ImportError:  # pragma: no cover
    cocotb = None

if cocotb is not None and os.environ.get("TB_CFG"):
    from golden.engine_layout import EngineParams, load_writes
    from golden.fixed import to_float
    from golden.model import Model
    from golden.runner import run_fixed
    from tb.common.stream import tb_cfg
    from tb.engine.engine_tb import (CLEAR, CTRL, CYCLES, FRAMES, ID, LAST_FRAME_CYCLES, LOAD_ERROR,
                                     FRAME_ERROR, RUN, SEQS, SOFT_RESET, STATUS, EngineTB,
                                     expected_registers)

    from cocotb.triggers import ReadOnly, RisingEdge

    _CFG = json.loads(os.environ["TB_CFG"])

    def _setup():
        cfg = tb_cfg()
        model = Model.load(cfg["MODEL"])
        ep = EngineParams.for_model(model.config, cfg["N_PE"], cfg.get("WPAR", 1),
                                    cfg.get("HLANES", 1))
        return cfg, model, ep

    def _sequences(ep: EngineParams, lens, rng: np.random.Generator) -> list[np.ndarray]:
        f = ep.formats.fmt("data")
        return [np.clip(np.round(rng.standard_normal((T, ep.input_size)) * 2 ** f.frac),
                        f.min_int, f.max_int).astype(np.int64) for T in lens]

    def _expected(model: Model, codes: np.ndarray) -> np.ndarray:
        fmt = model.config.formats.fmt("data")
        res = run_fixed(model, to_float(codes, fmt)).squeeze()
        return res.codes.reshape(-1, model.config.k)      # one row per output beat

    async def _run_seqs(tb: EngineTB, model: Model, seqs, rng, p_idle, p_stall) -> None:
        beats, exp, exp_last = [], [], []
        for s in seqs:
            beats += tb.frame_beats(s)
            e = _expected(model, s)
            exp.append(e)
            exp_last += [0] * (len(e) - 1) + [1]
        exp = np.concatenate(exp)
        got, lasts = await tb.stream(beats, len(exp), rng, p_idle, p_stall)
        bad = np.argwhere(got != exp)
        assert not len(bad), (f"{len(bad)} word(s) differ; first at beat {bad[0][0]}: "
                              f"got {got[bad[0][0]].tolist()} expected {exp[bad[0][0]].tolist()}")
        assert lasts == exp_last, f"tlast pattern {lasts} != {exp_last}"

    @cocotb.test()
    async def engine_registers(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        for addr, want in expected_registers(ep).items():
            got = await tb.read(addr)
            assert got == want, f"register 0x{addr:02x}: {got:#x} != {want:#x}"
        status = await tb.read(STATUS)
        assert status & 1 == 0, f"busy after reset (status {status:#x})"

    @cocotb.test()
    async def engine_streams(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        await tb.write(CTRL, RUN | CLEAR)
        rng = random.Random(cfg["SEED"])
        seqs = _sequences(ep, cfg.get("SEQ_LENS", [2]), np.random.default_rng(cfg["SEED"]))
        await _run_seqs(tb, model, seqs, rng, 0.3, 0.3)
        n_frames = sum(len(s) for s in seqs)
        await tb.wait_idle()
        assert await tb.read(FRAMES) == n_frames
        assert await tb.read(SEQS) == len(seqs)
        assert (await tb.read(STATUS)) & 0x2, "done flag not set"

    @cocotb.test()
    async def engine_full_rate(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        await tb.write(CTRL, RUN | CLEAR)
        seqs = _sequences(ep, [cfg.get("FULL_LEN", 2)], np.random.default_rng(cfg["SEED"] + 1))
        await _run_seqs(tb, model, seqs, random.Random(0), 0.0, 0.0)
        cyc = await tb.read(LAST_FRAME_CYCLES)
        dut._log.info("cycles/frame %d (packed bound %.1f, unpacked bound %.1f, beats %d)",
                      cyc, ep.packed_bound(), ep.design_bound(), ep.beats())

    @cocotb.test()
    async def engine_reset_mid_sequence(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        await tb.write(CTRL, RUN)
        rng = random.Random(cfg["SEED"] + 2)
        s0, s1 = _sequences(ep, [4, 3], np.random.default_rng(cfg["SEED"] + 2))
        beats = tb.frame_beats(s0)
        half = len(beats) // 2 + 1                       # mid-frame, mid-sequence
        await tb.stream(beats[:half], ep.rb, rng, 0.2, 0.2)
        await tb.write(CTRL, RUN | SOFT_RESET)
        await _run_seqs(tb, model, [s1], rng, 0.2, 0.2)

    @cocotb.test(skip="FEATS" in _CFG)
    async def engine_run_soft_reset(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        seqs = _sequences(ep, [3], np.random.default_rng(cfg["SEED"] + 4))
        exp = _expected(model, seqs[0])
        # RUN = 0: the source offers the sequence (tready low); then one write RUN | SOFT_RESET
        task = cocotb.start_soon(tb.stream(tb.frame_beats(seqs[0]), len(exp), random.Random(0)))
        for _ in range(5):
            await RisingEdge(dut.clk)
        await tb.write(CTRL, RUN | SOFT_RESET)
        got, lasts = await task
        assert np.array_equal(got, exp), "outputs differ after CTRL = RUN | SOFT_RESET"
        assert lasts == [0] * (len(exp) - 1) + [1]

    @cocotb.test(skip="FEATS" in _CFG)
    async def engine_load_rules(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        await tb.write(CTRL, RUN)
        for _ in range(3):
            await RisingEdge(dut.clk)
        await ReadOnly()
        assert dut.ld_ready.value == 0, "ld_ready high while RUN = 1"
        await tb.write(CTRL, 0)
        assert (await tb.read(STATUS)) & LOAD_ERROR == 0
        # each write below is outside its memory: dropped, flagged
        bad = [(0, 0, ep.wdepth, 0x7FFF7FFF), (0, ep.n_pe * ep.wpar, 0, 0x7FFF7FFF),
               (1, 0, ep.num_layers * ep.bias_rows, 0x7FFF), (1, ep.k, 0, 0x7FFF), (3, 0, 0, 1)]
        if ep.peephole:
            bad.append((2, 3 * ep.k, 0, 0x7FFF))
        else:
            bad.append((2, 0, 0, 0x7FFF))
        for w in bad:
            await tb.write(CTRL, CLEAR)
            await tb.load([w])
            assert (await tb.read(STATUS)) & LOAD_ERROR, f"load write {w} not flagged"
        # a write in range is not flagged
        await tb.write(CTRL, CLEAR)
        await tb.load(load_writes(model, ep)[:1])
        assert (await tb.read(STATUS)) & LOAD_ERROR == 0, "an in-range load write was flagged"
        await tb.write(CTRL, RUN | CLEAR)
        seqs = _sequences(ep, [2], np.random.default_rng(cfg["SEED"] + 5))
        await _run_seqs(tb, model, seqs, random.Random(6), 0.2, 0.2)

    @cocotb.test(skip="FEATS" in _CFG or int(_CFG.get("IN_SIZE", 0)) % int(_CFG.get("K", 1)) == 0)
    async def engine_padding(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        await tb.write(CTRL, RUN | CLEAR)
        seqs = _sequences(ep, [3, 2], np.random.default_rng(cfg["SEED"] + 6))
        rng = random.Random(cfg["SEED"] + 6)
        beats, exp = [], []
        for s in seqs:
            beats += tb.frame_beats(s, pad_rng=rng)
            exp.append(_expected(model, s))
        exp = np.concatenate(exp)
        got, _ = await tb.stream(beats, len(exp), rng, 0.2, 0.2)
        assert np.array_equal(got, exp), "non-zero padding changed the result"

    @cocotb.test(skip="FEATS" in _CFG)
    async def engine_tlast_recovery(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        await tb.write(CTRL, RUN | CLEAR)
        s0, s1 = _sequences(ep, [3, 2], np.random.default_rng(cfg["SEED"] + 7))
        beats = tb.frame_beats(s0)
        cut = ep.qin + max(ep.qin - 1, 1) - 1     # frame 1 cut short (one beat missing) ...
        beats = beats[:ep.qin] + [(b, 0) for b, _ in beats[ep.qin:cut]] + [(beats[cut][0], 1)]
        if ep.qin == 1:                           # ... or, with one beat per frame, 2 frames
            beats = beats[:1] + [(beats[1][0], 1)]
        await tb.stream(beats, 0, random.Random(1), 0.0, 0.0)
        if ep.qin > 1:
            assert (await tb.read(STATUS)) & FRAME_ERROR, "mid-frame tlast not flagged"
        await tb.write(CTRL, RUN | SOFT_RESET)
        await tb.write(CTRL, RUN | CLEAR)
        assert (await tb.read(STATUS)) & FRAME_ERROR == 0
        await _run_seqs(tb, model, [s1], random.Random(2), 0.2, 0.2)

    @cocotb.test(skip="RELOAD_SEED" not in _CFG)
    async def engine_reload(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep)
        await tb.start()
        model_b = Model.random(model.config, seed=cfg["RELOAD_SEED"], gain=2.0)
        seqs = _sequences(ep, [3], np.random.default_rng(cfg["SEED"] + 3))
        assert not np.array_equal(_expected(model, seqs[0]), _expected(model_b, seqs[0]))
        await tb.load(load_writes(model_b, ep))
        await tb.write(CTRL, RUN | CLEAR)
        await _run_seqs(tb, model_b, seqs, random.Random(5), 0.3, 0.3)

    @cocotb.test(skip="FEATS" not in _CFG)
    async def engine_trained(dut):
        cfg, model, ep = _setup()
        tb = EngineTB(dut, ep, cfg.get("CLK_PS", 10_000))
        await tb.start()
        await tb.write(CTRL, RUN | CLEAR)
        with np.load(cfg["FEATS"]) as z:
            feats, off = z["feats"], z["feat_off"]
        f = ep.formats.fmt("data")
        from golden.fixed import quantize
        seqs = []
        for u in range(cfg["UTTS"]):
            x = feats[off[u]:min(off[u + 1], off[u] + cfg["MAX_FRAMES"])]
            seqs.append(quantize(x, f))
        t0 = time.time()
        stall = cfg.get("STALL", 0.2)
        await _run_seqs(tb, model, seqs, random.Random(cfg["SEED"]), stall, stall)
        n = sum(len(s) for s in seqs)
        wall = time.time() - t0
        await tb.wait_idle()
        cycles, frames = await tb.read(CYCLES), await tb.read(FRAMES)
        dut._log.info("trained model: %d utterances, %d frames exact (%.1f s wall)",
                      len(seqs), n, wall)
        if cfg.get("RESULT"):
            Path(cfg["RESULT"]).write_text(json.dumps({
                "utterances": len(seqs), "frames": n, "frames_counted": frames,
                "output_words": int(n * model.config.out_size), "cycles": cycles,
                "cycles_per_frame": cycles / max(frames, 1),
                "last_frame_cycles": await tb.read(LAST_FRAME_CYCLES),
                "packed_bound": ep.packed_bound(), "design_bound": ep.design_bound(),
                "stall_probability": stall, "sim_wall_s": wall}))
