-f rtl/engine_handoff.f
rtl/engine_hlanes.v
