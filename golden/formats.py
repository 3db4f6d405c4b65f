"""The datapath's number formats in one place (the defaults are justified in docs/numerics.md)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .fixed import Fmt


@dataclass(frozen=True)
class Formats:
    """Every format of the datapath, as ``sW.F`` strings (parse with ``.fmt(name)``).

    data    x_t, h_t, r_t, m_t: vectors that enter a circulant matvec (FFT input)
    weight  stored frequency-domain weights ``FFT(w)/k`` (Hermitian half spectrum)
    spec    IFFT input: the frequency-domain accumulator after rounding
    pre     gate pre-activations (IFFT output + bias, + peephole); activation-table input
    bias    biases (added at ``pre``'s fractional bits)
    peep    LSTM peephole weights (diagonal vectors)
    gate    sigmoid/tanh outputs
    cell    LSTM cell state c_t
    tw_width   twiddle width W (twiddles are sW.(W-2))
    act_seg_bits  log2 of the number of piecewise-linear segments over the activation's input half-range
    """

    data: str = "s16.12"
    weight: str = "s16.14"
    spec: str = "s20.12"
    pre: str = "s16.12"
    bias: str = "s16.12"
    peep: str = "s16.14"
    gate: str = "s16.14"
    cell: str = "s16.12"
    tw_width: int = 18
    act_seg_bits: int = 8

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if f.type == "str" or isinstance(v, str):
                try:
                    fmt = Fmt.parse(v)
                except ValueError as e:
                    raise ValueError(f"format '{f.name}': {e}") from None
                if not fmt.signed:
                    raise ValueError(f"format '{f.name}' = {v} must be signed (sW.F)")
                if fmt.width > 32:
                    raise ValueError(f"format '{f.name}' = {v} is wider than 32 bits")
        if not 4 <= self.tw_width <= 27:
            raise ValueError(f"tw_width={self.tw_width} out of range 4..27")
        g = self.fmt("gate")
        if g.width - 1 - g.frac < 1:
            raise ValueError(f"format 'gate' = {self.gate} cannot represent 1.0 (needs >= 1 integer bit)")
        p = self.fmt("pre")
        if not 1 <= self.act_seg_bits <= p.width - 2:
            raise ValueError(f"act_seg_bits={self.act_seg_bits} must be in 1..{p.width - 2} for pre={self.pre}")
        if self.fmt("data").width < 4 or self.fmt("weight").width < 4:
            raise ValueError("formats 'data' and 'weight' are too narrow (need >= 4 bits)")

    def fmt(self, name: str) -> Fmt:
        return Fmt.parse(getattr(self, name))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Formats":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown format field(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**d)
