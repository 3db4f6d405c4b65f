-f rtl/fft_dit.f
rtl/ifft_herm.v
