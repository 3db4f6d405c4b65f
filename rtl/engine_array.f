-f rtl/engine_pe.f
rtl/engine_array.v
