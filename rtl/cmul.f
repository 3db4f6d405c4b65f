-f rtl/mul_reg.f
rtl/cmul.v
