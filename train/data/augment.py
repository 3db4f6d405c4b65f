"""Data augmentation and the robustness test conditions (docs/data.md, "Augmentation").

Audio-level transforms work on 16 kHz float audio at int16 scale, each seeded:
- `speed`: speed perturbation (tempo and pitch together, as a tape played faster), by
  polyphase resampling with the factors of `SPEEDS`; segment boundaries are rescaled;
- `noise`: additive noise at a given SNR, from synthesized noise types (`NOISES`: white,
  pink, brown, mains hum with harmonics, and "babble", speech-shaped noise under a
  syllable-rate envelope);
- `reverb`: convolution with a generated room impulse response (a direct path, a few early
  reflections and an exponentially decaying noise tail of a given RT60), output cut to the
  input's length so alignments hold;
- `gain`: a random level change; `tilt`: a first-order spectral tilt y[n] = x[n] - a x[n-1].

A training corpus gets `copies` augmented versions of every training utterance
(`augment_utterance`), computed once with their features and cached
(`train.data.corpus.load_augmented`); every epoch the trainer picks, per utterance, the clean
version or one of the copies (`pick_views`). `specaugment` masks bands of feature
coordinates and runs of frames of a normalized batch (SpecAugment's frequency and time
masks), and `freq_warp` stretches or squeezes the filterbank axis by up to 10 % (as vocal
tract length perturbation does), both drawn anew every step.

The robustness test sets (`CONDITIONS`) apply one fixed degradation to every utterance of
the test split, with their own seeds (`degrade`).
"""
from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass

import numpy as np

from .features import SAMPLE_RATE, Segment

__all__ = ["AUGMENTS", "AugmentConfig", "CONDITIONS", "FEATURE_AUGMENTS", "NOISES", "SPEEDS",
           "add_noise", "augment_utterance", "degrade", "freq_warp", "make_noise", "pick_views",
           "reverberate", "room_impulse", "specaugment", "speed_perturb", "tilt"]

AUGMENTS = ("speed", "noise", "reverb", "gain", "tilt", "specaugment", "warp")
"""The switchable transforms (`--augment` takes a comma-separated subset, `all` or `none`)."""
FEATURE_AUGMENTS = ("specaugment", "warp")
"""The transforms applied to the normalized features of every batch (the others: to audio)."""

NOISES = ("white", "pink", "brown", "hum", "babble")
SPEEDS = (0.9, 0.95, 1.0, 1.05, 1.1)
CONDITIONS = ("clean", "noise20", "noise10", "noise5", "reverb", "speed0.9", "speed1.1")
"""The robustness test sets: the test split clean, with noise at 20/10/5 dB SNR (a noise type
per utterance), reverberated (RT60 0.3-0.7 s), and 0.9x / 1.1x speed."""
AUGMENT_VERSION = 1
"""Bump when a transform changes (invalidates cached augmented features)."""


@dataclass(frozen=True)
class AugmentConfig:
    """Which transforms are on and their ranges. `copies` augmented versions of each training
    utterance are cached; an epoch uses the clean one with probability `clean_prob`."""

    kinds: tuple[str, ...] = ()
    copies: int = 2
    clean_prob: float = 0.5
    snr_db: tuple[float, float] = (0.0, 25.0)
    noise_prob: float = 0.7
    rt60: tuple[float, float] = (0.15, 0.8)
    reverb_prob: float = 0.35
    gain_db: float = 10.0
    tilt: tuple[float, float] = (-0.6, 0.9)
    freq_masks: int = 2
    freq_width: int = 8
    time_masks: int = 2
    time_width: int = 12
    warp: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(AUGMENTS)
        if unknown:
            raise ValueError(f"unknown augmentation(s) {sorted(unknown)}; choose from "
                             f"{', '.join(AUGMENTS)}, 'all' or 'none'")
        if self.copies < 0 or not 0 <= self.clean_prob <= 1:
            raise ValueError(f"augment copies must be >= 0 and clean_prob in 0..1, got "
                             f"{self.copies} and {self.clean_prob}")

    @classmethod
    def parse(cls, spec: str, copies: int = 2, seed: int = 0) -> "AugmentConfig":
        """`spec`: 'none' / '' (off), 'all', or a comma-separated list of `AUGMENTS`."""
        spec = spec.strip()
        if spec in ("", "none"):
            kinds: tuple[str, ...] = ()
        elif spec == "all":
            kinds = AUGMENTS
        else:
            kinds = tuple(k.strip() for k in spec.split(",") if k.strip())
        if set(kinds) <= set(AUGMENTS):
            kinds = tuple(k for k in AUGMENTS if k in kinds)     # canonical order
        return cls(kinds=kinds, copies=copies, seed=seed)

    @property
    def audio_kinds(self) -> tuple[str, ...]:
        return tuple(k for k in self.kinds if k not in FEATURE_AUGMENTS)

    @property
    def spec(self) -> str:
        """The canonical `--augment` value: the kinds in `AUGMENTS` order, "" for none."""
        return ",".join(self.kinds)

    @property
    def uses_copies(self) -> bool:
        return bool(self.audio_kinds) and self.copies > 0

    def key(self) -> dict:
        """What decides the cached augmented audio (not the per-epoch choices)."""
        d = asdict(self)
        for name in ("clean_prob", "freq_masks", "freq_width", "time_masks", "time_width", "warp"):
            d.pop(name)
        d["kinds"] = list(self.audio_kinds)
        d["version"] = AUGMENT_VERSION
        return d


