-f rtl/round_sat.f
rtl/pipe_reg.v
rtl/act_pwl.v
