"""Model container: round trip and clear errors for bad configs and corrupt files."""
import json
import zipfile

import numpy as np
import pytest

from golden.formats import Formats
from golden.model import Model, ModelConfig


def test_save_load_round_trip(tmp_path):
    cfg = ModelConfig(cell="lstm", input_size=20, hidden_size=32, num_layers=2, proj_size=16,
                      peephole=True, k=4, k_proj=8, bidirectional=True, num_classes=10)
    m = Model.random(cfg, 1)
    p = m.save(tmp_path / "m.npz")
    m2 = Model.load(p)
    assert m2.config == cfg
    assert m2.params.keys() == m.params.keys()
    for k in m.params:
        assert np.array_equal(m.params[k], m2.params[k])
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("kw,match", [
    (dict(k=3), "block size"),
    (dict(k=64), "block size"),
    (dict(hidden_size=30, k=8), "multiple of k"),
    (dict(cell="rnn"), "cell"),
    (dict(cell="gru", proj_size=16), "LSTM options"),
    (dict(proj_size=12, k=8), "k_proj"),
    (dict(input_size=0), "input_size"),
])
def test_bad_configs(kw, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**kw)


@pytest.mark.parametrize("kw,match", [
    (dict(data="s16"), "format 'data'"),
    (dict(weight="u16.14"), "must be signed"),
    (dict(gate="s16.15"), "cannot represent 1.0"),
    (dict(data="s3.1"), "too narrow"),
    (dict(act_seg_bits=20), "act_seg_bits"),
    (dict(tw_width=40), "tw_width"),
])
def test_bad_formats(kw, match):
    with pytest.raises(ValueError, match=match):
        Formats(**kw)


def test_shape_mismatch_names_the_parameter():
    cfg = ModelConfig(cell="gru", input_size=16, hidden_size=32, k=8)
    params = Model.random(cfg).params
    params["l0.d0.w_h"] = np.zeros((12, 4, 4))
    with pytest.raises(ValueError, match="'l0.d0.w_h'"):
        Model(cfg, params)
    del params["l0.d0.w_h"]
    with pytest.raises(ValueError, match="missing"):
        Model(cfg, params)


def test_corrupt_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        Model.load(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable model file"):
        Model.load(bad)
    cfg = ModelConfig(cell="gru", input_size=16, hidden_size=32, k=8)
    p = Model.random(cfg).save(tmp_path / "m.npz")
    # truncated file
    t = tmp_path / "trunc.npz"
    t.write_bytes(p.read_bytes()[:200])
    with pytest.raises(ValueError):
        Model.load(t)
    # wrong version
    with zipfile.ZipFile(p) as z:
        meta = json.loads(np.load(z.open("__meta__.npy")).tobytes())
    meta["format_version"] = 99
    arrays = dict(np.load(p))
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    v = tmp_path / "v.npz"
    np.savez(v, **arrays)
    with pytest.raises(ValueError, match="format_version"):
        Model.load(v)


def test_compression_figures():
    cfg = ModelConfig(cell="lstm", input_size=153, hidden_size=1024, num_layers=2, proj_size=512,
                      peephole=True, k=8)
    assert cfg.dense_equivalent_params() / cfg.n_params() > 7
