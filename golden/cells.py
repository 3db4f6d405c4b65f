"""LSTM (peepholes, projection optional) and GRU (reset-after) layers over whole sequences,
in exact float and bit-accurate fixed point.  One object per (layer, direction).

Fixed-point element-wise rounding points (docs/numerics.md, "cell"):

LSTM   z = Wx x + Wr r_prev  (frequency-domain sum, one IFFT) + b            -> pre
       z_i += rnd(p_i * c_prev), z_f += rnd(p_f * c_prev)  (RND to pre, SAT) -> pre
       i, f, o = sigmoid_pwl(z),  g = tanh_pwl(z_g)                           -> gate
       c = sat_cell(rnd(f * c_prev) + rnd(i * g))  (each product RND to cell)
       z_o += rnd(p_o * c)                                                    -> pre
       m = sat_data(rnd(o * tanh_pwl(sat_pre(c))))
       r = sat_data(rnd(Wp m))  (projection, no bias) or r = m
GRU    gx = Wx x + b_x, gh = Wh h_prev + b_h                                  -> pre
       r = sigmoid_pwl(sat(gx_r + gh_r)),  z = sigmoid_pwl(sat(gx_z + gh_z))  -> gate
       n = tanh_pwl(sat(gx_n + rnd(r * gh_n)))                                -> gate
       h = sat_data(rnd((1 - z) * n) + rnd(z * h_prev))  (each product RND to data)
"""
from __future__ import annotations

import numpy as np

from . import pointstats
from .activations import act_fixed, act_float
from .circulant import CirculantFixed, CirculantFloat, check_exact_sum
from .fixed import RND, Fmt, quantize, requantize, round_shift, saturate
from .model import ModelConfig

TIME_CHUNK = 64          # input projections are computed for this many steps at once


def _sig(x):
    return act_float("sigmoid", x)


def _tanh(x):
    return np.tanh(x)


class _Layer:
    def __init__(self, cfg: ModelConfig, params: dict, prefix: str, n_in: int, fixed: bool):
        self.cfg = cfg
        self.H = cfg.hidden_size
        self.n_in = n_in
        self.fixed = fixed
        self.out_size = cfg.out_size
        g = cfg.gates * self.H
        F = cfg.formats
        if fixed:
            self.f = {name: F.fmt(name) for name in ("data", "pre", "bias", "peep", "gate", "cell")}

            def mat(w, m, n):
                return CirculantFixed.from_vectors(w, m, n, F)

            def vec(v, fmt):
                return quantize(v, fmt)
        else:
            def mat(w, m, n):
                return CirculantFloat(w, m, n)

            def vec(v, fmt):
                return np.asarray(v, dtype=np.float64)
        self._mat, self._vec = mat, vec
        self.Wx = mat(params[prefix + "w_x"], g, n_in)

    def bias(self, b):
        """Bias in ``bias`` format, re-aligned (RND) to ``pre``'s fractional bits."""
        if not self.fixed:
            return np.asarray(b, dtype=np.float64)
        qb = quantize(b, self.f["bias"])
        return round_shift(qb, self.f["bias"].frac - self.f["pre"].frac, RND)

    def input_part(self, x_chunk: np.ndarray) -> np.ndarray:
        """(Tc, B, n_in) -> frequency-domain accumulations of W_x x for every step, (Tc, K2, B, p)."""
        Tc, B, _ = x_chunk.shape
        A = self.Wx.accumulate(self.Wx.spectra(x_chunk.reshape(Tc * B, self.n_in)))
        return A.reshape(A.shape[0], Tc, B, A.shape[-1]).transpose(1, 0, 2, 3)

    # fixed-point element-wise helpers
    def mul(self, a, fa: str, b, fb: str, out: str, sat: bool = True):
        """Product of two code arrays, RND-rounded to ``out``'s fractional bits (saturated if sat)."""
        frac = self.f[fa].frac + self.f[fb].frac
        if sat:
            return requantize(a * b, frac, self.f[out], RND)
        return round_shift(a * b, frac - self.f[out].frac, RND)

    @staticmethod
    def sat(point: str, codes, fmt: Fmt):
        """Saturate ``codes`` to ``fmt``, counting the clamped ones at ``point`` (pointstats)."""
        pointstats.count_fmt(point, codes, fmt)
        return saturate(codes, fmt)

    def act(self, func: str, z):
        if self.fixed:
            return act_fixed(func, z, self.f["pre"], self.f["gate"], self.cfg.formats.act_seg_bits)
        return act_float(func, z)

    def run(self, x: np.ndarray, reverse: bool = False, trace: bool = False, state=None) -> dict:
        """Run the layer over ``x`` (T, B, n_in) (codes or floats).  Returns a dict with 'out'
        (T, B, out_size), final state and, with ``trace``, per-step internals."""
        T, B, n = x.shape
        if n != self.n_in:
            raise ValueError(f"layer input has {n} features, expected {self.n_in}")
        order = range(T - 1, -1, -1) if reverse else range(T)
        st = self.init_state(B) if state is None else state
        out = np.zeros((T, B, self.out_size), dtype=np.int64 if self.fixed else np.float64)
        traces: dict[str, list] = {}
        order = list(order)
        for c0 in range(0, T, TIME_CHUNK):
            steps = order[c0:c0 + TIME_CHUNK]
            lo, hi = min(steps), max(steps) + 1
            XA = self.input_part(x[lo:hi])
            for t in steps:
                st, o, tr = self.step(XA[t - lo], st, trace)
                out[t] = o
                if trace:
                    for key, v in tr.items():
                        traces.setdefault(key, [None] * T)[t] = v
        res = {"out": out, "state": st}
        if trace:
            res["trace"] = {key: np.stack(v) for key, v in traces.items()}
        return res


