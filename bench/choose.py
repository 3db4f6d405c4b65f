"""Pick a configuration from the design space: accuracy budget + DSP budget -> the fastest.

    python -m bench.choose --max-per 12 --max-dsp 500 [--part xcku060] [--cell lstm|gru]

Among the accuracy sweep's block-circulant models (bench/results/accuracy.json, written by
``python -m train explore``) whose bit-accurate fixed-point test PER is <= --max-per, and the
reference-size engine of the same cell type and k (lstmp-1024 / gru-1024, unidirectional) at
each N_PE in {8, ..., 256} with WPAR in {1, 2, 4, 8} complex multipliers per PE, print the one
with the most projected frames/s whose DSP count (resource model, or Vivado's where
bench/results/vivado.json has it) is <= --max-dsp and which fits --part (LUT <= 85 %, DSP and
BRAM <= 90 %); say why, which figures are measured and which estimated, frames/s at the
assumed target clock and at the engine's routed ECP5 Fmax, and the commands that train,
export, measure and synthesize it.
Exit status 0 with a choice, 2 when nothing meets the budgets (the message says what excluded
each candidate) or an input is missing or malformed.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bench import designspace as ds
from golden.cli import UsageError, run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.choose", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-per", type=float, required=True, help="fixed-point test PER budget (%%)")
    ap.add_argument("--max-dsp", type=float, required=True, help="DSP slice budget")
    ap.add_argument("--part", default="xcku060", help="target part (default: %(default)s)")
    ap.add_argument("--cell", choices=("lstm", "gru"), help="only this RNN type")
    ap.add_argument("--clock-mhz", type=float, default=ds.F_CLK_MHZ,
                    help="target clock of the Xilinx part, an assumption (nothing was routed "
                         "on one here) (default: %(default)s)")
    ap.add_argument("--results", default=str(ds.RESULTS),
                    help="directory with accuracy.json and engine_cycles.json")
    ap.add_argument("--accuracy", help="accuracy sweep JSON (default: RESULTS/accuracy.json)")
    # an unknown --part is a KeyError naming the known ones
    return run(choose, ap.parse_args(argv), errors=(ds.InputError, KeyError))


def choose(args: argparse.Namespace) -> int:
    from fpga.parts import get_part

    results = Path(args.results)
    part = get_part(args.part).name
    acc_path = Path(args.accuracy) if args.accuracy else results / "accuracy.json"
    acc = ds.load_accuracy(acc_path)
    if acc is None:
        raise UsageError(f"{acc_path}: not measured yet: run `python -m train explore ...` first")
    hw = ds.hardware_model(results, args.clock_mhz)
    try:
        choice = ds.choose(acc, hw, args.max_per, args.max_dsp, part, args.cell)
    except ds.NothingFits as e:
        raise UsageError(f"nothing fits the budgets: {e}") from None
    print(ds.describe(choice, args.max_per, args.max_dsp, acc["corpus"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
