"""Corpus loading, feature caching and normalization: `load_corpus` is the entry point.

Cache (default `data/` at the repo root, or `$ERNN_DATA_DIR`, or `cache_dir=`):
- `synth-<key>.raw.npz`: audio (int16, 16 kHz) and 61-phone alignments of a synthetic corpus,
  `<key>` hashing the generator version, the espeak-ng version and the `SynthConfig`;
- `<corpus>.feats-<fkey>.npz`: unnormalized features for one feature extraction config.
Files are written to a temporary name and renamed, so an interrupted run leaves no partial
cache. Delete the files (or pass `rebuild=True`) to regenerate.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .features import (FRAME_SHIFT, SAMPLE_RATE, FeatureConfig, Segment, compute_features,
                       fold_segments, frame_labels, label_sequence)
from .phones import PHONES39, PHONES61
from .synthetic import GENERATOR_VERSION, RawUtterance, SynthConfig, espeak_version, generate

__all__ = ["Utterance", "NormStats", "Corpus", "load_corpus", "load_augmented", "load_condition",
           "default_cache_dir", "raw_hash"]

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("train", "dev", "test")
_PHONE61_INDEX = {p: i for i, p in enumerate(PHONES61)}


@dataclass
class Utterance:
    """One utterance ready for training.

    feats: (T, D) float32, normalized as the corpus' FeatureConfig.norm says.
    frame_labels: (T,) int64 indices into PHONES39 (framewise targets).
    label_seq: (L,) int64 indices into PHONES39 (CTC targets, see features.label_sequence).
    segments: TIMIT-61 alignment (start sample, end sample, phone).
    """

    utt_id: str
    speaker: str
    text: str
    feats: np.ndarray
    frame_labels: np.ndarray
    label_seq: np.ndarray
    segments: list[Segment]


@dataclass
class NormStats:
    """Mean/std of the unnormalized features: `mean`/`std` over the train split (what a
    deployed model uses with norm="global"), and per speaker over all of that speaker's
    frames (norm="speaker")."""

    mode: str
    mean: np.ndarray
    std: np.ndarray
    speaker_mean: dict[str, np.ndarray] = field(default_factory=dict)
    speaker_std: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Corpus:
    """Train/dev/test splits of `Utterance`s with their feature config and statistics."""

    name: str
    train: list[Utterance]
    dev: list[Utterance]
    test: list[Utterance]
    features: FeatureConfig
    norm: NormStats
    meta: dict
    phones: tuple[str, ...] = PHONES39

    @property
    def num_classes(self) -> int:
        return len(self.phones)

    def split(self, name: str) -> list[Utterance]:
        if name not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, not {name!r}")
        return getattr(self, name)

    def stats(self) -> dict:
        """Utterances, hours, speakers per split and phone token / frame counts per class."""
        out: dict = {"name": self.name, "feature_dim": self.features.dim, "splits": {}}
        tokens = np.zeros(len(self.phones), np.int64)
        frames = np.zeros(len(self.phones), np.int64)
        for name in SPLITS:
            utts = self.split(name)
            n_frames = sum(len(u.frame_labels) for u in utts)
            n_samples = sum(u.segments[-1][1] for u in utts if u.segments)
            out["splits"][name] = {
                "utterances": len(utts),
                "hours": n_samples / SAMPLE_RATE / 3600,
                "speakers": len({u.speaker for u in utts}),
                "frames": n_frames,
                "mean_seconds": n_samples / SAMPLE_RATE / max(1, len(utts)),
            }
            for u in utts:
                tokens += np.bincount(u.label_seq, minlength=len(self.phones))
                frames += np.bincount(u.frame_labels, minlength=len(self.phones))
        out["phone_tokens"] = dict(zip(self.phones, tokens.tolist()))
        out["phone_frames"] = dict(zip(self.phones, frames.tolist()))
        return out


def default_cache_dir() -> Path:
    """`$ERNN_DATA_DIR` if set, else `data/` at the repository root."""
    env = os.environ.get("ERNN_DATA_DIR")
    return Path(env).expanduser() if env else REPO_ROOT / "data"


def _atomic_savez(path: Path, **arrays) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _offsets(lengths) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.asarray(list(lengths), np.int64))]).astype(np.int64)


def _pack_records(utts: list[RawUtterance]) -> dict[str, np.ndarray]:
    """Everything but the audio / features, as arrays."""
    segs = [s for u in utts for s in u.segments]
    return {
        "utt_id": np.array([u.utt_id for u in utts]),
        "speaker": np.array([u.speaker for u in utts]),
        "split": np.array([u.split for u in utts]),
        "text": np.array([u.text for u in utts]),
        "seg_start": np.array([s for s, _, _ in segs], np.int64),
        "seg_end": np.array([e for _, e, _ in segs], np.int64),
        "seg_phone": np.array([_PHONE61_INDEX[p] for _, _, p in segs], np.uint8),
        "seg_off": _offsets(len(u.segments) for u in utts),
    }


def _unpack_records(z) -> list[dict]:
    # index the loaded arrays, never `z[...]` in the loop: each NpzFile access re-reads the zip
    off, starts, ends, phones = z["seg_off"], z["seg_start"], z["seg_end"], z["seg_phone"]
    utt_ids, speakers, splits, texts = z["utt_id"], z["speaker"], z["split"], z["text"]
    out = []
    for i in range(len(utt_ids)):
        a, b = off[i], off[i + 1]
        segs = [(int(s), int(e), PHONES61[p]) for s, e, p in zip(starts[a:b].tolist(),
                                                              ends[a:b].tolist(), phones[a:b].tolist())]
        out.append({"utt_id": str(utt_ids[i]), "speaker": str(speakers[i]),
                    "split": str(splits[i]), "text": str(texts[i]), "segments": segs})
    return out


def save_raw(path: Path, utts: list[RawUtterance], meta: dict) -> None:
    _atomic_savez(path, audio=np.concatenate([u.audio for u in utts]).astype(np.int16),
                  audio_off=_offsets(len(u.audio) for u in utts),
                  meta=np.array(json.dumps(meta)), **_pack_records(utts))


def load_raw(path: Path) -> tuple[list[RawUtterance], dict]:
    with np.load(path) as z:
        audio, off = z["audio"], z["audio_off"]
        recs = _unpack_records(z)
        meta = json.loads(str(z["meta"]))
    utts = [RawUtterance(audio=audio[off[i]:off[i + 1]], **r) for i, r in enumerate(recs)]
    return utts, meta


def raw_hash(utts: list[RawUtterance]) -> str:
    """SHA-256 over audio, alignments, ids and texts (the determinism fingerprint)."""
    h = hashlib.sha256()
    for u in utts:
        h.update(f"{u.utt_id}|{u.speaker}|{u.split}|{u.text}|{u.segments}".encode())
        h.update(np.ascontiguousarray(u.audio, np.int16).tobytes())
    return h.hexdigest()


def _extract(args: tuple[np.ndarray, FeatureConfig]) -> np.ndarray:
    return compute_features(*args)


def _map(fn, jobs: list, workers: int, progress: bool, desc: str, min_jobs: int,
         chunksize: int) -> list:
    """`fn` over `jobs`, in `workers` spawned processes when there are more than `min_jobs`."""
    from tqdm import tqdm

    if workers > 1 and len(jobs) > min_jobs:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            it = pool.imap(fn, jobs, chunksize=chunksize)
            return list(tqdm(it, total=len(jobs), desc=desc, unit="utt", disable=not progress))
    return [fn(j) for j in tqdm(jobs, desc=desc, unit="utt", disable=not progress)]


def _feature_arrays(utts: list[RawUtterance], config: FeatureConfig, workers: int,
                    progress: bool) -> list[np.ndarray]:
    return _map(_extract, [(u.audio, config) for u in utts], workers, progress, "features", 500, 64)


def _norm_stats(config: FeatureConfig, speakers: list[str], splits: list[str],
                feats: list[np.ndarray]) -> NormStats:
    def moments(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        if not arrays or sum(len(a) for a in arrays) == 0:
            return np.zeros(config.dim, np.float32), np.ones(config.dim, np.float32)
        stacked = np.concatenate(arrays).astype(np.float64)
        return (stacked.mean(0).astype(np.float32),
                np.maximum(stacked.std(0), 1e-5).astype(np.float32))

    mean, std = moments([f for f, s in zip(feats, splits) if s == "train"])
    stats = NormStats(config.norm, mean, std)
    for spk in sorted(set(speakers)):
        m, s = moments([f for f, sp in zip(feats, speakers) if sp == spk])
        stats.speaker_mean[spk], stats.speaker_std[spk] = m, s
    return stats


def _utterances(records: list[dict], feats: list[np.ndarray], config: FeatureConfig,
                norm: NormStats) -> list[Utterance]:
    """Normalized `Utterance`s: norm "global" with the train-split statistics, "speaker" with
    `norm`'s statistics of each record's speaker, "utterance" with its own."""
    out = []
    for rec, f in zip(records, feats):
        if config.norm == "global":
            f = (f - norm.mean) / norm.std
        elif config.norm == "speaker":
            f = (f - norm.speaker_mean[rec["speaker"]]) / norm.speaker_std[rec["speaker"]]
        elif config.norm == "utterance" and len(f):
            f = (f - f.mean(0)) / np.maximum(f.std(0), 1e-5)
        seg39 = fold_segments(rec["segments"])
        out.append(Utterance(
            rec["utt_id"], rec["speaker"], rec["text"], np.ascontiguousarray(f, np.float32),
            frame_labels(seg39, len(f)), label_sequence(seg39), rec["segments"]))
    return out


def _build_corpus(name: str, records: list[dict], feats: list[np.ndarray], config: FeatureConfig,
                  meta: dict) -> Corpus:
    speakers = [r["speaker"] for r in records]
    splits = [r["split"] for r in records]
    norm = _norm_stats(config, speakers, splits, feats)
    out: dict[str, list[Utterance]] = {s: [] for s in SPLITS}
    for rec, u in zip(records, _utterances(records, feats, config, norm)):
        out[rec["split"]].append(u)
    return Corpus(name, out["train"], out["dev"], out["test"], config, norm, meta)


def _key(obj) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:12]


def load_raw_synthetic(config: SynthConfig, cache_dir: Path, workers: int = 2,
                       progress: bool = False, rebuild: bool = False
                       ) -> tuple[list[RawUtterance], dict, Path]:
    """The synthetic corpus' audio and alignments, generated on first use and cached."""
    version = espeak_version()
    meta = {"source": "espeak-ng", "espeak_ng_version": version,
            "espeak_source": "PyPI espeakng-loader==0.2.4", "generator_version": GENERATOR_VERSION,
            "synth_config": config.key(), "sample_rate": SAMPLE_RATE}
    path = cache_dir / f"synth-{_key(meta)}.raw.npz"
    if path.exists() and not rebuild:
        utts, meta = load_raw(path)
        log.info("loaded %d synthetic utterances from %s", len(utts), path)
        return utts, meta, path
    start = time.perf_counter()
    utts = generate(config, workers=workers, progress=progress)
    meta["generation_seconds"] = round(time.perf_counter() - start, 2)
    meta["hash"] = raw_hash(utts)
    save_raw(path, utts, meta)
    log.info("generated %d utterances in %.1f s -> %s", len(utts), meta["generation_seconds"], path)
    return utts, meta, path


