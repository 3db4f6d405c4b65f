"""Quantization-aware training: a PyTorch (float64) emulation of golden's bit-accurate path.

Every tensor of the fixed-point forward pass is an integer code held exactly in float64
(all intermediate values stay below 2**53, which golden proves for its own float64 path).
The emulation follows golden/ step by step, with the same rounding points:

* ``fft_fixed`` / ``ifft_fixed``: golden/fft.py's radix-2 DIT with per-stage twiddle products
  rounded RND and saturated to ``sW+s``; the IFFT is unscaled and Hermitian.
* circulant products: golden/circulant.py (quantized FFT(w)/k weights from golden itself,
  exact frequency-domain accumulation, RND/SAT to ``spec``, IFFT, RND/SAT to ``pre``, + bias);
  the LSTM adds the input and recurrent accumulators before the one rounding.
* activations: golden/activations.py's piecewise-linear formula on golden's knot tables.
* cell updates: golden/cells.py's products and saturations, in the same order.

Gradients are straight-through: each fixed-point result replaces the value of the matching
float computation (``ste``), so the backward pass is the float model's.  ``tests/
test_train_quant.py`` checks that the codes equal golden's on random models.
"""
from __future__ import annotations

import numpy as np
import torch

from golden.activations import act_table
from golden.circulant import quantize_freq_weights
from golden.fft import bitrev_perm, check_k, twiddles
from golden.fixed import Fmt
from golden.formats import Formats

from .circulant import CirculantLinear, n_blocks

# ---- integer primitives on float64 tensors ---------------------------------------------------


def rnd_shift(a: torch.Tensor, shift: int) -> torch.Tensor:
    """round_shift(a, shift, RND): divide by 2**shift, round half up (exact on integer codes)."""
    if shift == 0:
        return a
    if shift < 0:
        return a * float(2 ** -shift)
    return torch.floor((a + float(2 ** (shift - 1))) / float(2 ** shift))


def sat(a: torch.Tensor, fmt: Fmt) -> torch.Tensor:
    return a.clamp(float(fmt.min_int), float(fmt.max_int))


def requant(a: torch.Tensor, from_frac: int, fmt: Fmt) -> torch.Tensor:
    """golden.fixed.requantize(..., RND, SAT)."""
    return sat(rnd_shift(a, from_frac - fmt.frac), fmt)


def quantize(x: torch.Tensor, fmt: Fmt) -> torch.Tensor:
    """golden.fixed.quantize(..., RND_CONV, SAT): real values -> codes (half to even)."""
    return sat(torch.round(x.detach().double() * float(2 ** fmt.frac)), fmt)


def to_float(codes: torch.Tensor, fmt: Fmt) -> torch.Tensor:
    return codes * float(2.0 ** -fmt.frac)


def ste(value: torch.Tensor, codes: torch.Tensor, fmt: Fmt) -> torch.Tensor:
    """Forward: the fixed-point result; backward: the gradient of the float ``value``."""
    return value + (to_float(codes, fmt) - value).detach()


