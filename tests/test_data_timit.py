"""TIMIT reader on a TIMIT-layout fixture written from the synthetic corpus (never real TIMIT)."""
import subprocess
import sys

import numpy as np
import pytest

from tests.data_helpers import cache_dir, tiny_raw
from train.data import load_corpus
from train.data.timit import TimitError, read_timit, write_timit_tree

TRAIN_SPK = ["fcjf0", "mdpk0"]
TEST_SPK = {"mdab0": "test", "faks0": "dev", "mabc9": None}  # core, dev, neither


def _renamed(utt, speaker, sentence):
    import dataclasses

    return dataclasses.replace(utt, speaker=speaker, utt_id=f"{speaker}_{sentence}")


@pytest.fixture
def timit_tree(tmp_path):
    utts = list(tiny_raw())
    train = [_renamed(utts[i], TRAIN_SPK[i % 2], f"si{100 + i}") for i in range(6)]
    train.append(_renamed(utts[6], "fcjf0", "sa1"))  # SA sentences are dropped
    test = [_renamed(utts[10 + i], spk, f"sx{10 + i}") for i, spk in enumerate(TEST_SPK)]
    write_timit_tree(tmp_path / "TIMIT", {"TRAIN": train, "TEST": test})
    return tmp_path, train[:6], test


def test_round_trip(timit_tree):
    root, train, test = timit_tree
    read = {u.utt_id: u for u in read_timit(root)}  # root one level above TRAIN/ is accepted
    expect = {u.utt_id: (u, "train") for u in train}
    expect.update({u.utt_id: (u, TEST_SPK[u.speaker]) for u in test if TEST_SPK[u.speaker]})
    assert set(read) == set(expect)
    for utt_id, (orig, split) in expect.items():
        got = read[utt_id]
        assert got.split == split and got.speaker == orig.speaker and got.text == orig.text
        assert np.array_equal(got.audio, orig.audio) and got.segments == orig.segments


def test_load_corpus_from_timit(timit_tree):
    root, train, _ = timit_tree
    corpus = load_corpus("timit", timit_path=root / "TIMIT", cache_dir=cache_dir(), workers=1)
    assert (len(corpus.train), len(corpus.dev), len(corpus.test)) == (6, 1, 1)
    assert corpus.name == "timit" and corpus.test[0].speaker == "mdab0"
    assert len(corpus.train[0].frame_labels) == len(corpus.train[0].feats)


def test_bad_paths(tmp_path, timit_tree):
    with pytest.raises(TimitError, match="does not exist"):
        read_timit(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TimitError, match="no TRAIN/ and TEST/"):
        read_timit(tmp_path / "empty")
    root, _, _ = timit_tree
    phn = next((root / "TIMIT" / "TRAIN").rglob("*.PHN"))
    phn.write_text("0 100 h#\n100 200 xx\n")
    with pytest.raises(TimitError, match="not a TIMIT phone"):
        read_timit(root)
    phn.unlink()
    with pytest.raises(TimitError, match="no .PHN alignment"):
        read_timit(root)


def test_cli_reports_bad_path(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "train", "data", "--timit", str(tmp_path / "x"),
                           "--cache-dir", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode != 0 and "does not exist" in proc.stderr


@pytest.fixture
def other_tree(tmp_path):
    """A TIMIT-layout corpus that is not TIMIT: none of its TEST speakers is a core or dev one;
    one TEST speaker also has converted RIFF copies (X.WAV.wav) beside the SPHERE files, and
    one has only converted copies."""
    import soundfile
    utts = list(tiny_raw())
    train = [_renamed(utts[i], TRAIN_SPK[i % 2], f"si{100 + i}") for i in range(4)]
    test = [_renamed(utts[10 + i], spk, f"sx{10 + i}")
            for i, spk in enumerate(["spk01", "spk01", "spk02", "spk03"])]
    root = tmp_path / "OTHER"
    write_timit_tree(root, {"TRAIN": train, "TEST": test})
    for wav in (root / "TEST" / "DR1" / "SPK01").glob("*.WAV"):
        audio, rate = soundfile.read(str(wav), dtype="int16")
        soundfile.write(str(wav) + ".wav", audio, rate, subtype="PCM_16")
    for wav in (root / "TEST" / "DR1" / "SPK02").glob("*.WAV"):
        audio, rate = soundfile.read(str(wav), dtype="int16")
        soundfile.write(str(wav) + ".wav", audio, rate, subtype="PCM_16")
        wav.unlink()
    return root, train, test


def test_timit_layout_corpus_with_other_speakers(other_tree):
    root, train, test = other_tree
    with pytest.raises(TimitError, match="no .WAV files of any core test speaker.*--timit-test all"):
        read_timit(root)
    got = read_timit(root, test="all")
    by_split = {s: sorted(u.utt_id for u in got if u.split == s) for s in ("train", "dev", "test")}
    assert by_split["test"] == sorted(u.utt_id for u in test)      # converted copies read once
    assert by_split["train"] == sorted(u.utt_id for u in train) and by_split["dev"] == []
    for u in test:
        g = next(x for x in got if x.utt_id == u.utt_id)
        assert np.array_equal(g.audio, u.audio) and g.segments == u.segments
    listed = read_timit(root, test="SPK02,spk03")
    assert sorted({u.speaker for u in listed if u.split == "test"}) == ["spk02", "spk03"]
    with pytest.raises(TimitError, match="speaker\\(s\\) nobody not under TEST/"):
        read_timit(root, test="spk01,nobody")
    corpus = load_corpus("timit", timit_path=root, cache_dir=cache_dir(), workers=1,
                         timit_test="all")
    assert len(corpus.test) == 4 and corpus.meta["test_speakers"] == "all"


def test_eval_timit_without_a_path_is_one_line(tmp_path, capsys):
    from train.__main__ import main
    assert main(["fit", "--preset", "tiny", "--corpus", "timit", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs the TIMIT directory: pass --timit DIR" in err[0]
