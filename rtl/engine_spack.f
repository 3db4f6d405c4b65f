rtl/engine_spack.v
