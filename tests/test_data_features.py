"""Feature configs, deltas, normalization and the data CLI."""
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from tests.data_helpers import cache_dir, tiny_raw
from train.data import FeatureConfig, load_corpus
from train.data.features import add_deltas, compute_features, num_frames


def test_dims():
    assert FeatureConfig.preset("mfcc39").dim == 39
    assert FeatureConfig.preset("fbank153").dim == 153
    assert FeatureConfig.from_dim(153) == dataclasses.replace(FeatureConfig.preset("fbank153"))
    assert FeatureConfig.from_dim(39, kind="mfcc").dim == 39
    with pytest.raises(ValueError, match="multiple of 3"):
        FeatureConfig.from_dim(100)
    with pytest.raises(ValueError, match="norm"):
        FeatureConfig(norm="cmvn")


@pytest.mark.parametrize("preset", ["mfcc39", "fbank153", "fbank40"])
def test_shapes(preset):
    audio = tiny_raw()[0].audio
    config = FeatureConfig.preset(preset)
    feats = compute_features(audio, config)
    assert feats.shape == (num_frames(len(audio)), config.dim) and feats.dtype == np.float32
    assert np.isfinite(feats).all()


def test_deltas_of_a_ramp():
    ramp = np.arange(20, dtype=np.float32)[:, None] * np.array([[1.0, -2.0]], np.float32)
    out = add_deltas(ramp, 2)
    assert np.allclose(out[4:-4, 2:4], [1.0, -2.0])  # slope
    assert np.allclose(out[4:-4, 4:6], 0.0)
    assert not np.allclose(out[:2, 2:4], [1.0, -2.0])  # edges replicated, as Kaldi


@pytest.mark.parametrize("norm", ["speaker", "global"])
def test_normalization(norm):
    config = dataclasses.replace(FeatureConfig.preset("fbank40"), norm=norm)
    corpus = load_corpus("tiny", features=config, cache_dir=cache_dir(), workers=1)
    utts = corpus.train + corpus.dev + corpus.test
    groups = [corpus.train] if norm == "global" else [
        [u for u in utts if u.speaker == spk] for spk in {u.speaker for u in utts}]
    for group in groups:
        stacked = np.concatenate([u.feats for u in group])
        assert np.allclose(stacked.mean(0), 0, atol=1e-3)
        assert np.allclose(stacked.std(0), 1, atol=1e-2)
    assert corpus.norm.mean.shape == (40,)


def test_cli_help_and_stats(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "train", "data", *a],  # noqa: E731
                                    capture_output=True, text=True, check=True).stdout
    assert "--timit" in run("--help")
    out = run("--corpus", "tiny", "--cache-dir", str(tmp_path))
    assert "train      40" in out and "speakers" in out and " oy " in out