def _source(name: str, timit_path, seed: int, n_utts, synth, cache: Path, workers: int,
            progress: bool, rebuild: bool, timit_test: str, voices: str = "classic"):
    """(corpus id, metadata, loader of its `RawUtterance`s, state the loader fills)."""
    raw_state: dict = {}
    if name == "timit" or timit_path is not None:
        from .timit import TimitError, read_timit
        if timit_path is None:
            raise TimitError("corpus 'timit' needs the TIMIT directory: pass --timit DIR (the "
                             "directory with TRAIN/ and TEST/)")
        root = Path(timit_path).expanduser().resolve()
        # the test speakers decide the splits: another choice is another cached corpus
        corpus_id = f"timit-{_key(str(root) if timit_test == 'core' else [str(root), timit_test])}"
        meta = {"source": "timit", "path": str(root), "test_speakers": timit_test}
        loader = lambda: read_timit(root, progress=progress, test=timit_test)  # noqa: E731
    elif name in ("default", "tiny"):
        if synth is None:
            synth = SynthConfig.preset(name, seed=seed, voices=voices)
            if n_utts is not None:
                n_dev = max(1, n_utts // 10)
                synth = SynthConfig(n_train=n_utts - 2 * n_dev, n_dev=n_dev, n_test=n_dev,
                                    seed=seed, speakers_per_voice=synth.speakers_per_voice,
                                    voices=voices)

        def loader() -> list[RawUtterance]:
            utts, m, _ = load_raw_synthetic(synth, cache, workers, progress, rebuild)
            raw_state["meta"] = m
            return utts

        corpus_id = f"synth-{_key({'v': GENERATOR_VERSION, 'c': synth.key(), 'e': espeak_version()})}"
        meta = {"source": "espeak-ng", "synth_config": synth.key()}
    else:
        raise ValueError(f"unknown corpus {name!r}; use 'default', 'tiny' or 'timit'")
    return corpus_id, meta, loader, raw_state


def load_corpus(name: str = "default", *, timit_path: str | Path | None = None, seed: int = 0,
                n_utts: int | None = None, synth: SynthConfig | None = None,
                features: FeatureConfig | None = None, cache_dir: str | Path | None = None,
                workers: int = 2, progress: bool | None = None, rebuild: bool = False,
                timit_test: str = "core", voices: str = "classic") -> Corpus:
    """Load a corpus with features and labels.

    name: "default" (synthetic, ~3000 utterances), "tiny" (synthetic, 60, for tests) or
      "timit" (needs `timit_path`; `timit_test` chooses its test speakers: "core", "all" or a
      comma-separated list, `train.data.timit.pick_test_speakers`).
    seed: synthetic corpus seed. n_utts: total synthetic utterances (80/10/10 split),
      overriding the preset; voices: "classic" or "wide" (`train.data.synthetic.WIDE_VOICES`);
      `synth` gives full control instead.
    features: FeatureConfig (default: MFCC+delta+delta-delta, 39 dims, per-speaker norm).
    cache_dir: default `default_cache_dir()`. workers: processes for generation/features.
    progress: tqdm bars (default: when stderr is a terminal). rebuild: ignore caches.
    """
    features = features or FeatureConfig()
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    progress = sys.stderr.isatty() if progress is None else progress
    corpus_id, meta, loader, raw_state = _source(name, timit_path, seed, n_utts, synth, cache,
                                                 workers, progress, rebuild, timit_test, voices)
    feat_path = cache / f"{corpus_id}.feats-{features.extraction_key()}.npz"
    if feat_path.exists() and not rebuild:
        records, feats, meta = _load_feats(feat_path)
        log.info("loaded features of %d utterances from %s", len(records), feat_path)
    else:
        utts = loader()
        meta.update(raw_state.get("meta", {}))
        start = time.perf_counter()
        feats = _feature_arrays(utts, features, workers, progress)
        meta["feature_seconds"] = round(time.perf_counter() - start, 2)
        records = [_record(u) for u in utts]
        _save_feats(feat_path, utts, feats, features, meta)
    meta = {**meta, "features": asdict(features), "frame_shift_samples": FRAME_SHIFT,
            "cache_file": str(feat_path), "corpus_id": corpus_id}
    return _build_corpus(name if timit_path is None else "timit", records, feats, features, meta)


def _record(u) -> dict:
    return {"utt_id": u.utt_id, "speaker": u.speaker, "split": u.split, "text": u.text,
            "segments": u.segments}


def _load_feats(path: Path) -> tuple[list[dict], list[np.ndarray], dict]:
    with np.load(path) as z:
        records = _unpack_records(z)
        flat, off = z["feats"], z["feat_off"]
        meta = json.loads(str(z["meta"]))
    return records, [flat[off[i]:off[i + 1]] for i in range(len(records))], meta


def _save_feats(path: Path, utts: list, feats: list[np.ndarray], config: FeatureConfig,
                meta: dict) -> None:
    _atomic_savez(path, feats=np.concatenate(feats) if feats else np.zeros((0, config.dim), np.float32),
                  feat_off=_offsets(len(f) for f in feats), meta=np.array(json.dumps(meta)),
                  **_pack_records(utts))


@dataclass
class _Derived:
    """A transformed utterance's record (the fields `_pack_records` reads)."""

    utt_id: str
    speaker: str
    split: str
    text: str
    segments: list[Segment]


def _derive(job: tuple) -> tuple[np.ndarray, list[Segment], dict]:
    """Worker: transform one utterance's audio (augmentation copy or test condition), then its
    features."""
    from .augment import augment_utterance, degrade

    kind, audio, segments, arg, utt_id, copy, config = job
    if kind == "augment":
        x, segs, done = augment_utterance(audio, segments, arg, utt_id, copy)
    else:
        (x, segs), done = degrade(audio, segments, arg, utt_id), {}
    return compute_features(x.astype(np.float32), config), segs, done


def _derived_set(jobs: list[tuple], out_records: list[_Derived], config: FeatureConfig,
                 workers: int, progress: bool, desc: str) -> tuple[list[np.ndarray], list[dict]]:
    res = _map(_derive, jobs, workers, progress, desc, 200, 32)
    for rec, (_, segs, _) in zip(out_records, res):
        rec.segments = segs
    return [f for f, _, _ in res], [d for _, _, d in res]


def _derived_corpus(kind: str, arg, corpus: Corpus, split: str, tag: str, speaker_fn, copies: int,
                    cache_dir, workers: int, progress: bool | None, rebuild: bool,
                    **source) -> list[list[Utterance]]:
    """Transformed versions of `split` of `corpus` (loaded with `source`), features cached."""
    config = corpus.features
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    progress = sys.stderr.isatty() if progress is None else progress
    corpus_id = corpus.meta["corpus_id"]
    path = cache / f"{corpus_id}.{tag}.feats-{config.extraction_key()}.npz"
    if path.exists() and not rebuild:
        records, feats, _ = _load_feats(path)
        log.info("loaded %s features of %d utterances from %s", tag, len(records), path)
    else:
        _, _, loader, _ = _source(cache=cache, workers=workers, progress=progress,
                                  rebuild=False, **source)
        raw = [u for u in loader() if u.split == split]
        jobs, recs = [], []
        for c in range(copies):
            for u in raw:
                jobs.append((kind, u.audio, u.segments, arg, u.utt_id, c, config))
                recs.append(_Derived(u.utt_id, speaker_fn(u.speaker, c), split, u.text, []))
        start = time.perf_counter()
        feats, done = _derived_set(jobs, recs, config, workers, progress, tag)
        meta = {"corpus_id": corpus_id, "what": tag, "seconds": round(time.perf_counter() - start, 2),
                "applied": done}
        log.info("%s: features of %d utterances in %.1f s -> %s", tag, len(recs),
                 meta["seconds"], path)
        _save_feats(path, recs, feats, config, meta)
        records = [_record(r) for r in recs]
    norm = _norm_stats(config, [r["speaker"] for r in records], [split] * len(records), feats)
    if config.norm == "global":
        norm = corpus.norm            # the training statistics, as a deployed model has them
    utts = _utterances(records, feats, config, norm)
    n = len(utts) // max(copies, 1)
    return [utts[c * n:(c + 1) * n] for c in range(copies)]


def load_augmented(corpus: Corpus, augment, *, cache_dir=None, workers: int = 2,
                   progress: bool | None = None, rebuild: bool = False, **source
                   ) -> list[list[Utterance]]:
    """`augment.copies` augmented versions of `corpus.train` (`train.data.augment`):
    `out[c][i]` is copy c of training utterance i. Cached per augmentation config; each copy of
    a speaker is normalized as a speaker of its own (norm "speaker"). `source`: the
    `load_corpus` arguments that gave `corpus` (name, timit_path, seed, n_utts, synth,
    timit_test)."""
    tag = f"aug-{_key(augment.key())}"
    return _derived_corpus("augment", augment, corpus, "train", tag,
                           lambda spk, c: f"{spk}+a{c}", augment.copies, cache_dir, workers,
                           progress, rebuild, **_source_args(source))


def load_condition(corpus: Corpus, condition: str, *, split: str = "test", cache_dir=None,
                   workers: int = 2, progress: bool | None = None, rebuild: bool = False,
                   **source) -> list[Utterance]:
    """`split` of `corpus` under a robustness condition (`train.data.augment.CONDITIONS`),
    normalized with statistics of the degraded audio (norm "speaker": per speaker; "global":
    the training statistics)."""
    from .augment import AUGMENT_VERSION, CONDITIONS

    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
    if condition == "clean":
        return corpus.split(split)
    tag = f"{split}-{condition}-v{AUGMENT_VERSION}"
    return _derived_corpus("condition", condition, corpus, split, tag, lambda spk, c: spk, 1,
                           cache_dir, workers, progress, rebuild, **_source_args(source))[0]


def _source_args(source: dict) -> dict:
    out = {"name": "default", "timit_path": None, "seed": 0, "n_utts": None, "synth": None,
           "timit_test": "core", "voices": "classic"}
    unknown = set(source) - set(out)
    if unknown:
        raise TypeError(f"unknown corpus argument(s) {sorted(unknown)}")
    return out | source
