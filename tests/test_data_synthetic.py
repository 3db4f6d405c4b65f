"""The embedded synthetic corpus: determinism, splits, alignment against the audio, caching."""
import dataclasses

import numpy as np

from tests.data_helpers import TINY, cache_dir, tiny_raw
from train.data import PHONES39, load_corpus, raw_hash
from train.data.synthetic import DEV_VOICES, TEST_VOICES, generate


def test_same_seed_same_hash_other_seed_other_hash():
    first = raw_hash(list(tiny_raw()))
    assert raw_hash(generate(TINY, workers=2)) == first  # independent of the worker count
    other = dataclasses.replace(TINY, seed=1, n_train=4, n_dev=1, n_test=1)
    assert raw_hash(generate(other)) != raw_hash(generate(dataclasses.replace(other, seed=0)))


def test_splits_are_disjoint_in_voices_and_sentences():
    utts = tiny_raw()
    by_split = {s: [u for u in utts if u.split == s] for s in ("train", "dev", "test")}
    assert [len(by_split[s]) for s in by_split] == [TINY.n_train, TINY.n_dev, TINY.n_test]
    voice = lambda u: u.speaker.split("s")[0]  # noqa: E731  speaker ids are <voice>s<k>
    assert {voice(u) for u in by_split["test"]} == set(TEST_VOICES)
    assert {voice(u) for u in by_split["dev"]} == set(DEV_VOICES)
    assert not {voice(u) for u in by_split["train"]} & set(TEST_VOICES + DEV_VOICES)
    texts = {s: {u.text for u in by_split[s]} for s in by_split}
    assert not texts["train"] & texts["test"] and not texts["train"] & texts["dev"]


def _envelope(audio):
    x = audio.astype(np.float64)
    return np.sqrt(np.convolve(x * x, np.ones(80) / 80, "same"))  # 5 ms RMS


def test_alignment_matches_energy():
    """Labelled speech starts where the energy does; pauses and edges are quiet."""
    for u in tiny_raw():
        segs = u.segments
        assert segs[0][0] == 0 and segs[-1][1] == len(u.audio)
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(segs, segs[1:]))
        assert 0.8 < len(u.audio) / 16000 < 5.0
        env = _envelope(u.audio)
        active = np.nonzero(env > 0.02 * env.max())[0]
        speech = [s for s in segs if s[2] not in ("h#", "pau")]
        assert abs(int(active[0]) - speech[0][0]) <= 15 * 16, u.utt_id  # onset within 15 ms
        assert abs(int(active[-1]) - speech[-1][1]) <= 80 * 16, u.utt_id
        for start, end, phone in segs:
            if phone == "pau" and end - start > 800:
                assert env[start + 240:end - 240].max() < 0.1 * env.max(), u.utt_id


def test_load_corpus_labels_and_cache():
    corpus = load_corpus("tiny", cache_dir=cache_dir(), workers=1)
    assert not list(cache_dir().glob("*.tmp"))
    assert len(corpus.train) == TINY.n_train and corpus.num_classes == 39
    for u in corpus.train + corpus.dev + corpus.test:
        assert u.feats.dtype == np.float32 and u.feats.shape[1] == corpus.features.dim == 39
        assert u.frame_labels.dtype == np.int64 and len(u.frame_labels) == len(u.feats)
        assert u.label_seq.dtype == np.int64 and 0 < len(u.label_seq) < len(u.feats)
        assert 0 <= u.frame_labels.min() and u.frame_labels.max() < 39
        assert PHONES39[u.label_seq[0]] != "sil" and PHONES39[u.label_seq[-1]] != "sil"
    again = load_corpus("tiny", cache_dir=cache_dir(), workers=1)
    assert again.meta["hash"] == corpus.meta["hash"] == raw_hash(list(tiny_raw()))
    assert np.array_equal(again.test[3].feats, corpus.test[3].feats)
    stats = corpus.stats()
    assert stats["splits"]["train"]["speakers"] == 8
    assert sum(stats["phone_tokens"].values()) == sum(
        len(u.label_seq) for u in corpus.train + corpus.dev + corpus.test)
