-f rtl/ifft_herm.f
rtl/circulant_pe.v
