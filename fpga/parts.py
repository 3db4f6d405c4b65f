"""Capacities of the target parts, in one table.

Sources (Xilinx/AMD data sheets):
- XCKU060: DS890 "UltraScale Architecture and Product Data Sheet: Overview", Kintex UltraScale
  device table: 331,680 CLB LUTs, 663,360 CLB flip-flops, 2,760 DSP slices (DSP48E2),
  1,080 block RAM/FIFO (36 Kb each, 38.0 Mb).
- XC7VX690T: DS180 "7 Series FPGAs Data Sheet: Overview", Virtex-7 device table:
  108,300 slices (4 LUTs and 8 flip-flops each: 433,200 LUTs, 866,400 flip-flops),
  3,600 DSP slices (DSP48E1), 1,470 block RAM (36 Kb each, 52,920 Kb).
- LFE5U-85F (open-flow timing only): Lattice FPGA-DS-02012 "ECP5 and ECP5-5G Family Data
  Sheet": 83.6K LUT4s, 208 sysMEM EBR (18 Kb), 156 18x18 multipliers.  nextpnr reports its
  own availability figures, which the open flow prints.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """One Xilinx part: the Vivado part name, the yosys ``synth_xilinx -family`` and capacity."""

    name: str            # Vivado part name
    family: str          # yosys synth_xilinx -family
    device: str          # short device name (for tables)
    board: str           # where the papers used it
    luts: int
    ffs: int
    dsps: int
    bram36: int
    dsp_primitive: str

    def capacity(self) -> dict[str, float]:
        return {"lut": self.luts, "ff": self.ffs, "dsp": self.dsps, "bram36": self.bram36}


PARTS: dict[str, Part] = {
    p.name: p
    for p in (
        Part("xcku060-ffva1156-2-e", "xcu", "XCKU060", "ESE / C-LSTM / E-RNN (KU060)",
             331_680, 663_360, 2_760, 1_080, "DSP48E2"),
        Part("xc7vx690tffg1157-2", "xc7", "XC7VX690T", "ADM-PCIE-7V3 (Virtex-7 690T)",
             433_200, 866_400, 3_600, 1_470, "DSP48E1"),
    )
}
DEFAULT_PART = "xcku060-ffva1156-2-e"

# Short aliases accepted on the command line (PART=xc7vx690t, PART=ku060, ...).
ALIASES: dict[str, str] = {
    "xcku060": "xcku060-ffva1156-2-e",
    "ku060": "xcku060-ffva1156-2-e",
    "xc7vx690t": "xc7vx690tffg1157-2",
    "vx690t": "xc7vx690tffg1157-2",
    "xc7vx690t-ffg1157-2": "xc7vx690tffg1157-2",
}


def get_part(name: str) -> Part:
    """Look up a part by Vivado name or alias; raise with the list of known parts."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in PARTS:
        known = ", ".join(list(PARTS) + list(ALIASES))
        raise KeyError(f"unknown part {name!r}; known parts and aliases: {known}")
    return PARTS[key]
