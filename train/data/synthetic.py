"""The embedded default corpus: sentences from `sentences.py` spoken by espeak-ng voices,
with phone alignments taken from espeak-ng's phoneme events.

Speakers: each of the 12 en-us voice variants (+m1..+m7, +f1..+f5) gives `speakers_per_voice`
speakers, each with its own rate (130-230 wpm), pitch and pitch range drawn from the seed
(`voices="wide"` adds 50 more variants as training speakers, `WIDE_VOICES`);
every utterance jitters the rate by up to +-8 wpm. Splits are by voice variant, so dev and
test speakers are never heard in training (`DEV_VOICES`, `TEST_VOICES`), and by sentence:
the three splits draw distinct sentences from one sampler.

Audio is synthesized at espeak-ng's native 22.05 kHz and resampled to 16 kHz
(polyphase, 320/441); event sample positions are scaled the same way.
"""
from __future__ import annotations

import logging
import multiprocessing
import random
import zlib
from dataclasses import asdict, dataclass

import numpy as np

from .features import SAMPLE_RATE, Segment
from .phones import ESPEAK_MERGE_PREVIOUS, SPLIT_FRACTION, espeak_to_timit, strip_stress
from .sentences import SentenceSampler

__all__ = [
    "SynthConfig", "RawUtterance", "VOICES", "DEV_VOICES", "TEST_VOICES", "WIDE_VOICES",
    "GENERATOR_VERSION",
    "events_to_segments", "generate", "espeak_version",
]

log = logging.getLogger(__name__)

GENERATOR_VERSION = 1
"""Bump when anything changes the generated audio or alignments (invalidates caches)."""

CHUNK = 250
"""Utterances spoken per fresh process (part of the corpus definition: see `generate`)."""

VOICES = tuple([f"m{i}" for i in range(1, 8)] + [f"f{i}" for i in range(1, 6)])
DEV_VOICES = ("m6", "f4")
TEST_VOICES = ("m7", "f5")
WIDE_VOICES = (
    "m8", "klatt", "klatt2", "klatt3", "klatt5", "klatt6", "Alex", "Alicia", "Andrea", "Andy",
    "Annie", "Denis", "Gene", "Hugo", "Jacky", "Lee", "Michael", "Mike", "Reed", "Storm",
    "Tweaky", "adam", "anika", "announcer", "aunty", "belinda", "benjamin", "boris", "caleb",
    "croak", "david", "ed", "edward", "grandma", "grandpa", "ian", "iven", "john", "linda", "max",
    "norbert", "paul", "quincy", "rob", "robert", "shelby", "steph", "travis", "victor", "zac")
"""Extra espeak-ng voice variants of `voices="wide"`, training speakers only (each one speaker
with a rate of 110-260 wpm, pitch 5-95 and pitch range 5-100): other formant settings, voicing
and breathiness, and the Klatt synthesizer (klatt*). The dev and test speakers stay those of
`VOICES`, so the clean test split is the same with either voice set."""


@dataclass(frozen=True)
class SynthConfig:
    """Size and seed of the synthetic corpus (utterance counts per split)."""

    n_train: int = 2400
    n_dev: int = 300
    n_test: int = 300
    seed: int = 0
    speakers_per_voice: int = 3
    voices: str = "classic"   # "classic": the 12 variants of VOICES; "wide": + WIDE_VOICES

    def __post_init__(self) -> None:
        if self.voices not in ("classic", "wide"):
            raise ValueError(f"voices must be 'classic' or 'wide', not {self.voices!r}")

    def key(self) -> dict:
        """The fields that define the corpus (cache key): `voices` only when not "classic",
        so corpora cached before it existed keep their key."""
        d = asdict(self)
        if d["voices"] == "classic":
            d.pop("voices")
        return d

    @classmethod
    def preset(cls, name: str, seed: int = 0, voices: str = "classic") -> "SynthConfig":
        """`default` (3000 utterances, ~2 h) or `tiny` (60 utterances, for CI)."""
        if name == "default":
            return cls(seed=seed, voices=voices)
        if name == "tiny":
            return cls(n_train=40, n_dev=10, n_test=10, seed=seed, speakers_per_voice=1,
                       voices=voices)
        raise ValueError(f"unknown synthetic corpus preset {name!r}; use 'default' or 'tiny'")


@dataclass
class RawUtterance:
    """Audio and 61-phone alignment of one utterance, before feature extraction."""

    utt_id: str
    speaker: str
    split: str  # "train" | "dev" | "test"
    text: str
    audio: np.ndarray  # int16, 16 kHz
    segments: list[Segment]  # TIMIT-61 phones, contiguous, covering the audio


@dataclass(frozen=True)
class _Job:
    utt_id: str
    speaker: str
    split: str
    text: str
    voice: str
    rate: int
    pitch: int
    pitch_range: int


def espeak_version() -> str:
    from .espeak import get_espeak

    return get_espeak().version


