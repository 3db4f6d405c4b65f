rtl/engine_regs.v
