-f rtl/round_sat.f
rtl/pipe_reg.v
rtl/cmul.v
rtl/fft_bfly.v
rtl/fft_dit.v
+incdir+rtl
