"""Measure the blocks the resource model is built from (yosys ``synth_xilinx``, XCKU060 family).

``python -m fpga calibrate`` synthesizes every block of :data:`BLOCKS` that has a file list
at each block size k and writes ``fpga/calibration.json`` (committed: the model and
docs/resources.md are regenerated from it without re-running synthesis).
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from rtlsim.filelist import REPO, RTL, FileList, available_tops

from . import flow
from .configs import top_parameters
from .parts import get_part

log = logging.getLogger(__name__)

CALIBRATION = REPO / "fpga" / "calibration.json"

# block -> (k values to measure, fixed parameter overrides).  Widths are the defaults of each
# module unless given here (they follow docs/numerics.md).
BLOCKS: dict[str, tuple[tuple[int, ...], dict[str, int]]] = {
    "fft_real": ((4, 8, 16, 32), {}),
    "ifft_herm": ((4, 8, 16, 32), {}),
    "engine_pe": ((4, 8, 16, 32), {}),
    "cmul": ((0,), {}),           # k-independent (0 = no K parameter)
}
# Sources of a block that has no rtl/<block>.f yet (used only while the list is missing).
FALLBACK_SOURCES: dict[str, tuple[str, ...]] = {
    "engine_pe": ("cmul.v", "engine_pe.v"),
}


def measure(blocks: list[str] | None = None, part_name: str = "xcku060") -> dict:
    part = get_part(part_name)
    have = set(available_tops())
    out: dict = {"tool": "yosys synth_xilinx -family %s -flatten -noiopad" % part.family,
                 "part": part.name, "date": time.strftime("%Y-%m-%d"), "blocks": {}}
    if CALIBRATION.exists():
        out["blocks"] = json.loads(CALIBRATION.read_text()).get("blocks", {})
    for name, (ks, fixed) in BLOCKS.items():
        if blocks and name not in blocks:
            continue
        fl = None
        if name not in have:
            srcs = [RTL / f for f in FALLBACK_SOURCES.get(name, ())]
            if not srcs or not all(p.exists() for p in srcs):
                log.warning("%s has no rtl/%s.f yet: not measured", name, name)
                continue
            fl = FileList(name, [p.resolve() for p in srcs], [RTL.resolve()])
        declared = top_parameters(name) if name in have else ["K"]
        rows = {}
        for k in ks:
            params = dict(fixed)
            if k and "K" in declared:
                params["K"] = k
            res = flow.synth_yosys(name, part, params, config=f"cal_k{k}", filelist=fl)
            u = res.used
            rows[str(k)] = {"params": params, "lut": u.lut, "lut_mem": u.lut_mem, "ff": u.ff,
                            "dsp": u.dsp, "bram36": u.bram36, "seconds": round(res.seconds, 1)}
            print(f"{name:<14} k={k:<3} LUT {u.lut:>7.0f}  FF {u.ff:>7.0f}  DSP {u.dsp:>4.0f}  "
                  f"BRAM36 {u.bram36:>5.1f}  ({res.seconds:.0f} s)", flush=True)
        out["blocks"][name] = rows
    CALIBRATION.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    return out
