"""TIMIT reader (for users who own the corpus) and a writer of TIMIT-layout trees (for tests).

Layout read: `<root>/TRAIN/DR*/<SPEAKER>/<SENTENCE>.WAV` (NIST SPHERE or RIFF, 16 kHz,
read with soundfile) with `.PHN` alignments (`start end phone`, samples, 61 symbols) and,
optionally, `.TXT`. Directory and file names are matched case-insensitively and `<root>` may
also be a directory that holds the tree one level down (e.g. `TIMIT/` or `data/`).

Splits (the usual ones): train = every TRAIN speaker (462 in full TIMIT), SA sentences
dropped, 3696 utterances; test = the 24-speaker core test set (`CORE_TEST_SPEAKERS`, 192
utterances); dev = the 50-speaker development set from the rest of TEST (`DEV_SPEAKERS`,
400 utterances, the list used by Kaldi's TIMIT recipe).  `test="all"` takes every TEST speaker
outside the development set (118 in TIMIT), a comma-separated list names the test speakers:
for TIMIT-layout corpora that are not TIMIT.  A converted copy `X.WAV.wav` beside (or instead
of) a SPHERE `X.WAV` is the same utterance, read once.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .features import SAMPLE_RATE, Segment
from .phones import PHONES61
from .synthetic import RawUtterance

__all__ = ["CORE_TEST_SPEAKERS", "DEV_SPEAKERS", "TimitError", "pick_test_speakers", "read_timit",
           "write_sphere", "write_timit_tree"]

log = logging.getLogger(__name__)

CORE_TEST_SPEAKERS = frozenset("""
mdab0 mwbt0 felc0 mtas1 mwew0 fpas0 mjmp0 mlnt0 fpkt0 mlll0 mtls0 fjlm0
mbpm0 mklt0 fnlp0 mcmj0 mjdh0 fmgd0 mgrt0 mnjm0 fdhc0 mjln0 mpam0 fmld0""".split())

DEV_SPEAKERS = frozenset("""
faks0 fdac1 fjem0 mgwt0 mjar0 mmdb1 mmdm2 mpdf0 fcmh0 fkms0 mbdg0 mbwm0 mcsh0 fadg0 fdms0
fedw0 mgjf0 mglb0 mrtk0 mtaa0 mtdt0 mthc0 mwjg0 fnmr0 frew0 fsem0 mbns0 mmjr0 mdls0 mdlf0
mdvc0 mers0 fmah0 fdrw0 mrcs0 mrjm4 fcal1 mmwh0 fjsj0 majc0 mjsw0 mreb0 fgjd0 fjmg0 mroa0
mteb0 mjfc0 mrjr0 fmml0 mrws1""".split())

_FULL_COUNTS = {"train": 462, "dev": 50, "test": 24}


class TimitError(RuntimeError):
    """The TIMIT directory is missing, incomplete or malformed."""


def _child(directory: Path, name: str) -> Path | None:
    for entry in directory.iterdir():
        if entry.is_dir() and entry.name.lower() == name.lower():
            return entry
    return None


def _find_root(path: Path) -> tuple[Path, Path]:
    if not path.exists():
        raise TimitError(f"TIMIT path {str(path)!r} does not exist; pass --timit DIR with the "
                         "directory that holds TRAIN/ and TEST/")
    if not path.is_dir():
        raise TimitError(f"TIMIT path {str(path)!r} is not a directory")
    candidates = [path] + sorted(p for p in path.iterdir() if p.is_dir())
    for cand in candidates:
        train, test = _child(cand, "TRAIN"), _child(cand, "TEST")
        if train and test:
            return train, test
    raise TimitError(f"no TRAIN/ and TEST/ directories in {str(path)!r} (nor one level down); "
                     "pass the root of the TIMIT distribution")


def _read_phn(path: Path) -> list[Segment]:
    segs: list[Segment] = []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise TimitError(f"{path}:{lineno}: expected 'start end phone', got {line!r}")
        phone = parts[2].lower()
        if phone not in PHONES61:
            raise TimitError(f"{path}:{lineno}: {phone!r} is not a TIMIT phone symbol")
        segs.append((int(parts[0]), int(parts[1]), phone))
    if not segs:
        raise TimitError(f"{path} holds no phone segments")
    return segs


def _utterance_stem(name: str) -> str | None:
    """The utterance of an audio file name: 'SI1.WAV' -> 'si1', and a converted copy beside it,
    'SI1.WAV.wav' (RIFF made from the SPHERE file by sph2pipe or sox) -> 'si1' too."""
    low = name.lower()
    return low.split(".", 1)[0] if low.endswith(".wav") else None


def _read_split_dir(split_dir: Path, keep) -> list[tuple[str, str, Path, Path | None, Path | None]]:
    """(speaker, sentence, audio, .PHN or None, .TXT or None) of the non-SA sentences of the
    speakers accepted by `keep`.  One entry per utterance: where both the original `X.WAV` and a
    converted `X.WAV.wav` exist, the original is read."""
    found = []
    for dialect in sorted(p for p in split_dir.iterdir() if p.is_dir()):
        for spk_dir in sorted(p for p in dialect.iterdir() if p.is_dir()):
            speaker = spk_dir.name.lower()
            if not keep(speaker):
                continue
            files = {f.name.lower(): f for f in spk_dir.iterdir() if f.is_file()}
            audio: dict[str, Path] = {}
            for low, f in sorted(files.items()):
                stem = _utterance_stem(low)
                if stem is None or stem.startswith("sa"):
                    continue
                if stem not in audio or low.count(".") < audio[stem].name.count("."):
                    audio[stem] = f             # the fewest suffixes: the original file
            for stem, wav in sorted(audio.items()):
                found.append((speaker, stem, wav, files.get(stem + ".phn"), files.get(stem + ".txt")))
    return found


def pick_test_speakers(test: str, present: set[str]) -> set[str]:
    """The test speakers of ``--timit-test``: 'core' (the 24-speaker core test set), 'all'
    (every TEST speaker outside the development set), or a comma-separated list of speaker ids
    (directory names under TEST/DR*/, any case)."""
    if test == "core":
        return set(CORE_TEST_SPEAKERS)
    if test == "all":
        return present - DEV_SPEAKERS
    wanted = {w.strip().lower() for w in test.split(",") if w.strip()}
    if not wanted:
        raise TimitError(f"--timit-test {test!r}: give 'core', 'all' or speaker ids, e.g. "
                         "mdab0,fdhc0")
    unknown = sorted(wanted - present)
    if unknown:
        raise TimitError(f"--timit-test: speaker(s) {', '.join(unknown)} not under TEST/ "
                         f"({len(present)} speakers there)")
    return wanted


def read_timit(path: str | Path, progress: bool = False, test: str = "core") -> list[RawUtterance]:
    """Read TIMIT's train, dev and test sets (see the module docstring; ``test`` chooses the
    test speakers, ``pick_test_speakers``)."""
    import soundfile
    from tqdm import tqdm

    train_dir, test_dir = _find_root(Path(path).expanduser())
    present = {spk.name.lower() for d in test_dir.iterdir() if d.is_dir()
               for spk in d.iterdir() if spk.is_dir()}
    tests = pick_test_speakers(test, present)
    listing = [("train", *item) for item in _read_split_dir(train_dir, lambda s: True)]
    listing += [("test", *item) for item in _read_split_dir(test_dir, tests.__contains__)]
    listing += [("dev", *item) for item in _read_split_dir(
        test_dir, lambda s: s in DEV_SPEAKERS and s not in tests)]
    for split in ("train", "test"):
        if not any(item[0] == split for item in listing):
            if split == "train":
                raise TimitError(f"no .WAV files of any speaker under {train_dir}")
            which = {"core": "any core test speaker", "all": "any test speaker"}.get(
                test, "the --timit-test speakers")
            hint = (" (a TIMIT-layout corpus with other speakers? --timit-test all takes every "
                    "TEST speaker, or name them)" if test == "core" else "")
            raise TimitError(f"no .WAV files of {which} under {test_dir}{hint}")
    missing = [wav for _, _, _, wav, phn, _ in listing if phn is None]
    if missing:
        raise TimitError(f"{len(missing)} .WAV files have no .PHN alignment, e.g. {missing[0]}; "
                         "the TIMIT copy is incomplete")
    out: list[RawUtterance] = []
    for split, speaker, sentence, wav, phn, txt in tqdm(listing, desc="reading TIMIT", unit="utt",
                                                        disable=not progress):
        try:
            audio, rate = soundfile.read(str(wav), dtype="int16")
        except RuntimeError as exc:  # soundfile raises LibsndfileError (a RuntimeError)
            raise TimitError(f"cannot read {wav}: {exc}") from exc
        if rate != SAMPLE_RATE or audio.ndim != 1:
            raise TimitError(f"{wav}: expected 16 kHz mono, got {rate} Hz, shape {audio.shape}")
        text = " ".join(txt.read_text().split()[2:]) if txt else ""
        out.append(RawUtterance(f"{speaker}_{sentence}", speaker, split, text,
                                np.ascontiguousarray(audio), _read_phn(phn)))
    full = dict(_FULL_COUNTS, test={"core": 24, "all": 168 - 50}.get(test))
    for split, n_full in full.items():
        n = len({u.speaker for u in out if u.split == split})
        if n_full is not None and n != n_full:
            log.warning("TIMIT %s set has %d speakers (the full corpus has %d)", split, n, n_full)
    return out


def write_sphere(path: str | Path, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write 16-bit little-endian PCM with a 1024-byte NIST SPHERE header, as TIMIT's .WAV."""
    audio = np.asarray(audio, dtype="<i2")
    fields = [
        "NIST_1A", "   1024", "database_id -s5 TIMIT", "channel_count -i 1",
        f"sample_count -i {len(audio)}", f"sample_rate -i {sample_rate}",
        "sample_n_bytes -i 2", "sample_byte_format -s2 01", "sample_sig_bits -i 16",
        "sample_coding -s3 pcm", "end_head",
    ]
    header = ("\n".join(fields) + "\n").encode("ascii")
    Path(path).write_bytes(header.ljust(1024, b" ") + audio.tobytes())


def write_timit_tree(root: str | Path, utterances: dict[str, list[RawUtterance]]) -> None:
    """Write `utterances` ({"TRAIN" | "TEST": [...]}) as a TIMIT tree (DR1, upper-case names,
    SPHERE .WAV, .PHN, .TXT) under `root`. Speaker names are used as directory names, so
    pass TIMIT-like speaker ids (e.g. a core test speaker for TEST)."""
    for split, utts in utterances.items():
        for utt in utts:
            directory = Path(root) / split / "DR1" / utt.speaker.upper()
            directory.mkdir(parents=True, exist_ok=True)
            stem = directory / utt.utt_id.split("_")[-1].upper()
            write_sphere(stem.with_suffix(".WAV"), utt.audio)
            stem.with_suffix(".PHN").write_text(
                "".join(f"{s} {e} {p}\n" for s, e, p in utt.segments))
            stem.with_suffix(".TXT").write_text(f"0 {len(utt.audio)} {utt.text}\n")
