"""Bit-accurate NumPy golden model of the block-circulant LSTM/GRU accelerator.

The contract between training and RTL: every rounding and saturation point of the hardware is
implemented here once (see docs/numerics.md).  NumPy only; never imports torch.
"""
from ._malloc import tune_malloc
from .fixed import RND, RND_CONV, SAT, TRN, WRAP, Fmt, quantize, requantize, round_shift, saturate, to_float
from .formats import Formats

tune_malloc()

__all__ = ["Fmt", "Formats", "quantize", "requantize", "round_shift", "saturate", "to_float",
           "TRN", "RND", "RND_CONV", "SAT", "WRAP"]
