"""Shared, per-process cached inputs for the tests/test_data_*.py files."""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from train.data.synthetic import RawUtterance, SynthConfig, generate

TINY = SynthConfig.preset("tiny")


@functools.lru_cache(maxsize=None)
def tiny_raw() -> tuple[RawUtterance, ...]:
    """The tiny synthetic corpus (60 utterances), generated once per test process."""
    return tuple(generate(TINY))


@functools.lru_cache(maxsize=None)
def cache_dir() -> Path:
    """A per-process cache directory for load_corpus."""
    return Path(tempfile.mkdtemp(prefix="ernn-data-test-"))
