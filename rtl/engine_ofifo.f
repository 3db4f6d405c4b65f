rtl/engine_ofifo.v
