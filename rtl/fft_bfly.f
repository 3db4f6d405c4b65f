-f rtl/round_sat.f
-f rtl/cmul.f
rtl/fft_bfly.v
