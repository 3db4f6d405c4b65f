rtl/mul_reg.v
