-f rtl/fft_real.f
rtl/engine_spack.v
rtl/engine_rec.v
