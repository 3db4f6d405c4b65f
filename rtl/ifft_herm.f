rtl/pipe_reg.v
rtl/round_sat.v
rtl/cmul.v
rtl/fft_bfly.v
rtl/fft_dit.v
rtl/ifft_herm.v
+incdir+rtl
