"""The cocotb test module that runs the host runtime against the RTL engine
(``runtime.sim.simulate`` starts it; the job arrives as JSON in TB_CFG):

    {"model": model.npz, "feats": npz with feats (float) and feat_off, "out": result prefix,
     "max_frames": ..., "clk_ps": ..., "preloaded": the engine's power-up images hold pass 0}

It writes ``<out>.npz`` (per utterance the last layer's codes and the logits) and
``<out>.json`` (the passes' cycle accounting)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

import cocotb
from cocotb.task import bridge

from golden.model import Model

from .cocotb_engine import CocotbEngine
from .host import Runtime, engine_params
from .sim_driver import SimDriver


def _job(driver: SimDriver, job: dict, log) -> None:
    model = Model.load(job["model"])
    with np.load(job["feats"]) as z:
        feats, off = z["feats"], z["feat_off"]
    seqs = [feats[off[u]:off[u + 1]] for u in range(len(off) - 1)]
    rt = Runtime(driver, model, max_frames=job.get("max_frames", 4096), progress=log.info,
                 preloaded=job.get("preloaded", False))
    res = rt.run(seqs)
    out = Path(job["out"])
    arrays = {f"codes_{u}": c for u, c in enumerate(res.codes)}
    if res.logits is not None:
        arrays.update({f"logits_{u}": lg for u, lg in enumerate(res.logits)})
    np.savez(out.with_suffix(".npz"), **arrays)
    out.with_suffix(".json").write_text(json.dumps(
        {"utterances": len(seqs), "passes": [p.as_dict() for p in res.passes],
         "totals": res.totals(), "engine": rt.ep.hdl_params()}, indent=1))


@cocotb.test()
async def runtime_job(dut):
    job = json.loads(os.environ["TB_CFG"])
    model = Model.load(job["model"])
    ep = engine_params(model, job["n_pe"], job.get("wpar", 1), job.get("hlanes", 1),
                       job.get("per_layer"))
    eng = CocotbEngine(dut, ep, job.get("clk_ps", 10_000))
    await eng.start()
    await bridge(_job)(SimDriver(eng), job, dut._log)
