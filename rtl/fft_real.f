rtl/pipe_reg.v
rtl/round_sat.v
rtl/cmul.v
rtl/fft_bfly.v
rtl/fft_dit.v
rtl/fft_real.v
+incdir+rtl
