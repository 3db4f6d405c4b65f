#!/usr/bin/env python3
"""Quick resource check of rtl/circulant_pe with yosys synth_xilinx (`make pe-resources`).

Writes random weight/bias memory files (golden.circulant.pe_weight_words,
golden.memfile.write_memh_lanes) into the run directory and synthesizes the PE through the same
open flow as `make synth` (fpga.flow.synth_yosys), then prints LUT / FF / DSP / BRAM counts.
A quick estimate, not a timing-closed implementation; not part of the tests.

    .venv/bin/python scripts/pe_resources.py --k 8 --q 4 --rows 4
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fpga.flow import FlowError, format_synth, synth_yosys  # noqa: E402
from fpga.parts import get_part  # noqa: E402
from golden.circulant import pe_weight_words  # noqa: E402
from golden.memfile import write_memh_lanes  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description="yosys synth_xilinx resource check of circulant_pe")
    ap.add_argument("--k", type=int, default=8, help="block size (default 8)")
    ap.add_argument("--q", type=int, default=4, help="input blocks per output row (default 4)")
    ap.add_argument("--rows", type=int, default=4, help="output rows held by the PE (default 4)")
    ap.add_argument("--part", default="xcku060-ffva1156-2-e", help="Xilinx part (default XCKU060)")
    args = ap.parse_args()
    k, q, rows = args.k, args.q, args.rows
    out = ROOT / "build" / "pe_resources" / f"k{k}-q{q}-rows{rows}"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    re_ = rng.integers(-2 ** 15, 2 ** 15, size=(rows, q, k // 2 + 1))
    im_ = rng.integers(-2 ** 15, 2 ** 15, size=(rows, q, k // 2 + 1))
    im_[..., 0] = 0
    im_[..., k // 2] = 0
    # WEIGHT_FILE / BIAS_FILE keep their defaults (pe_weights.hex, pe_bias.hex): yosys runs in `out`.
    write_memh_lanes(out / "pe_weights.hex", pe_weight_words(re_, im_), 16)
    write_memh_lanes(out / "pe_bias.hex", rng.integers(-2 ** 15, 2 ** 15, size=(rows, k)), 16)
    part = get_part(args.part)
    params = dict(K=k, Q=q, ROWS=rows, X_WIDTH=16 + k.bit_length() - 1)
    print(f"synthesizing circulant_pe K={k} Q={q} ROWS={rows} (yosys synth_xilinx, {part.name}) ...",
          flush=True)
    try:
        res = synth_yosys("circulant_pe", part, params, config=f"k{k}-q{q}-rows{rows}", out_dir=out)
    except FlowError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(format_synth(res, part))
    return 0


if __name__ == "__main__":
    sys.exit(main())
