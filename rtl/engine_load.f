rtl/engine_load.v
