"""A TIMIT-layout test tree spoken by a synthesizer the models never heard (CMU Flite).

    apt-get install flite                       # Debian's package; not needed by anything else
    python bench/unseen_synth.py --out data/flite-timit
    python -m train eval runs/main --corpus timit --timit data/flite-timit --timit-test all

Speakers: Flite's voices slt, rms, awb and kal16 (`VOICES`), `--per-voice` sentences each
(default 15: 60 test utterances), sentences from the project's grammar with a seed of their
own. Flite prints every phone with its end time (`-psdur`); its CMU phones are TIMIT's
symbols, `pau` becomes `h#` at the edges and `pau` inside, and each stop and affricate is
split into a closure and a release as TIMIT transcribes them (the closure gets
`train.data.phones.SPLIT_FRACTION` of the duration, as for espeak-ng's). One extra utterance
goes to TRAIN/, which a TIMIT tree needs; `--timit-test all` evaluates on every TEST speaker.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

from train.data.features import SAMPLE_RATE
from train.data.phones import PHONES61, SPLIT_FRACTION
from train.data.sentences import SentenceSampler
from train.data.synthetic import RawUtterance
from train.data.timit import write_timit_tree

VOICES = {"slt": "fslt0", "rms": "mrms0", "awb": "mawb0", "kal16": "mkal0"}
"""Flite voice -> TIMIT-style speaker id (first letter: sex)."""
CLOSURES = {"b": "bcl", "d": "dcl", "g": "gcl", "p": "pcl", "t": "tcl", "k": "kcl",
            "ch": "tcl", "jh": "dcl"}


def flite_segments(phones: list[tuple[str, float]], n_samples: int, closures: bool = True
                   ) -> list[tuple[int, int, str]]:
    """Flite's (phone, end seconds) list -> contiguous TIMIT-61 segments over the audio
    (stops and affricates as closure + release if `closures`)."""
    segs: list[tuple[int, int, str]] = []
    start = 0
    for i, (p, end_s) in enumerate(phones):
        end = n_samples if i == len(phones) - 1 else min(n_samples, int(round(end_s * SAMPLE_RATE)))
        if end <= start:
            continue
        if p == "pau":
            p = "h#" if i in (0, len(phones) - 1) else "pau"
        if closures and p in CLOSURES and end - start > 1:
            cut = start + max(1, int(round(SPLIT_FRACTION * (end - start))))
            segs += [(start, cut, CLOSURES[p]), (cut, end, p)]
        else:
            if p not in PHONES61:
                raise ValueError(f"flite phone {p!r} is not a TIMIT symbol")
            segs.append((start, end, p))
        start = end
    return segs


def speak(text: str, voice: str, tmp: Path, closures: bool = True
          ) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """16 kHz int16 audio and TIMIT segments of `text` spoken by Flite voice `voice`."""
    from scipy.signal import resample_poly

    wav = tmp / "u.wav"
    out = subprocess.run(["flite", "-voice", voice, "-psdur", "-t", text, "-o", str(wav)],
                         capture_output=True, text=True, check=True).stdout
    phones = [(tok.rsplit(":", 1)[0], float(tok.rsplit(":", 1)[1])) for tok in out.split()]
    with wave.open(str(wav)) as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    if rate != SAMPLE_RATE:
        audio = np.clip(np.round(resample_poly(audio.astype(np.float64), SAMPLE_RATE, rate)),
                        -32768, 32767).astype(np.int16)
    return audio, flite_segments(phones, len(audio), closures)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory of the TIMIT-layout tree")
    ap.add_argument("--per-voice", type=int, default=15, help="test sentences per voice")
    ap.add_argument("--seed", type=int, default=2027, help="sentence sampler seed")
    ap.add_argument("--closures", action=argparse.BooleanOptionalAction, default=True,
                    help="transcribe stops and affricates as closure + release, as TIMIT does "
                         "(--no-closures: one segment each, as the espeak-ng corpus does)")
    args = ap.parse_args(argv)
    if shutil.which("flite") is None:
        print("error: flite is not installed (apt-get install flite)", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        print(f"error: --out {out} is not empty", file=sys.stderr)
        return 2
    texts = SentenceSampler(args.seed).take(args.per_voice * len(VOICES) + 1)
    tree: dict[str, list[RawUtterance]] = {"TRAIN": [], "TEST": []}
    with tempfile.TemporaryDirectory() as tmp:
        for v, (voice, spk) in enumerate(VOICES.items()):
            for i in range(args.per_voice):
                text = texts[v * args.per_voice + i]
                audio, segs = speak(text, voice, Path(tmp), args.closures)
                tree["TEST"].append(RawUtterance(f"{spk}_sx{v * 100 + i}", spk, "test", text,
                                                 audio, segs))
            print(f"{voice}: {args.per_voice} utterances", flush=True)
        audio, segs = speak(texts[-1], "slt", Path(tmp), args.closures)
        tree["TRAIN"].append(RawUtterance("fslt1_sx999", "fslt1", "train", texts[-1], audio, segs))
    write_timit_tree(out, tree)
    print(f"{len(tree['TEST'])} test utterances of {len(VOICES)} Flite voices -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
