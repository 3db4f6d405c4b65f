-f rtl/round_sat.f
-f rtl/mul_reg.f
rtl/engine_act.v