def _utt_seed(*parts) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def speed_perturb(audio: np.ndarray, segments: list[Segment], factor: float
                  ) -> tuple[np.ndarray, list[Segment]]:
    """Play `audio` `factor` times faster (length / factor), segments rescaled."""
    from fractions import Fraction

    from scipy.signal import resample_poly

    if factor == 1.0:
        return audio, list(segments)
    fr = Fraction(factor).limit_denominator(100)
    up, down = fr.denominator, fr.numerator
    out = resample_poly(np.asarray(audio, np.float64), up, down)
    n = len(out)
    segs = []
    for s, e, p in segments:
        s2, e2 = min(n, int(round(s * up / down))), min(n, int(round(e * up / down)))
        if e2 > s2:
            segs.append((s2, e2, p))
    if segs and segments and segments[-1][1] >= len(audio):
        segs[-1] = (segs[-1][0], n, segs[-1][2])      # segments that covered the audio still do
    return out, segs


def make_noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` samples of unit-power noise of type `kind` (one of `NOISES`)."""
    if kind == "hum":
        t = np.arange(n) / SAMPLE_RATE
        f0 = rng.choice([50.0, 60.0]) * rng.uniform(0.98, 1.02)
        x = sum(rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 2 * np.pi))
                for h in range(1, 8))
        x = x + 0.05 * rng.standard_normal(n)
    else:
        spec = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
        f[0] = f[1] if n > 1 else 1.0
        if kind == "white":
            shape = np.ones_like(f)
        elif kind == "pink":
            shape = 1 / np.sqrt(f)
        elif kind == "brown":
            shape = 1 / f
        elif kind == "babble":
            # speech-like long-term spectrum: a broad peak around 500 Hz, falling above
            shape = (f / 500.0) / (1 + (f / 500.0) ** 2)
        else:
            raise ValueError(f"unknown noise {kind!r}; choose from {', '.join(NOISES)}")
        x = np.fft.irfft(spec * shape, n)
        if kind == "babble":   # several talkers' syllable-rate (3-6 Hz) level fluctuations
            t = np.arange(n) / SAMPLE_RATE
            env = sum(1 + np.sin(2 * np.pi * rng.uniform(3, 6) * t + rng.uniform(0, 2 * np.pi))
                      for _ in range(4))
            x = x * env
    p = np.mean(x ** 2)
    return x / np.sqrt(p) if p > 0 else x


def add_noise(audio: np.ndarray, snr_db: float, kind: str, rng: np.random.Generator) -> np.ndarray:
    """`audio` plus noise of `kind` at `snr_db` dB below the utterance's mean power."""
    power = float(np.mean(np.asarray(audio, np.float64) ** 2))
    noise = make_noise(kind, len(audio), rng)
    return audio + noise * np.sqrt(power / 10 ** (snr_db / 10))


def room_impulse(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """A synthetic room impulse response: direct path, 3-6 early reflections within 20 ms and
    a noise tail decaying by 60 dB in `rt60` seconds."""
    n = max(2, int(rt60 * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    h = rng.standard_normal(n) * np.exp(-6.9078 * t / rt60) * 0.3
    h[:int(0.002 * SAMPLE_RATE)] = 0.0                      # the tail starts after 2 ms
    for _ in range(int(rng.integers(3, 7))):
        h[int(rng.uniform(0.002, 0.02) * SAMPLE_RATE)] += rng.uniform(-0.6, 0.6)
    h[0] = 1.0
    return h


def reverberate(audio: np.ndarray, rt60: float, rng: np.random.Generator) -> np.ndarray:
    """`audio` in a room of `rt60` seconds, cut to its own length, at the same mean power."""
    from scipy.signal import fftconvolve

    x = np.asarray(audio, np.float64)
    y = fftconvolve(x, room_impulse(rt60, rng))[:len(x)]
    px, py = np.mean(x ** 2), np.mean(y ** 2)
    return y * np.sqrt(px / py) if py > 0 else y


def tilt(audio: np.ndarray, a: float) -> np.ndarray:
    """y[n] = x[n] - a x[n-1] (a > 0: brighter, a < 0: duller), at the same mean power."""
    x = np.asarray(audio, np.float64)
    y = x.copy()
    y[1:] -= a * x[:-1]
    px, py = np.mean(x ** 2), np.mean(y ** 2)
    return y * np.sqrt(px / py) if py > 0 else y


def augment_utterance(audio: np.ndarray, segments: list[Segment], cfg: AugmentConfig,
                      utt_id: str, copy: int) -> tuple[np.ndarray, list[Segment], dict]:
    """Copy `copy` of one training utterance: each transform of `cfg.audio_kinds` applied with
    its probability and parameters drawn from (cfg.seed, utt_id, copy); returns the audio, its
    segments and what was applied."""
    rng = np.random.default_rng(_utt_seed("augment", cfg.seed, utt_id, copy))
    x = np.asarray(audio, np.float64)
    segs = list(segments)
    done: dict = {}
    kinds = cfg.audio_kinds
    if "speed" in kinds:
        factor = float(rng.choice(SPEEDS))
        x, segs = speed_perturb(x, segs, factor)
        done["speed"] = factor
    if "reverb" in kinds and rng.random() < cfg.reverb_prob:
        done["rt60"] = round(float(rng.uniform(*cfg.rt60)), 3)
        x = reverberate(x, done["rt60"], rng)
    if "tilt" in kinds:
        done["tilt"] = round(float(rng.uniform(*cfg.tilt)), 3)
        x = tilt(x, done["tilt"])
    if "noise" in kinds and rng.random() < cfg.noise_prob:
        done["noise"] = str(rng.choice(NOISES))
        done["snr_db"] = round(float(rng.uniform(*cfg.snr_db)), 2)
        x = add_noise(x, done["snr_db"], done["noise"], rng)
    if "gain" in kinds:
        done["gain_db"] = round(float(rng.uniform(-cfg.gain_db, cfg.gain_db)), 2)
        x = x * 10 ** (done["gain_db"] / 20)
    return x, segs, done


def degrade(audio: np.ndarray, segments: list[Segment], condition: str, utt_id: str
            ) -> tuple[np.ndarray, list[Segment]]:
    """The test-set degradation `condition` (one of `CONDITIONS`) of one utterance."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
    rng = np.random.default_rng(_utt_seed("condition", condition, utt_id))
    x = np.asarray(audio, np.float64)
    if condition == "clean":
        return x, list(segments)
    if condition.startswith("noise"):
        return add_noise(x, float(condition[5:]), str(rng.choice(NOISES)), rng), list(segments)
    if condition == "reverb":
        return reverberate(x, float(rng.uniform(0.3, 0.7)), rng), list(segments)
    return speed_perturb(x, segments, float(condition[5:]))        # speed0.9, speed1.1


def pick_views(n: int, copies: int, clean_prob: float, seed: int, epoch: int) -> np.ndarray:
    """Per training utterance, the version an epoch trains on: -1 the clean one, else the
    index of an augmented copy; a pure function of (seed, epoch), so resumes are exact."""
    rng = np.random.default_rng([seed, epoch, 0xA06])
    choice = rng.integers(0, max(copies, 1), size=n)
    return np.where(rng.random(n) < clean_prob, -1, choice) if copies else np.full(n, -1)


def specaugment(feats: np.ndarray, lengths: np.ndarray, cfg: AugmentConfig,
                rng: np.random.Generator) -> np.ndarray:
    """Zero (the normalized mean) `freq_masks` bands of up to `freq_width` feature coordinates
    and `time_masks` runs of up to `time_width` frames (at most a tenth of each utterance) in
    a (T, B, D) batch, independently per utterance; returns a new array."""
    out = feats.copy()
    T, B, D = out.shape
    for b in range(B):
        L = int(lengths[b])
        for _ in range(cfg.freq_masks):
            w = int(rng.integers(0, min(cfg.freq_width, D) + 1))
            f0 = int(rng.integers(0, D - w + 1))
            out[:L, b, f0:f0 + w] = 0.0
        for _ in range(cfg.time_masks):
            w = int(rng.integers(0, min(cfg.time_width, L // 10) + 1))
            t0 = int(rng.integers(0, max(L - w, 0) + 1))
            out[t0:t0 + w, b] = 0.0
    return out


def freq_warp(feats: np.ndarray, lengths: np.ndarray, cfg: AugmentConfig, block: int,
              rng: np.random.Generator) -> np.ndarray:
    """Vocal-tract-length-style warping of the filterbank axis of a (T, B, D) batch: per
    utterance, coordinate i of every `block`-wide group (static features, deltas) takes the
    value at i * alpha (linear interpolation, edges held), alpha uniform in 1 -+ `cfg.warp`;
    returns a new array. For log-mel features only (`block`: the static dimension)."""
    T, B, D = feats.shape
    if D % block:
        raise ValueError(f"feature dimension {D} is not a multiple of the warp block {block}")
    out = feats.copy()
    grid = np.arange(block, dtype=np.float64)
    for b in range(B):
        alpha = rng.uniform(1 - cfg.warp, 1 + cfg.warp)
        src = np.clip(grid * alpha, 0, block - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, block - 1)
        frac = (src - lo).astype(feats.dtype)
        L = int(lengths[b])
        for g in range(0, D, block):
            x = feats[:L, b, g:g + block]
            out[:L, b, g:g + block] = x[:, lo] * (1 - frac) + x[:, hi] * frac
    return out