def events_to_segments(events: list[tuple[str, int]], n_samples: int) -> list[Segment]:
    """espeak phoneme events (mnemonic, start sample) -> contiguous TIMIT-61 segments over
    [0, n_samples): silence before the first event and pauses at the edges become `h#`,
    internal pauses `pau`; see phones.py for the mnemonic table."""
    segs: list[list] = []
    if not events or events[0][1] > 0:
        segs.append([0, min(events[0][1], n_samples) if events else n_samples, "h#"])
    for i, (mnemonic, start) in enumerate(events):
        end = events[i + 1][1] if i + 1 < len(events) else n_samples
        start, end = min(start, n_samples), min(end, n_samples)
        if end <= start:
            continue
        if strip_stress(mnemonic) in ESPEAK_MERGE_PREVIOUS and segs:
            segs[-1][1] = end
            continue
        phones = espeak_to_timit(mnemonic)
        if len(phones) == 2:
            cut = start + max(1, int(round(SPLIT_FRACTION * (end - start))))
            cut = min(cut, end - 1) if end - start > 1 else end
            segs.append([start, cut, phones[0]])
            if cut < end:
                segs.append([cut, end, phones[1]])
        else:
            segs.append([start, end, phones[0]])
    # pauses at the edges are h#; merge runs of silence
    for k in range(len(segs)):
        if segs[k][2] != "pau":
            break
        segs[k][2] = "h#"
    for k in range(len(segs) - 1, -1, -1):
        if segs[k][2] not in ("pau", "h#"):
            break
        segs[k][2] = "h#"
    merged: list[list] = []
    for seg in segs:
        if merged and seg[2] in ("pau", "h#") and merged[-1][2] == seg[2]:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    return [(int(s), int(e), p) for s, e, p in merged]


def _synthesize(job: _Job) -> RawUtterance:
    from scipy.signal import resample_poly

    from .espeak import get_espeak

    seed = zlib.crc32(job.utt_id.encode())
    res = get_espeak().synth(job.text, f"en-us+{job.voice}", job.rate, job.pitch,
                             job.pitch_range, seed=seed)
    up, down = SAMPLE_RATE, res.sample_rate
    audio = resample_poly(res.audio.astype(np.float32), up, down)
    audio = np.clip(np.round(audio), -32768, 32767).astype(np.int16)
    events = [(m, int(round(s * up / down))) for m, s in res.events]
    return RawUtterance(job.utt_id, job.speaker, job.split, job.text, audio,
                        events_to_segments(events, len(audio)))


def _plan(config: SynthConfig) -> list[_Job]:
    rng = random.Random(f"speakers-{config.seed}")
    speakers: dict[str, list[tuple[str, str, int, int, int]]] = {"train": [], "dev": [], "test": []}
    for voice in VOICES:
        split = "test" if voice in TEST_VOICES else "dev" if voice in DEV_VOICES else "train"
        for k in range(config.speakers_per_voice):
            speakers[split].append((f"{voice}s{k}", voice, rng.randint(130, 230),
                                    rng.randint(25, 75), rng.randint(20, 90)))
    if config.voices == "wide":
        wide = random.Random(f"wide-speakers-{config.seed}")
        for voice in WIDE_VOICES:
            speakers["train"].append((f"{voice}s0", voice, wide.randint(110, 260),
                                      wide.randint(5, 95), wide.randint(5, 100)))
    sampler = SentenceSampler(config.seed)
    jobs: list[_Job] = []
    for split, count in (("train", config.n_train), ("dev", config.n_dev), ("test", config.n_test)):
        split_rng = random.Random(f"{split}-{config.seed}")
        for i, text in enumerate(sampler.take(count)):
            name, voice, rate, pitch, pitch_range = speakers[split][i % len(speakers[split])]
            jobs.append(_Job(f"{split}_{name}_{i:05d}", name, split, text, voice,
                             rate + split_rng.randint(-8, 8), pitch, pitch_range))
    return jobs


def _synthesize_chunk(jobs: list[_Job]) -> list[RawUtterance]:
    return [_synthesize(job) for job in jobs]


def generate(config: SynthConfig, workers: int = 1, progress: bool = False) -> list[RawUtterance]:
    """Synthesize the corpus (deterministic in `config`, independent of `workers`).

    libespeak-ng keeps state from one utterance to the next that neither the random seed nor
    re-initialization resets, so the output of an utterance depends on what the process spoke
    before. Each chunk of `CHUNK` utterances is therefore spoken by a freshly spawned process
    (never in the caller's process), which makes the corpus a function of `config` alone.
    """
    jobs = _plan(config)
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    workers = max(1, min(workers, len(chunks)))
    log.info("synthesizing %d utterances with espeak-ng (%d worker%s)",
             len(jobs), workers, "" if workers == 1 else "s")
    from tqdm import tqdm

    out: list[RawUtterance] = []
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, maxtasksperchild=1) as pool, \
            tqdm(total=len(jobs), desc="synthesizing", unit="utt", disable=not progress) as bar:
        for chunk in pool.imap(_synthesize_chunk, chunks):
            out.extend(chunk)
            bar.update(len(chunk))
    return out
