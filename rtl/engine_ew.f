-f rtl/engine_cell.f
rtl/engine_ew.v
