rtl/cmul.v
