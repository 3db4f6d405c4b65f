-f rtl/mul_reg.f
rtl/pipe_reg.v
rtl/cmul.v
