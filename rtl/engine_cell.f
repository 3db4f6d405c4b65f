-f rtl/engine_act.f
rtl/pipe_reg.v
rtl/engine_cell.v
