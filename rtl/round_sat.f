rtl/round_sat.v
