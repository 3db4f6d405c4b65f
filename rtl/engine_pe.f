-f rtl/cmul.f
rtl/engine_pe.v