class LSTMLayer(_Layer):
    def __init__(self, cfg: ModelConfig, params: dict, prefix: str, n_in: int, fixed: bool):
        super().__init__(cfg, params, prefix, n_in, fixed)
        H, R = self.H, cfg.out_size
        self.Wr = self._mat(params[prefix + "w_r"], 4 * H, R)
        if fixed:
            check_exact_sum(self.Wx, self.Wr)
        self.b = self.bias(params[prefix + "b"])
        self.peep = None
        if cfg.peephole:
            pf = self.f["peep"] if fixed else None
            self.peep = [self._vec(params[prefix + g], pf) for g in ("p_i", "p_f", "p_o")]
        self.Wp = self._mat(params[prefix + "w_p"], cfg.proj_size, H) if cfg.proj_size else None

    def init_state(self, B: int):
        dt = np.int64 if self.fixed else np.float64
        return np.zeros((B, self.out_size), dtype=dt), np.zeros((B, self.H), dtype=dt)

    def step(self, xa: np.ndarray, state, trace: bool):
        r_prev, c_prev = state
        H = self.H
        A = xa + self.Wr.accumulate(self.Wr.spectra(r_prev))
        if self.fixed:
            z = self.Wr.finish(A, self.b)
        else:
            z = self.Wr.finish(A) + self.b
        zi, zf, zg, zo = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
        if self.fixed:
            fp, fc, fd = self.f["pre"], self.f["cell"], self.f["data"]
            if self.peep is not None:
                zi = self.sat("peep", zi + self.mul(self.peep[0], "peep", c_prev, "cell", "pre", sat=False), fp)
                zf = self.sat("peep", zf + self.mul(self.peep[1], "peep", c_prev, "cell", "pre", sat=False), fp)
            i, f, g = self.act("sigmoid", zi), self.act("sigmoid", zf), self.act("tanh", zg)
            c = self.sat("cell", self.mul(f, "gate", c_prev, "cell", "cell", sat=False)
                         + self.mul(i, "gate", g, "gate", "cell", sat=False), fc)
            if self.peep is not None:
                zo = self.sat("peep", zo + self.mul(self.peep[2], "peep", c, "cell", "pre", sat=False), fp)
            o = self.act("sigmoid", zo)
            tc = self.act("tanh", self.sat("tanh_c", round_shift(c, fc.frac - fp.frac, RND), fp))
            m = self.sat("m", self.mul(o, "gate", tc, "gate", "data", sat=False), fd)
            if self.Wp is not None:
                r = self.sat("proj", round_shift(self.Wp(m, point="proj_pre"), fp.frac - fd.frac, RND), fd)
            else:
                r = m
        else:
            pointstats.observe("pre", z)
            if self.peep is not None:
                zi = zi + self.peep[0] * c_prev
                zf = zf + self.peep[1] * c_prev
            i, f, g = _sig(zi), _sig(zf), _tanh(zg)
            c = f * c_prev + i * g
            if self.peep is not None:
                zo = zo + self.peep[2] * c
                pointstats.observe("peep", np.concatenate([zi, zf, zo], axis=1))
            o = _sig(zo)
            m = o * _tanh(c)
            r = self.Wp(m) if self.Wp is not None else m
            pointstats.observe("cell", c)
            pointstats.observe("tanh_c", c)
            pointstats.observe("m", m)
            if self.Wp is not None:
                pointstats.observe("proj_pre", r)
                pointstats.observe("proj", r)
        tr = {"z": np.concatenate([zi, zf, zg, zo], axis=1), "c": c, "m": m} if trace else None
        return (r, c), r, tr


