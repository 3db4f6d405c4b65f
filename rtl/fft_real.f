-f rtl/fft_dit.f
rtl/fft_real.v
