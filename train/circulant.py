"""Block-circulant linear layer (PyTorch), first-column convention of docs/design.md section 1.

W (m x n) is p x q blocks of k x k (n zero-padded to q*k); block (i, j) is
``scipy.linalg.circulant(w[i, j])``.  The FFT product

    y_i = irfft( sum_j rfft(w_ij) * rfft(x_j) )

transforms each input block once, accumulates over input blocks in the frequency domain and
does one inverse transform per output block.  ``k = 1`` stores an ordinary dense matrix.

`dense_from_vectors` builds the same matrix explicitly (a gather, differentiable); the recurrent
layers use it once per sequence for the per-step recurrent product, which on a CPU is faster
than a per-step FFT for the sizes we train (same values, same gradients).
"""
from __future__ import annotations

import math

import torch
from torch import nn


def n_blocks(n: int, k: int) -> int:
    return -(-int(n) // int(k))


def _circ_index(k: int, device=None) -> torch.Tensor:
    r = torch.arange(k, device=device)
    return (r[:, None] - r[None, :]) % k          # block[r, c] = w[(r - c) mod k]


def dense_from_vectors(w: torch.Tensor, m: int, n: int) -> torch.Tensor:
    """(p, q, k) first-column vectors -> dense (m, n) matrix (differentiable)."""
    p, q, k = w.shape
    blocks = w[:, :, _circ_index(k, w.device)]                  # (p, q, k, k)
    return blocks.permute(0, 2, 1, 3).reshape(p * k, q * k)[:m, :n]


def project_dense(W: torch.Tensor, k: int) -> torch.Tensor:
    """Euclidean projection of a dense (m, n) matrix onto block-circulant matrices: time-domain
    vectors (p, q, k), ``c[d] = mean_c B[(c + d) mod k, c]`` over the columns that exist
    (the zero padding of n is not part of the matrix).  Same as ``golden.circulant.project_dense``."""
    m, n = W.shape
    if m % k:
        raise ValueError(f"rows m={m} must be a multiple of the block size k={k}")
    p, q = m // k, n_blocks(n, k)
    Wp = torch.zeros(m, q * k, dtype=W.dtype, device=W.device)
    Wp[:, :n] = W
    valid = torch.zeros(q * k, dtype=W.dtype, device=W.device)
    valid[:n] = 1.0
    blocks = Wp.reshape(p, k, q, k).permute(0, 2, 1, 3)              # (p, q, r, c)
    d = torch.arange(k, device=W.device)[:, None]
    c = torch.arange(k, device=W.device)[None, :]
    rows = (c + d) % k                                               # (d, c)
    diag = blocks[:, :, rows, c.expand_as(rows)]                     # (p, q, d, c)
    vmask = valid.reshape(q, k)[None, :, None, :]
    return (diag * vmask).sum(-1) / vmask.sum(-1)


def circulant_fft_matmul(x: torch.Tensor, w: torch.Tensor, n: int) -> torch.Tensor:
    """y = W x for (..., n) inputs via rfft/irfft; w is (p, q, k)."""
    p, q, k = w.shape
    if q * k != n:
        x = nn.functional.pad(x, (0, q * k - n))
    X = torch.fft.rfft(x.reshape(*x.shape[:-1], q, k), dim=-1)          # (..., q, kh)
    Wf = torch.fft.rfft(w, dim=-1)                                      # (p, q, kh)
    Y = torch.einsum("...qb,pqb->...pb", X, Wf)                          # frequency-domain sum
    return torch.fft.irfft(Y, n=k, dim=-1).reshape(*X.shape[:-2], p * k)  # one IFFT per out block


class CirculantLinear(nn.Module):
    """``y = W x`` (no bias) with W block-circulant of block size ``k`` (``k = 1``: dense).

    Parameter ``weight``: (m/k, ceil(n/k), k) first-column vectors, or (m, n) for k = 1.
    Initialized like PyTorch's RNN weights: every matrix entry uniform in +-1/sqrt(fan).
    """

    def __init__(self, in_features: int, out_features: int, k: int = 1, init_scale: float | None = None):
        super().__init__()
        if out_features % k:
            raise ValueError(f"out_features={out_features} must be a multiple of k={k}")
        self.in_features, self.out_features, self.k = in_features, out_features, k
        shape = (out_features, in_features) if k == 1 else \
            (out_features // k, n_blocks(in_features, k), k)
        self.weight = nn.Parameter(torch.empty(shape))
        self.reset_parameters(init_scale if init_scale is not None else 1.0 / math.sqrt(in_features))

    def reset_parameters(self, scale: float) -> None:
        nn.init.uniform_(self.weight, -scale, scale)

    def matrix(self) -> torch.Tensor:
        """The dense (out, in) matrix (differentiable)."""
        if self.k == 1:
            return self.weight
        return dense_from_vectors(self.weight, self.out_features, self.in_features)

    def vectors(self) -> torch.Tensor:
        """Time-domain vectors (p, q, k) as golden stores them ((m, n, 1) for k = 1)."""
        return self.weight.unsqueeze(-1) if self.k == 1 else self.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.k == 1:
            return nn.functional.linear(x, self.weight)
        return circulant_fft_matmul(x, self.weight, self.in_features)

    def extra_repr(self) -> str:
        return f"in={self.in_features}, out={self.out_features}, k={self.k}"
