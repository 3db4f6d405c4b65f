"""LSTM (optional peepholes and projection: LSTMP) and GRU (reset-after) speech models whose
weight matrices are dense or block-circulant, with the exact equations of the golden model
(golden/cells.py), so that exported weights mean the same thing on both sides.

LSTM  z = W_x x + W_r r_prev + b  (gate order i, f, g, o)
      i = sig(z_i + p_i c_prev), f = sig(z_f + p_f c_prev), g = tanh(z_g)
      c = f c_prev + i g,  o = sig(z_o + p_o c),  m = o tanh(c),  r = W_p m (or m)
GRU   gx = W_x x + b_x, gh = W_h h_prev + b_h  (gate order r, z, n)
      r = sig(gx_r + gh_r), z = sig(gx_z + gh_z), n = tanh(gx_n + r gh_n)
      h = (1 - z) n + z h_prev

Sequences are time-major (T, B, D) with per-sequence lengths; the reverse direction of a
bidirectional layer runs each sequence backwards from its own last frame (as golden does on an
unpadded sequence).  A final dense classifier maps the outputs to phone logits (CTC).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from golden.model import GATES

from .circulant import CirculantLinear
from .config import ModelSpec


def flip_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of (T, B, ...) within its length (padding stays in place)."""
    T = x.shape[0]
    t = torch.arange(T)[:, None]
    L = lengths[None, :].to(t.device)
    idx = torch.where(t < L, L - 1 - t, t)                     # (T, B)
    idx = idx.reshape(T, -1, *([1] * (x.dim() - 2))).expand_as(x)
    return torch.gather(x, 0, idx)


class RNNLayer(nn.Module):
    """One direction of one layer.  Parameter names match golden's container keys."""

    def __init__(self, spec: ModelSpec, n_in: int):
        super().__init__()
        self.spec = spec
        self.cell = spec.cell
        self.n_in = n_in
        H, k = spec.hidden_size, spec.k
        s = 1.0 / math.sqrt(H)
        G = GATES[self.cell]
        self.w_x = CirculantLinear(n_in, G * H, k, s)
        if self.cell == "lstm":
            self.w_r = CirculantLinear(spec.out_size, G * H, k, s)
            b = torch.zeros(G * H)
            b[H:2 * H] = 1.0                                     # forget-gate bias
            self.b = nn.Parameter(b)
            if spec.peephole:
                self.p_i = nn.Parameter(torch.zeros(H))
                self.p_f = nn.Parameter(torch.zeros(H))
                self.p_o = nn.Parameter(torch.zeros(H))
            if spec.proj_size:
                self.w_p = CirculantLinear(H, spec.proj_size, spec.kp, s)
        else:
            self.w_h = CirculantLinear(H, G * H, k, s)
            self.b_x = nn.Parameter(torch.zeros(G * H))
            self.b_h = nn.Parameter(torch.zeros(G * H))

    @property
    def out_size(self) -> int:
        return self.spec.out_size

    def circulant_layers(self) -> dict[str, CirculantLinear]:
        return {n: m for n, m in self.named_children() if isinstance(m, CirculantLinear)}

    def forward(self, x: torch.Tensor, fused: bool = True) -> torch.Tensor:
        """(T, B, n_in) -> (T, B, out) in float, from zero state.

        ``fused``: run PyTorch's native LSTM/GRU kernel on the dense equivalents of the
        (circulant) matrices (same equations, several times faster on a CPU, gradients flow
        back to the circulant vectors); peepholes need the Python time loop."""
        if fused and not (self.cell == "lstm" and self.spec.peephole):
            return self._fused(x)
        if self.cell == "lstm":
            return self._lstm(x)
        return self._gru(x)

    def _fused(self, x: torch.Tensor) -> torch.Tensor:
        B = x.shape[1]
        H = self.spec.hidden_size
        if self.cell == "lstm":
            params = [self.w_x.matrix(), self.w_r.matrix(), self.b, torch.zeros_like(self.b)]
            if self.spec.proj_size:
                params.append(self.w_p.matrix())
            hx = (x.new_zeros(1, B, self.out_size), x.new_zeros(1, B, H))
            return torch._VF.lstm(x, hx, params, True, 1, 0.0, self.training, False, False)[0]
        params = [self.w_x.matrix(), self.w_h.matrix(), self.b_x, self.b_h]
        return torch._VF.gru(x, x.new_zeros(1, B, H), params, True, 1, 0.0, self.training,
                             False, False)[0]

    def _lstm(self, x: torch.Tensor) -> torch.Tensor:
        T, B, _ = x.shape
        H = self.spec.hidden_size
        xa = self.w_x(x) + self.b                           # input part for all steps at once
        WrT = self.w_r.matrix().t()
        WpT = self.w_p.matrix().t() if self.spec.proj_size else None
        peep = self.spec.peephole
        r = x.new_zeros(B, self.out_size)
        c = x.new_zeros(B, H)
        outs = []
        xs = xa.unbind(0)  # one backward node; xa[t] per step zero-fills (T, B, 4H) each time
        for t in range(T):
            z = torch.addmm(xs[t], r, WrT)
            zi, zf, zg, zo = z.split(H, dim=1)
            if peep:
                zi = zi + self.p_i * c
                zf = zf + self.p_f * c
            c = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
            if peep:
                zo = zo + self.p_o * c
            m = torch.sigmoid(zo) * torch.tanh(c)
            r = m @ WpT if WpT is not None else m
            outs.append(r)
        return torch.stack(outs)

    def _gru(self, x: torch.Tensor) -> torch.Tensor:
        T, B, _ = x.shape
        H = self.spec.hidden_size
        gx_all = self.w_x(x) + self.b_x
        WhT = self.w_h.matrix().t()
        h = x.new_zeros(B, H)
        outs = []
        gxs = gx_all.unbind(0)  # one backward node for all steps (see _lstm)
        for t in range(T):
            gx = gxs[t]
            gh = torch.addmm(self.b_h, h, WhT)
            r = torch.sigmoid(gx[:, :H] + gh[:, :H])
            z = torch.sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
            n = torch.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
            h = n + z * (h - n)                             # (1 - z) n + z h
            outs.append(h)
        return torch.stack(outs)


