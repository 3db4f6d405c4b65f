-f rtl/round_sat.f
-f rtl/cmul.f
rtl/pipe_reg.v
rtl/fft_bfly.v
