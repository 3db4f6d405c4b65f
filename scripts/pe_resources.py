#!/usr/bin/env python3
"""Quick resource check of rtl/engine_pe with yosys synth_xilinx (`make pe-resources`).

Synthesizes one engine PE (WPAR cmuls, K/2 exact accumulators, one hand-off chain slice) through the
same open flow as `make synth` (fpga.flow.synth_yosys) and prints LUT / FF / DSP / BRAM counts.
The widths follow rtl/engine.v: X_WIDTH = data width + log2 K (spectrum words), ACC_WIDTH =
X + W + 1 + clog2 q + 1 for rows of up to q blocks, MUL_WIDTH 27 (DSP48E2's 27x18, as
`python -m fpga synth` sets it for Xilinx).  A quick estimate, not a timing-closed
implementation; not part of the tests.

    .venv/bin/python scripts/pe_resources.py --k 8 --q 128
    .venv/bin/python scripts/pe_resources.py --k 8 --wpar 4     # a whole block per beat

It also prints the counts per complex MAC (per cmul: the PE's counts / WPAR).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from fpga.__main__ import with_mul_width
from fpga.flow import FlowError, format_synth, synth_yosys
from fpga.parts import get_part
from golden.cli import run

TOP = "engine_pe"


def pe_params(k: int, data_width: int, weight_width: int, q: int) -> dict[str, int]:
    """engine_pe's parameters as rtl/engine.v derives them (XW, ACC_W) for rows of q blocks."""
    if k < 2 or k & (k - 1):
        raise ValueError(f"--k {k}: the block size must be a power of two >= 2")
    if q < 1:
        raise ValueError(f"--q {q}: a row has at least one block")
    x = data_width + k.bit_length() - 1
    return dict(K=k, X_WIDTH=x, W_WIDTH=weight_width,
                ACC_WIDTH=x + weight_width + 1 + math.ceil(math.log2(q)) + 1)


def main() -> int:
    ap = argparse.ArgumentParser(description="yosys synth_xilinx resource check of engine_pe")
    ap.add_argument("--k", type=int, default=8, help="block size (default 8)")
    ap.add_argument("--q", type=int, default=128,
                    help="most blocks accumulated in one row, sets ACC_WIDTH (default 128: "
                         "lstmp-1024's projection rows; X 19, W 16 -> ACC 44 bits)")
    ap.add_argument("--data-width", type=int, default=16, help="data format width (default 16)")
    ap.add_argument("--weight-width", type=int, default=16, help="weight format width (default 16)")
    ap.add_argument("--wpar", type=int, default=1,
                    help="complex multipliers per PE (words per beat; a power of two dividing k/2)")
    ap.add_argument("--mul-width", type=int, default=None,
                    help="widest multiplier operand (default 27: DSP48E2, as `python -m fpga synth`)")
    ap.add_argument("--mul-pipe", type=int, choices=(0, 1), default=None,
                    help="a register more on each side of the multipliers (engine MUL_PIPE; "
                         "default 0, as `python -m fpga synth` builds it for Xilinx)")
    ap.add_argument("--mul-mults", type=int, choices=(3, 4), default=None,
                    help="real multipliers per complex MAC (engine MUL_MULTS; default 4; 3 is the "
                         "Gauss form, three fabric pre-adds for a DSP less)")
    ap.add_argument("--part", default="xcku060-ffva1156-2-e", help="Xilinx part (default XCKU060)")
    args = ap.parse_args()
    try:
        params = pe_params(args.k, args.data_width, args.weight_width, args.q)
    except ValueError as e:
        ap.error(str(e))
    if args.wpar < 1 or args.wpar & (args.wpar - 1) or (args.k // 2) % args.wpar:
        ap.error(f"--wpar {args.wpar}: must be a power of two dividing k/2 = {args.k // 2}")
    # an unknown --part is a KeyError naming the known ones; a failed yosys run a FlowError
    return run(synthesize, args, params, errors=(KeyError,), failures=(FlowError,))


def synthesize(args: argparse.Namespace, params: dict) -> int:
    part = get_part(args.part)         # before anything is built
    params["WPAR"] = args.wpar
    if args.mul_width is not None:
        params["MUL_WIDTH"] = args.mul_width
    if args.mul_pipe is not None:
        params["MUL_PIPE"] = args.mul_pipe
    if args.mul_mults is not None:
        params["MUL_MULTS"] = args.mul_mults
    params = with_mul_width(TOP, params, "xilinx")
    name = "-".join(f"{n.lower()}{v}" for n, v in params.items())
    out = ROOT / "build" / "pe_resources" / name
    out.mkdir(parents=True, exist_ok=True)
    print(f"synthesizing {TOP} {params} (yosys synth_xilinx, {part.name}) ...", flush=True)
    res = synth_yosys(TOP, part, params, config=name, out_dir=out)
    print(format_synth(res, part))
    u = res.used
    print(f"per complex MAC (/{args.wpar}): LUT {u.lut / args.wpar:.0f}, FF {u.ff / args.wpar:.0f}, "
          f"{part.dsp_primitive} {u.dsp / args.wpar:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
