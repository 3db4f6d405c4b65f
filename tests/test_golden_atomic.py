"""golden.atomic: files written atomically get the ordinary file mode (not mkstemp's 0600),
and a failed write leaves the old file and no temporary file."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from golden.atomic import atomic_write, default_mode
from golden.memfile import write_memh
from golden.model import Model, ModelConfig


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_default_mode_follows_umask(umask022):
    assert default_mode() == 0o644


def test_memh_and_model_files_get_the_ordinary_mode(tmp_path, umask022):
    write_memh(tmp_path / "w.mem", np.arange(8), 16)
    assert _mode(tmp_path / "w.mem") == 0o644
    cfg = ModelConfig(cell="gru", input_size=8, hidden_size=8, num_layers=1, k=4)
    Model.random(cfg, seed=1).save(tmp_path / "model.npz")
    assert _mode(tmp_path / "model.npz") == 0o644
    with open(tmp_path / "plain.txt", "w") as f:          # what an ordinary write gives
        f.write("x")
    assert _mode(tmp_path / "plain.txt") == _mode(tmp_path / "model.npz")


def test_failed_write_keeps_the_old_file(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(p) as f:
            f.write("half")
            raise RuntimeError("disk full")
    assert p.read_text() == "old\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["f.txt"]