class GRULayer(_Layer):
    def __init__(self, cfg: ModelConfig, params: dict, prefix: str, n_in: int, fixed: bool):
        super().__init__(cfg, params, prefix, n_in, fixed)
        H = self.H
        self.Wh = self._mat(params[prefix + "w_h"], 3 * H, H)
        self.bx = self.bias(params[prefix + "b_x"])
        self.bh = self.bias(params[prefix + "b_h"])

    def init_state(self, B: int):
        return np.zeros((B, self.H), dtype=np.int64 if self.fixed else np.float64)

    def step(self, xa: np.ndarray, h_prev, trace: bool):
        H = self.H
        Ah = self.Wh.accumulate(self.Wh.spectra(h_prev))
        if self.fixed:
            fp = self.f["pre"]
            gx = self.Wx.finish(xa, self.bx)
            gh = self.Wh.finish(Ah, self.bh)
            r = self.act("sigmoid", self.sat("gru_sum", gx[:, :H] + gh[:, :H], fp))
            z = self.act("sigmoid", self.sat("gru_sum", gx[:, H:2 * H] + gh[:, H:2 * H], fp))
            zn = self.sat("gru_sum", gx[:, 2 * H:] + self.mul(r, "gate", gh[:, 2 * H:], "pre", "pre", sat=False), fp)
            n = self.act("tanh", zn)
            one = 1 << self.f["gate"].frac
            h = self.sat("h", self.mul(one - z, "gate", n, "gate", "data", sat=False)
                         + self.mul(z, "gate", h_prev, "data", "data", sat=False), self.f["data"])
        else:
            gx = self.Wx.finish(xa) + self.bx
            gh = self.Wh.finish(Ah) + self.bh
            pointstats.observe("pre", gx)
            pointstats.observe("pre", gh)
            sr, sz = gx[:, :H] + gh[:, :H], gx[:, H:2 * H] + gh[:, H:2 * H]
            zn = gx[:, 2 * H:] + _sig(sr) * gh[:, 2 * H:]
            pointstats.observe("gru_sum", np.concatenate([sr, sz, zn], axis=1))
            r, z = _sig(sr), _sig(sz)
            n = _tanh(zn)
            h = (1.0 - z) * n + z * h_prev
            pointstats.observe("h", h)
        tr = {"gx": gx, "gh": gh, "n": n} if trace else None
        return h, h, tr


def make_layer(cfg: ModelConfig, params: dict, layer: int, direction: int, fixed: bool) -> _Layer:
    cls = LSTMLayer if cfg.cell == "lstm" else GRULayer
    return cls(cfg, params, f"l{layer}.d{direction}.", cfg.layer_input(layer), fixed)