class SpeechRNN(nn.Module):
    """Stacked (bi)directional LSTM/GRU + dense classifier -> CTC logits (T, B, C)."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        spec.validate()
        self.spec = spec
        self.layers = nn.ModuleList()
        n_in = spec.input_size
        for _ in range(spec.num_layers):
            self.layers.append(nn.ModuleList(RNNLayer(spec, n_in) for _ in range(spec.dirs)))
            n_in = spec.out_size * spec.dirs
        self.cls = nn.Linear(n_in, spec.num_classes)

    def rnn_layers(self):
        """(layer, direction, RNNLayer) for every layer and direction."""
        for l, dirs in enumerate(self.layers):
            for d, lay in enumerate(dirs):
                yield l, d, lay

    def circulant_layers(self) -> dict[str, CirculantLinear]:
        """Golden parameter name (e.g. 'l0.d1.w_x') -> layer, for every weight matrix."""
        return {f"l{l}.d{d}.{n}": m for l, d, lay in self.rnn_layers()
                for n, m in lay.circulant_layers().items()}

    def features(self, x: torch.Tensor, lengths: torch.Tensor, quant=None) -> torch.Tensor:
        """(T, B, D) features -> (T, B, out * dirs) last-layer outputs."""
        h = x
        for dirs in self.layers:
            outs = []
            for d, lay in enumerate(dirs):
                inp = flip_padded(h, lengths) if d == 1 else h
                y = lay(inp) if quant is None else quant.run_layer(lay, inp)
                outs.append(flip_padded(y, lengths) if d == 1 else y)
            h = torch.cat(outs, dim=-1)
        return h

    def forward(self, x: torch.Tensor, lengths: torch.Tensor, quant=None) -> torch.Tensor:
        return self.cls(self.features(x, lengths, quant))

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
