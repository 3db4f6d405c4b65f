"""Augmentation transforms, robustness conditions, per-epoch views and the cached derived sets."""
import dataclasses

import numpy as np
import pytest

from tests.data_helpers import TINY, cache_dir
from train.batches import Dataset, Example
from train.data import FeatureConfig, load_augmented, load_condition, load_corpus
from train.data.augment import (AUGMENTS, CONDITIONS, NOISES, AugmentConfig, add_noise,
                                augment_utterance, degrade, freq_warp, make_noise, pick_views,
                                reverberate, room_impulse, specaugment, speed_perturb, tilt)
from train.data.features import SAMPLE_RATE
from train.data.synthetic import TEST_VOICES, WIDE_VOICES, SynthConfig, _plan

RNG = np.random.default_rng(7)
SPEECH = (RNG.standard_normal(16000) * 3000).astype(np.float64)
SEGS = [(0, 4000, "h#"), (4000, 9000, "aa"), (9000, 16000, "h#")]


def _band_power(x: np.ndarray, lo: float, hi: float) -> float:
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    return float(spec[(f >= lo) & (f < hi)].sum())


def test_parse():
    assert AugmentConfig.parse("all").kinds == AUGMENTS
    assert AugmentConfig.parse("none").kinds == () == AugmentConfig.parse("").kinds
    cfg = AugmentConfig.parse("specaugment,noise")
    assert cfg.kinds == ("noise", "specaugment") and cfg.audio_kinds == ("noise",)
    assert not AugmentConfig.parse("specaugment").uses_copies
    with pytest.raises(ValueError, match="unknown augmentation.*'echo'"):
        AugmentConfig.parse("noise,echo")


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_rescales_audio_and_segments(factor):
    y, segs = speed_perturb(SPEECH, SEGS, factor)
    assert abs(len(y) - len(SPEECH) / factor) <= 1
    assert segs[0][0] == 0 and segs[-1][1] == len(y)
    assert all(a[1] == b[0] for a, b in zip(segs, segs[1:]))
    assert abs(segs[1][0] - 4000 / factor) <= 1 and [p for *_, p in segs] == ["h#", "aa", "h#"]


@pytest.mark.parametrize("kind", NOISES)
def test_noise_types_are_unit_power_and_snr_is_exact(kind):
    n = make_noise(kind, 16000, np.random.default_rng(1))
    assert abs(np.mean(n ** 2) - 1) < 1e-9
    y = add_noise(SPEECH, 10.0, kind, np.random.default_rng(1))
    snr = 10 * np.log10(np.mean(SPEECH ** 2) / np.mean((y - SPEECH) ** 2))
    assert abs(snr - 10.0) < 1e-6


def test_noise_spectra_differ():
    rng = np.random.default_rng(3)
    tilt_of = {k: _band_power(make_noise(k, 32000, rng), 100, 1000) /
               _band_power(make_noise(k, 32000, rng), 4000, 7000) for k in ("white", "pink", "brown")}
    assert tilt_of["white"] < tilt_of["pink"] < tilt_of["brown"]
    with pytest.raises(ValueError, match="unknown noise"):
        make_noise("violet", 100, rng)


def test_reverb_and_tilt():
    h = room_impulse(0.5, np.random.default_rng(0))
    assert h[0] == 1.0 and len(h) == 8000
    assert np.sum(h[-800:] ** 2) < 1e-3 * np.sum(h ** 2)
    y = reverberate(SPEECH, 0.5, np.random.default_rng(0))
    assert len(y) == len(SPEECH) and abs(np.mean(y ** 2) / np.mean(SPEECH ** 2) - 1) < 1e-9
    assert not np.allclose(y, SPEECH)
    def high_over_low(x):
        return _band_power(x, 5000, 8000) / _band_power(x, 100, 1000)

    bright, dull = tilt(SPEECH, 0.8), tilt(SPEECH, -0.6)
    assert high_over_low(bright) > 10 * high_over_low(SPEECH) > 10 * 4 * high_over_low(dull)
    assert abs(np.mean(bright ** 2) / np.mean(SPEECH ** 2) - 1) < 1e-9


def test_augment_utterance_is_seeded_per_utterance_and_copy():
    cfg = AugmentConfig.parse("all")
    a, sa, da = augment_utterance(SPEECH, SEGS, cfg, "u1", 0)
    b, sb, db = augment_utterance(SPEECH, SEGS, cfg, "u1", 0)
    c, _, dc = augment_utterance(SPEECH, SEGS, cfg, "u1", 1)
    assert np.array_equal(a, b) and sa == sb and da == db
    assert da != dc
    assert set(da) >= {"speed", "tilt", "gain_db"}
    x, s, d = augment_utterance(SPEECH, SEGS, AugmentConfig.parse("none"), "u1", 0)
    assert np.array_equal(x, SPEECH) and s == SEGS and d == {}


