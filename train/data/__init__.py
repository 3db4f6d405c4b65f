"""Speech data: the embedded synthetic corpus (espeak-ng), TIMIT, features and labels.

    from train.data import load_corpus, FeatureConfig, PHONES39
    corpus = load_corpus("default", features=FeatureConfig.preset("mfcc39"))
    for utt in corpus.train: utt.feats, utt.frame_labels, utt.label_seq

See docs/data.md for the API, the phone mapping table and the cache location.
"""
from .corpus import (Corpus, NormStats, Utterance, default_cache_dir, load_augmented, load_condition,
                     load_corpus, raw_hash)
from .features import FeatureConfig
from .phones import PHONES39, PHONES61, PHONE_INDEX, SIL
from .synthetic import RawUtterance, SynthConfig

__all__ = [
    "Corpus", "NormStats", "Utterance", "default_cache_dir", "load_augmented", "load_condition",
    "load_corpus", "raw_hash",
    "FeatureConfig", "PHONES39", "PHONES61", "PHONE_INDEX", "SIL", "RawUtterance", "SynthConfig",
]
