"""Acoustic features (kaldi-native-fbank), frame labels and CTC label sequences.

Frames: 25 ms window, 10 ms shift at 16 kHz (400 / 160 samples), Kaldi's `snip_edges`
convention: T = 1 + (N - 400) // 160 frames for N >= 400 samples, frame t covering samples
[160 t, 160 t + 400). Its label is the phone under the frame centre (sample 160 t + 200).
Dither is off so features are deterministic.

Feature vector = static features (log-mel filterbank or MFCC, optionally with log energy)
followed by delta and delta-delta (Kaldi's `add-deltas` regression, window 2, edges
replicated), so `dim = base * (1 + delta_order)`. Two presets match the reference models:
`mfcc39` (13 MFCC incl. energy + deltas, the E-RNN authors' code) and `fbank153` (50 log-mel
+ log energy + deltas, the papers' 153 inputs).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .phones import PHONE_INDEX, SIL, fold61

__all__ = [
    "SAMPLE_RATE", "FRAME_SHIFT", "FRAME_LENGTH", "NORMS", "FeatureConfig", "compute_features",
    "add_deltas", "num_frames", "fold_segments", "frame_labels", "label_sequence",
]

SAMPLE_RATE = 16000
FRAME_SHIFT = 160
FRAME_LENGTH = 400

NORMS = ("speaker", "global", "utterance", "none")
"""Feature normalizations (`FeatureConfig.norm`)."""

Segment = tuple[int, int, str]
"""(start sample, end sample, phone) with end exclusive."""


@dataclass(frozen=True)
class FeatureConfig:
    """What features to compute and how to normalize them.

    kind: "fbank" (log-mel filterbank) or "mfcc".
    num_bins: mel bins (the fbank feature size without energy; MFCC's filterbank size).
    num_ceps: MFCC coefficients (ignored for fbank).
    use_energy: append log energy (fbank) / replace c0 by log energy (mfcc).
    delta_order: 0, 1 (+delta) or 2 (+delta +delta-delta).
    norm: "speaker" (per-speaker mean/variance), "global" (train-set statistics),
      "utterance" (each utterance's own mean/variance) or "none".
    """

    kind: str = "mfcc"
    num_bins: int = 23
    num_ceps: int = 13
    use_energy: bool = True
    delta_order: int = 2
    norm: str = "speaker"

    def __post_init__(self) -> None:
        if self.kind not in ("fbank", "mfcc"):
            raise ValueError(f"feature kind must be 'fbank' or 'mfcc', not {self.kind!r}")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, not {self.norm!r}")
        if self.delta_order not in (0, 1, 2):
            raise ValueError(f"delta_order must be 0, 1 or 2, not {self.delta_order}")
        if self.kind == "mfcc" and not 1 <= self.num_ceps <= self.num_bins:
            raise ValueError(f"num_ceps ({self.num_ceps}) must be in 1..num_bins ({self.num_bins})")

    @property
    def base_dim(self) -> int:
        if self.kind == "mfcc":
            return self.num_ceps
        return self.num_bins + int(self.use_energy)

    @property
    def dim(self) -> int:
        """Feature dimension D of `Utterance.feats`."""
        return self.base_dim * (1 + self.delta_order)

    @classmethod
    def preset(cls, name: str) -> "FeatureConfig":
        """`mfcc39` or `fbank153` (see the module docstring)."""
        presets = {
            "mfcc39": cls(kind="mfcc", num_bins=23, num_ceps=13, use_energy=True, delta_order=2),
            "fbank153": cls(kind="fbank", num_bins=50, use_energy=True, delta_order=2),
            "fbank40": cls(kind="fbank", num_bins=40, use_energy=False, delta_order=0),
        }
        if name not in presets:
            raise ValueError(f"unknown feature preset {name!r}; choose from {sorted(presets)}")
        return presets[name]

    @classmethod
    def from_dim(cls, dim: int, kind: str = "fbank", delta_order: int = 2,
                 norm: str = "speaker") -> "FeatureConfig":
        """The config of `kind` whose `dim` equals `dim` (with log energy, as in the presets)."""
        if dim % (1 + delta_order):
            raise ValueError(f"dim {dim} is not a multiple of {1 + delta_order} (delta_order "
                             f"{delta_order}); pick another dim or delta order")
        base = dim // (1 + delta_order)
        if kind == "mfcc":
            return cls(kind="mfcc", num_bins=max(23, base), num_ceps=base,
                       delta_order=delta_order, norm=norm)
        if base < 2:
            raise ValueError(f"dim {dim} leaves fewer than 2 fbank features")
        return cls(kind="fbank", num_bins=base - 1, use_energy=True,
                   delta_order=delta_order, norm=norm)

    def extraction_key(self) -> str:
        """Hash of the fields that change the unnormalized features (cache key)."""
        fields = dataclasses.asdict(self)
        fields.pop("norm")
        return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]


def num_frames(n_samples: int) -> int:
    """Frames produced for `n_samples` samples (snip_edges)."""
    return 0 if n_samples < FRAME_LENGTH else 1 + (n_samples - FRAME_LENGTH) // FRAME_SHIFT


def _static_features(audio: np.ndarray, config: FeatureConfig) -> np.ndarray:
    import kaldi_native_fbank as knf

    if config.kind == "fbank":
        opts = knf.FbankOptions()
        opts.use_energy = config.use_energy
        extractor_cls = knf.OnlineFbank
    else:
        opts = knf.MfccOptions()
        opts.num_ceps = config.num_ceps
        opts.use_energy = config.use_energy
        extractor_cls = knf.OnlineMfcc
    opts.frame_opts.dither = 0.0
    opts.frame_opts.samp_freq = SAMPLE_RATE
    opts.mel_opts.num_bins = config.num_bins
    extractor = extractor_cls(opts)
    extractor.accept_waveform(SAMPLE_RATE, audio.astype(np.float32))  # int16 scale, as Kaldi
    extractor.input_finished()
    n = extractor.num_frames_ready
    if n == 0:
        return np.zeros((0, config.base_dim), np.float32)
    out = np.stack([np.asarray(extractor.get_frame(i), np.float32) for i in range(n)])
    if config.kind == "fbank" and config.use_energy:
        out = np.roll(out, -1, axis=1)  # knf puts energy first; keep it after the mel bins
    return out


def add_deltas(feats: np.ndarray, order: int) -> np.ndarray:
    """Append delta (and delta-delta) features: Kaldi's regression filter, window 2."""
    window = np.array([-2, -1, 0, 1, 2], np.float64) / 10.0
    filters = [np.array([1.0])]
    for _ in range(order):
        filters.append(np.convolve(filters[-1], window))
    parts = [feats]
    for filt in filters[1:]:
        half = len(filt) // 2
        padded = np.pad(feats.astype(np.float64), ((half, half), (0, 0)), mode="edge")
        # correlation with the (antisymmetric / symmetric) filter: out[t] = sum_j f[j] x[t+j-h]
        out = np.zeros(feats.shape, np.float64)
        for j, coeff in enumerate(filt):
            if coeff:
                out += coeff * padded[j:j + len(feats)]
        parts.append(out.astype(np.float32))
    return np.concatenate(parts, axis=1)


def compute_features(audio: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """Unnormalized features (T, config.dim) float32 of 16 kHz int16 `audio`."""
    feats = _static_features(audio, config)
    if config.delta_order:
        feats = add_deltas(feats, config.delta_order)
    return np.ascontiguousarray(feats, dtype=np.float32)


def fold_segments(segments: Sequence[Segment]) -> list[Segment]:
    """TIMIT-61 segments -> 39-class segments. `q` is deleted by giving its samples to the
    previous segment (the next one if it comes first); adjacent equal `sil` are merged."""
    out: list[list] = []
    pending_start: int | None = None
    for start, end, phone in segments:
        folded = fold61(phone)
        if folded is None:
            if out:
                out[-1][1] = end
            elif pending_start is None:
                pending_start = start
            continue
        if pending_start is not None:
            start, pending_start = pending_start, None
        if out and folded == SIL and out[-1][2] == SIL and out[-1][1] == start:
            out[-1][1] = end
        else:
            out.append([start, end, folded])
    return [(s, e, p) for s, e, p in out]


def frame_labels(segments39: Sequence[Segment], n_frames: int) -> np.ndarray:
    """Class index (into PHONES39) of the phone under each frame centre; frames past the
    last segment get `sil`."""
    centres = np.arange(n_frames) * FRAME_SHIFT + FRAME_LENGTH // 2
    starts = np.array([s for s, _, _ in segments39], np.int64)
    ends = np.array([e for _, e, _ in segments39], np.int64)
    ids = np.array([PHONE_INDEX[p] for _, _, p in segments39] + [PHONE_INDEX[SIL]], np.int64)
    pos = np.searchsorted(starts, centres, side="right") - 1
    inside = (pos >= 0) & (centres < ends[np.clip(pos, 0, None)])
    return np.where(inside, ids[np.clip(pos, 0, None)], ids[-1]).astype(np.int64)


def label_sequence(segments39: Sequence[Segment]) -> np.ndarray:
    """CTC targets: class indices of the folded phones in order, with leading and trailing
    silence removed and each run of internal silence kept as one `sil`."""
    seq = [p for _, _, p in segments39]
    while seq and seq[0] == SIL:
        seq.pop(0)
    while seq and seq[-1] == SIL:
        seq.pop()
    out: list[int] = []
    for p in seq:
        if p == SIL and out and out[-1] == PHONE_INDEX[SIL]:
            continue
        out.append(PHONE_INDEX[p])
    return np.array(out, np.int64)