def test_degrade_conditions():
    assert np.array_equal(degrade(SPEECH, SEGS, "clean", "u")[0], SPEECH)
    for cond in ("noise20", "noise5"):
        y, _ = degrade(SPEECH, SEGS, cond, "u")
        snr = 10 * np.log10(np.mean(SPEECH ** 2) / np.mean((y - SPEECH) ** 2))
        assert abs(snr - float(cond[5:])) < 1e-6
    assert len(degrade(SPEECH, SEGS, "speed1.1", "u")[0]) == -(-16000 * 10 // 11)
    y1, _ = degrade(SPEECH, SEGS, "reverb", "u")
    assert np.array_equal(y1, degrade(SPEECH, SEGS, "reverb", "u")[0])
    with pytest.raises(ValueError, match="unknown condition"):
        degrade(SPEECH, SEGS, "noise", "u")


def test_pick_views():
    a = pick_views(3000, 2, 0.34, 0, 5)
    assert np.array_equal(a, pick_views(3000, 2, 0.34, 0, 5))
    assert not np.array_equal(a, pick_views(3000, 2, 0.34, 0, 6))
    assert set(a.tolist()) == {-1, 0, 1} and abs(np.mean(a == -1) - 0.34) < 0.03
    assert (pick_views(10, 0, 0.0, 0, 0) == -1).all()


def test_specaugment_masks_within_limits():
    cfg = AugmentConfig(kinds=("specaugment",), freq_masks=2, freq_width=5, time_masks=2,
                        time_width=8)
    x = np.ones((100, 3, 40), np.float32)
    lengths = np.array([100, 60, 30])
    y = specaugment(x, lengths, cfg, np.random.default_rng(0))
    assert (x == 1).all() and y.shape == x.shape
    for b, L in enumerate(lengths):
        zero_cols = (y[:L, b] == 0).all(0).sum()
        zero_rows = (y[:L, b] == 0).all(1).sum()
        assert zero_cols <= 10 and zero_rows <= 2 * min(8, L // 10)
        assert (y[L:, b] == 1).all()
    assert (y == 0).any()
    off = dataclasses.replace(cfg, freq_masks=0, time_masks=0)
    assert np.array_equal(specaugment(x, lengths, off, np.random.default_rng(0)), x)


def test_epoch_train_mixes_views():
    clean = [Example(np.zeros((5, 2), np.float32), np.array([1]), f"u{i}") for i in range(50)]
    views = [[Example(np.full((5, 2), c + 1, np.float32), np.array([1]), f"u{i}") for i in range(50)]
             for c in range(2)]
    ds = Dataset("x", 2, clean, [], [], views, AugmentConfig.parse("noise"))
    picked = ds.epoch_train(0, 3)
    assert [e.utt_id for e in picked] == [e.utt_id for e in clean]
    assert {float(e.feats[0, 0]) for e in picked} == {0.0, 1.0, 2.0}
    assert Dataset("x", 2, clean, [], []).epoch_train(0, 3) is clean


def test_wide_voices_are_training_speakers_only():
    classic, wide = _plan(TINY), _plan(dataclasses.replace(TINY, voices="wide"))
    assert [j for j in classic if j.split != "train"] == [j for j in wide if j.split != "train"]
    assert {j.voice for j in wide if j.split == "train"} & set(WIDE_VOICES)
    assert not {j.voice for j in wide if j.split != "train"} & set(WIDE_VOICES)
    assert {j.voice for j in wide if j.split == "test"} <= set(TEST_VOICES)
    # the classic corpus keeps the cache key it had before `voices` existed
    assert TINY.key() == {k: v for k, v in dataclasses.asdict(TINY).items() if k != "voices"}
    assert dataclasses.replace(TINY, voices="wide").key()["voices"] == "wide"
    with pytest.raises(ValueError, match="voices"):
        SynthConfig(voices="all")


def test_load_augmented_and_condition_are_cached_and_aligned():
    feats = FeatureConfig.preset("fbank40")
    src = {"name": "tiny"}
    corpus = load_corpus(features=feats, cache_dir=cache_dir(), workers=1, **src)
    aug = AugmentConfig.parse("speed,noise,gain", copies=2)
    copies = load_augmented(corpus, aug, cache_dir=cache_dir(), workers=1, **src)
    assert len(copies) == 2 and all(len(c) == len(corpus.train) for c in copies)
    for c in copies:
        for u, v in zip(corpus.train, c):
            assert u.utt_id == v.utt_id and np.array_equal(u.label_seq, v.label_seq)
            assert v.speaker.startswith(u.speaker + "+a")
    assert any(len(u.feats) != len(v.feats) for u, v in zip(corpus.train, copies[0]))  # speed
    again = load_augmented(corpus, aug, cache_dir=cache_dir(), workers=1, **src)
    assert all(np.array_equal(a.feats, b.feats) for a, b in zip(copies[1], again[1]))
    noisy = load_condition(corpus, "noise5", cache_dir=cache_dir(), workers=1, **src)
    assert [u.utt_id for u in noisy] == [u.utt_id for u in corpus.test]
    assert all(not np.allclose(a.feats, b.feats) for a, b in zip(noisy, corpus.test))
    assert load_condition(corpus, "clean", cache_dir=cache_dir(), **src) is corpus.test
    with pytest.raises(ValueError, match="unknown condition"):
        load_condition(corpus, "noise3", cache_dir=cache_dir(), **src)
    assert set(CONDITIONS) >= {"noise20", "noise10", "noise5", "reverb", "speed0.9", "speed1.1"}


def test_utterance_norm():
    feats = dataclasses.replace(FeatureConfig.preset("fbank40"), norm="utterance")
    corpus = load_corpus("tiny", features=feats, cache_dir=cache_dir(), workers=1)
    f = corpus.test[0].feats
    assert np.allclose(f.mean(0), 0, atol=1e-4) and np.allclose(f.std(0), 1, atol=1e-3)
    with pytest.raises(ValueError, match="norm must be one of"):
        FeatureConfig(norm="cmvn")


def test_fit_and_eval_with_augmentation_and_conditions(tmp_path, capsys, monkeypatch):
    """`fit --augment all` trains on the tiny corpus and `eval --conditions` prints a PER per
    robustness test set, float and fixed point, and writes them to --json."""
    import json

    from train.__main__ import main
    from train.trainer import load_checkpoint

    monkeypatch.setenv("ERNN_DATA_DIR", str(cache_dir()))
    run = tmp_path / "run"
    assert main(["fit", "--preset", "tiny", "--corpus", "tiny", "--epochs", "1", "--max-steps",
                 "2", "--augment", "all", "--aug-copies", "1", "--out", str(run), "--quiet"]) == 0
    ck_cfg = load_checkpoint(run / "checkpoint.pt")["config"]
    # "all" is stored as the list it meant; warp needs log-mel features (tiny has MFCCs)
    assert ck_cfg["augment"] == "speed,noise,reverb,gain,tilt,specaugment"
    assert ck_cfg["aug_copies"] == 1 and ck_cfg["norm"] == "speaker"
    capsys.readouterr()
    assert main(["eval", str(run), "--conditions", "clean,noise5,speed1.1", "--fixed", "--quiet",
                 "--json", str(tmp_path / "ev.json")]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.startswith("  ")
            and line.split()[0] in ("clean", "noise5", "speed1.1")]
    assert [r[0] for r in rows] == ["clean", "noise5", "speed1.1"] and all(len(r) == 4 for r in rows)
    res = json.loads((tmp_path / "ev.json").read_text())
    assert set(res["conditions"]) == {"clean", "noise5", "speed1.1"}
    assert res["conditions"]["clean"]["per_float"] == res["per_float_torch"]
    assert res["conditions"]["noise5"]["utterances"] == res["utterances"] == 10


def test_freq_warp():
    """Each block of the feature axis is resampled at i * alpha; no warp is the identity;
    frames past an utterance's length are untouched."""
    rng = np.random.default_rng(0)
    x = np.tile(np.arange(8, dtype=np.float32), 2)[None, None, :].repeat(5, 0).repeat(2, 1)
    lengths = np.array([5, 3])
    same = freq_warp(x, lengths, AugmentConfig(warp=0.0), 8, rng)
    assert np.array_equal(same, x)
    y = freq_warp(x, lengths, AugmentConfig(warp=0.1), 8, np.random.default_rng(1))
    for b, L in enumerate(lengths):
        row = y[0, b, :8]
        alpha = row[1]                          # coordinate 1 takes the value at 1 * alpha
        assert 0.9 <= alpha <= 1.1 and row[0] == 0
        assert np.allclose(row, np.clip(np.arange(8) * alpha, 0, 7), atol=1e-5)
        assert np.array_equal(y[0, b, 8:], row) and np.array_equal(y[L:, b], x[L:, b])
    with pytest.raises(ValueError, match="not a multiple of the warp block"):
        freq_warp(x, lengths, AugmentConfig(), 5, rng)


def test_train_config_canonical_augment():
    from train.config import TrainConfig

    assert TrainConfig(augment="all").augment == ",".join(AUGMENTS)
    assert TrainConfig(augment="all", features="mfcc39").augment == ",".join(AUGMENTS[:-1])
    assert TrainConfig(augment="noise,speed").augment == "speed,noise"
    assert TrainConfig(augment="none").augment == ""
    with pytest.raises(ValueError, match="warp stretches a filterbank axis"):
        TrainConfig(augment="warp", features="mfcc39")
