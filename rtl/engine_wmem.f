rtl/engine_wmem.v
