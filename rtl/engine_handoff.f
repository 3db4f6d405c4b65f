-f rtl/ifft_herm.f
rtl/engine_handoff.v
