rtl/engine_ewq.v
