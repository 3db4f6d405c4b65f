rtl/pipe_reg.v
rtl/round_sat.v
rtl/act_pwl.v
