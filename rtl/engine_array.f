-f rtl/engine_pe.f
rtl/pipe_reg.v
rtl/engine_array.v
