"""FPGA flow: Vivado non-project Tcl and an open fallback (yosys / nextpnr-ecp5).

Run ``python -m fpga --help`` (or ``make synth``).  Modules:

- :mod:`fpga.parts`     part capacities (one table, from the Xilinx data sheets)
- ``rtlsim.filelist``  reads ``rtl/<top>.f`` (the file list shared with sim and lint)
- :mod:`fpga.configs`   named configurations -> Verilog parameter overrides per top
- :mod:`fpga.reports`   parsers: yosys ``stat -json``, nextpnr ``--report``, Vivado reports
- :mod:`fpga.flow`      runs Vivado or the open flow and prints the resource table
- :mod:`fpga.model`     resource model calibrated on measured yosys figures
"""
