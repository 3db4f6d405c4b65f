# Timing constraints shared by every top (all tops have one clock port, `clk`).
#
# 200 MHz is the default (ESE ran at 200 MHz on the XCKU060).  fpga/vivado/build.tcl reads this
# file and, when -clk_mhz is given, replaces the -period value before read_xdc, so this file
# stays the single place where the clock is defined.
create_clock -period 5.000 -name clk [get_ports clk]

# The tops are built out of context (synth_design -mode out_of_context): their ports are not
# package pins, so no I/O standards or pin locations are set here, and the reported Fmax is
# that of the register-to-register paths inside the block.  A board wrapper (pins, MMCM,
# AXI interconnect) would add its own XDC next to this one.
