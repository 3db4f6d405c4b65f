rtl/engine_seq.v