def _dit(re: torch.Tensor, im: torch.Tensor, k: int, fmt: Fmt, tw_width: int, inverse: bool):
    """golden.fft._dit on (..., k) bit-reversed codes, general twiddle product everywhere
    (golden's shortcuts for 1 and -/+j give the same integers)."""
    wr_all, wi_all = twiddles(k, tw_width)
    twf = tw_width - 2
    lead = re.shape[:-1]
    for s in range(1, check_k(k) + 1):
        m, h = 1 << s, 1 << (s - 1)
        wr = torch.tensor(wr_all[::k // m][:h], dtype=torch.float64)
        wi = torch.tensor(wi_all[::k // m][:h], dtype=torch.float64)
        if inverse:
            wi = -wi
        r = re.reshape(*lead, k // m, 2, h)
        i = im.reshape(*lead, k // m, 2, h)
        ar, br, ai, bi = r[..., 0, :], r[..., 1, :], i[..., 0, :], i[..., 1, :]
        tr = rnd_shift(br * wr - bi * wi, twf)
        ti = rnd_shift(br * wi + bi * wr, twf)
        sf = fmt.grow(s)
        re = sat(torch.stack([ar + tr, ar - tr], dim=-2), sf).reshape(*lead, k)
        im = sat(torch.stack([ai + ti, ai - ti], dim=-2), sf).reshape(*lead, k)
    return re, im


def fft_fixed(x: torch.Tensor, k: int, in_fmt: Fmt, tw_width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Real (..., k) codes -> bins 0..k/2 (re, im), format in_fmt.grow(log2 k)."""
    re = sat(x, in_fmt)[..., torch.from_numpy(bitrev_perm(k))]
    re, im = _dit(re, torch.zeros_like(re), k, in_fmt, tw_width, inverse=False)
    return re[..., :k // 2 + 1], im[..., :k // 2 + 1]


def ifft_fixed(yr: torch.Tensor, yi: torch.Tensor, k: int, in_fmt: Fmt, tw_width: int) -> torch.Tensor:
    """Unscaled Hermitian IFFT: bins (..., k/2+1) -> real (..., k), format in_fmt.grow(log2 k)."""
    if k == 1:
        return sat(yr, in_fmt)
    h = k // 2
    yr = sat(yr, in_fmt)
    yi = sat(yi, in_fmt).clone()
    yi[..., 0] = 0
    yi[..., h] = 0
    perm = bitrev_perm(k)
    src = torch.tensor([(b if b <= h else k - b) for b in perm])
    sign = torch.tensor([(-1.0 if b > h else 1.0) for b in perm], dtype=torch.float64)
    re, _ = _dit(yr[..., src], yi[..., src] * sign, k, in_fmt, tw_width, inverse=True)
    return re


def act_fixed(func: str, z: torch.Tensor, in_fmt: Fmt, out_fmt: Fmt, seg_bits: int) -> torch.Tensor:
    """golden.activations.act_fixed: piecewise-linear sigmoid/tanh on ``in_fmt`` codes."""
    T = torch.from_numpy(act_table(func, in_fmt, out_fmt, seg_bits).astype(np.float64))
    tb = in_fmt.width - 1 - seg_bits
    a = z.abs().clamp(max=float((1 << (in_fmt.width - 1)) - 1))
    i = torch.floor(a / float(1 << tb))
    t = a - i * float(1 << tb)
    il = i.long()
    v = T[il] + rnd_shift((T[il + 1] - T[il]) * t, tb)
    neg = z < 0
    if func == "sigmoid":
        return torch.where(neg, float(1 << out_fmt.frac) - v, v)
    return torch.where(neg, -v, v)


# ---- block-circulant product -------------------------------------------------------------------

class FixedCirculant:
    """golden.circulant.CirculantFixed for the current weights of a `CirculantLinear`."""

    def __init__(self, lin: CirculantLinear, F: Formats):
        self.m, self.n = lin.out_features, lin.in_features
        w = lin.vectors().detach().double().cpu().numpy()
        self.k = w.shape[-1]
        self.q = n_blocks(self.n, self.k)
        re, im = quantize_freq_weights(w, F.fmt("weight"))
        self.wr = torch.from_numpy(re.astype(np.float64))       # (p, q, kh)
        self.wi = torch.from_numpy(im.astype(np.float64))
        self.F = F
        self.f_data, self.f_spec, self.f_pre = F.fmt("data"), F.fmt("spec"), F.fmt("pre")
        self.acc_frac = self.f_data.frac + F.fmt("weight").frac

    def accumulate(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(..., n) data codes -> exact frequency-domain sums (re, im), (..., p, k/2+1)."""
        if self.q * self.k != self.n:
            x = torch.nn.functional.pad(x, (0, self.q * self.k - self.n))
        xr, xi = fft_fixed(x.reshape(*x.shape[:-1], self.q, self.k), self.k, self.f_data,
                           self.F.tw_width)
        ar = torch.einsum("...qb,pqb->...pb", xr, self.wr) - torch.einsum("...qb,pqb->...pb", xi, self.wi)
        ai = torch.einsum("...qb,pqb->...pb", xr, self.wi) + torch.einsum("...qb,pqb->...pb", xi, self.wr)
        return ar, ai

    def finish(self, ar: torch.Tensor, ai: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        """Accumulators -> ``pre`` codes (..., m): round to spec, IFFT, round to pre, + bias."""
        sr = requant(ar, self.acc_frac, self.f_spec)
        si = requant(ai, self.acc_frac, self.f_spec)
        y = ifft_fixed(sr, si, self.k, self.f_spec, self.F.tw_width)
        y = requant(y.reshape(*y.shape[:-2], self.m), self.f_spec.frac, self.f_pre)
        return y if bias is None else sat(y + bias, self.f_pre)

    def __call__(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        return self.finish(*self.accumulate(x), bias)


# ---- layers ------------------------------------------------------------------------------------

class QuantContext:
    """Runs `RNNLayer`s in bit-accurate fixed point (values with straight-through gradients).

    ``codes``: when set to a list, every layer run appends its output codes (T, B, out)."""

    def __init__(self, formats: Formats):
        self.F = formats
        self.f = {n: formats.fmt(n) for n in ("data", "pre", "bias", "peep", "gate", "cell", "weight")}
        self.seg = formats.act_seg_bits
        self.codes: list | None = None

    # helpers mirroring golden/cells.py
    def _bias(self, b: torch.Tensor) -> torch.Tensor:
        qb = quantize(b, self.f["bias"])
        return rnd_shift(qb, self.f["bias"].frac - self.f["pre"].frac)

    def _mul(self, a, fa: str, b, fb: str, out: str, saturate: bool = True):
        frac = self.f[fa].frac + self.f[fb].frac
        if saturate:
            return requant(a * b, frac, self.f[out])
        return rnd_shift(a * b, frac - self.f[out].frac)

    def _act(self, func: str, z):
        return act_fixed(func, z, self.f["pre"], self.f["gate"], self.seg)

    def run_layer(self, lay, x: torch.Tensor) -> torch.Tensor:
        x = x.double()
        fd = self.f["data"]
        xc = quantize(x, fd)
        x = ste(x, xc, fd)
        y, yc = (self._lstm if lay.cell == "lstm" else self._gru)(lay, x, xc)
        if self.codes is not None:
            self.codes.append(yc)
        return y

    def _lstm(self, lay, x, xc):
        T, B, _ = x.shape
        H, F = lay.spec.hidden_size, self.f
        fp, fd, fg, fc = F["pre"], F["data"], F["gate"], F["cell"]
        Wx, Wr = FixedCirculant(lay.w_x, self.F), FixedCirculant(lay.w_r, self.F)
        Wp = FixedCirculant(lay.w_p, self.F) if lay.spec.proj_size else None
        bq = self._bias(lay.b)
        peep = lay.spec.peephole
        if peep:
            pq = [quantize(p, F["peep"]) for p in (lay.p_i, lay.p_f, lay.p_o)]
            pv = [ste(p.double(), q, F["peep"]) for p, q in zip((lay.p_i, lay.p_f, lay.p_o), pq)]
        with torch.no_grad():
            axr, axi = Wx.accumulate(xc)                       # all steps at once
        xa = lay.w_x(x) + lay.b                                # float path (gradients)
        WrT = lay.w_r.matrix().t()
        WpT = lay.w_p.matrix().t() if Wp is not None else None
        r, rc = x.new_zeros(B, lay.out_size), xc.new_zeros(B, lay.out_size)
        c, cc = x.new_zeros(B, H), xc.new_zeros(B, H)
        outs, codes = [], []
        xs = xa.unbind(0)  # one backward node; xa[t] per step zero-fills (T, B, 4H) each time
        for t in range(T):
            with torch.no_grad():
                arr, ari = Wr.accumulate(rc)
                zc = Wr.finish(axr[t] + arr, axi[t] + ari, bq)
                zic, zfc, zgc, zoc = zc.split(H, dim=1)
                if peep:
                    zic = sat(zic + self._mul(pq[0], "peep", cc, "cell", "pre", False), fp)
                    zfc = sat(zfc + self._mul(pq[1], "peep", cc, "cell", "pre", False), fp)
                ic, fc_, gc = self._act("sigmoid", zic), self._act("sigmoid", zfc), self._act("tanh", zgc)
                cc_new = sat(self._mul(fc_, "gate", cc, "cell", "cell", False)
                             + self._mul(ic, "gate", gc, "gate", "cell", False), fc)
                if peep:
                    zoc = sat(zoc + self._mul(pq[2], "peep", cc_new, "cell", "pre", False), fp)
                oc = self._act("sigmoid", zoc)
                tcc = self._act("tanh", requant(cc_new, fc.frac, fp))
                mc = self._mul(oc, "gate", tcc, "gate", "data")
                rc_new = requant(Wp(mc), fp.frac, fd) if Wp is not None else mc
            # float path with straight-through replacement at every rounding point
            z = torch.addmm(xs[t], r, WrT)
            zi, zf, zg, zo = z.split(H, dim=1)
            if peep:
                zi = zi + pv[0] * c
                zf = zf + pv[1] * c
            i = ste(torch.sigmoid(zi), ic, fg)
            f = ste(torch.sigmoid(zf), fc_, fg)
            g = ste(torch.tanh(zg), gc, fg)
            c = ste(f * c + i * g, cc_new, fc)
            if peep:
                zo = zo + pv[2] * c
            o = ste(torch.sigmoid(zo), oc, fg)
            m = ste(o * torch.tanh(c), mc, fd)
            r = ste(m @ WpT, rc_new, fd) if Wp is not None else m
            rc, cc = rc_new, cc_new
            outs.append(r)
            codes.append(rc)
        return torch.stack(outs), torch.stack(codes)

    def _gru(self, lay, x, xc):
        T, B, _ = x.shape
        H, F = lay.spec.hidden_size, self.f
        fp, fd, fg = F["pre"], F["data"], F["gate"]
        Wx, Wh = FixedCirculant(lay.w_x, self.F), FixedCirculant(lay.w_h, self.F)
        bxq, bhq = self._bias(lay.b_x), self._bias(lay.b_h)
        with torch.no_grad():
            gxc_all = Wx(xc, bxq)
        gx_all = lay.w_x(x) + lay.b_x
        WhT = lay.w_h.matrix().t()
        h, hc = x.new_zeros(B, H), xc.new_zeros(B, H)
        one = float(1 << fg.frac)
        outs, codes = [], []
        gxs = gx_all.unbind(0)  # one backward node for all steps (see _lstm)
        for t in range(T):
            with torch.no_grad():
                gxc, ghc = gxc_all[t], Wh(hc, bhq)
                rgc = self._act("sigmoid", sat(gxc[:, :H] + ghc[:, :H], fp))
                zgc = self._act("sigmoid", sat(gxc[:, H:2 * H] + ghc[:, H:2 * H], fp))
                znc = sat(gxc[:, 2 * H:] + self._mul(rgc, "gate", ghc[:, 2 * H:], "pre", "pre", False), fp)
                nc = self._act("tanh", znc)
                hc_new = sat(self._mul(one - zgc, "gate", nc, "gate", "data", False)
                             + self._mul(zgc, "gate", hc, "data", "data", False), fd)
            gx = gxs[t]
            gh = ste(torch.addmm(lay.b_h, h, WhT), ghc, fp)
            rg = ste(torch.sigmoid(gx[:, :H] + gh[:, :H]), rgc, fg)
            zg = ste(torch.sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H]), zgc, fg)
            n = ste(torch.tanh(gx[:, 2 * H:] + rg * gh[:, 2 * H:]), nc, fg)
            h = ste(n + zg * (h - n), hc_new, fd)
            hc = hc_new
            outs.append(h)
            codes.append(hc)
        return torch.stack(outs), torch.stack(codes)
