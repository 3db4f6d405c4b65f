+incdir+rtl
rtl/engine_regs.v
