-f rtl/round_sat.f
rtl/engine_act.v
