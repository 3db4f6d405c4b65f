"""The small interface between corpora and the trainer: a dataset is a list of
``Example(feats (T, D) float32, labels (L,) int64 over the 39 phone classes)`` per split, and
`batches` turns one split into padded time-major batches, deterministically from (seed, epoch).

Sources: the speech corpora of `train.data` (default / tiny synthetic speech, TIMIT) and
``synthetic``: random sequences with a learnable frame -> phone mapping, for hermetic tests.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import torch

log = logging.getLogger(__name__)

N_PHONES = 39


@dataclass
class Example:
    feats: np.ndarray        # (T, D) float32
    labels: np.ndarray       # (L,) int64 in 0..38
    utt_id: str = ""


@dataclass
class Dataset:
    """Splits of `Example`s; `train_views[c][i]` is augmented copy c of `train[i]` (empty
    without audio augmentation), `augment` the `train.data.augment.AugmentConfig` or None."""

    name: str
    input_size: int
    train: list[Example]
    dev: list[Example]
    test: list[Example]
    train_views: list[list[Example]] = field(default_factory=list)
    augment: object = None
    conditions: dict[str, list[Example]] = field(default_factory=dict)

    def split(self, name: str) -> list[Example]:
        if name not in ("train", "dev", "test"):
            raise ValueError(f"split must be train, dev or test, not {name!r}")
        return getattr(self, name)

    def epoch_train(self, seed: int, epoch: int) -> list[Example]:
        """The training examples of one epoch: per utterance the clean version or one of its
        augmented copies (`train.data.augment.pick_views`, a function of (seed, epoch))."""
        if not self.train_views:
            return self.train
        from train.data.augment import pick_views

        pick = pick_views(len(self.train), len(self.train_views), self.augment.clean_prob,
                          seed, epoch)
        return [self.train[i] if c < 0 else self.train_views[c][i] for i, c in enumerate(pick.tolist())]


def synthetic_dataset(n_train: int = 64, n_dev: int = 16, n_test: int = 16, dim: int = 39,
                      seed: int = 0, n_phones: int = 8, frames_per_phone: tuple[int, int] = (3, 7),
                      phones_per_utt: tuple[int, int] = (3, 8)) -> Dataset:
    """Random utterances: each phone class has a random prototype vector; an utterance is a
    sequence of phones, each held for a few frames (prototype + noise)."""
    rng = np.random.default_rng(seed)
    protos = rng.normal(0, 1.0, size=(n_phones, dim)).astype(np.float32)

    def make(n: int, tag: str) -> list[Example]:
        out = []
        for i in range(n):
            L = int(rng.integers(phones_per_utt[0], phones_per_utt[1] + 1))
            labels = rng.integers(0, n_phones, size=L)
            for j in range(1, L):                       # no immediate repeats
                if labels[j] == labels[j - 1]:
                    labels[j] = (labels[j] + 1) % n_phones
            frames = [np.repeat(protos[p][None], int(rng.integers(*frames_per_phone, endpoint=True)), 0)
                      for p in labels]
            f = np.concatenate(frames) + rng.normal(0, 0.3, size=(sum(len(x) for x in frames), dim))
            out.append(Example(f.astype(np.float32), labels.astype(np.int64), f"{tag}{i:04d}"))
        return out

    return Dataset("synthetic", dim, make(n_train, "tr"), make(n_dev, "dv"), make(n_test, "te"))


def load_dataset(name: str, features: str = "mfcc39", timit_path: str = "", seed: int = 0,
                 timit_test: str = "core", norm: str = "speaker", augment=None,
                 conditions: tuple[str, ...] = (), voices: str = "classic") -> Dataset:
    """'synthetic' (random, no external tools), or a `train.data` corpus: 'default', 'tiny',
    'timit' (with ``timit_path``; ``timit_test``: its test speakers, 'core', 'all' or a list).
    ``voices``: the synthetic corpus' voice set ("classic" or "wide", training speakers only).
    ``norm``: the feature normalization (`train.data.features.NORMS`). ``augment``: an
    `AugmentConfig` whose audio transforms give `Dataset.train_views`. ``conditions``: also
    load these robustness test sets (`train.data.augment.CONDITIONS`) into
    `Dataset.conditions`."""
    if name == "synthetic":
        if augment is not None and augment.audio_kinds or conditions:
            raise ValueError("corpus 'synthetic' has no audio: augmentation and robustness "
                             "conditions need a speech corpus")
        return synthetic_dataset(seed=seed)
    import dataclasses

    from train.data import FeatureConfig, load_augmented, load_condition, load_corpus

    source = {"name": name, "timit_path": timit_path or None, "timit_test": timit_test,
              "voices": voices}
    corpus = load_corpus(features=dataclasses.replace(FeatureConfig.preset(features), norm=norm),
                         **source)
    keep = [i for i, u in enumerate(corpus.train) if len(u.label_seq)]

    def conv(utts) -> list[Example]:
        return [Example(u.feats, u.label_seq, u.utt_id) for u in utts if len(u.label_seq)]

    ds = Dataset(corpus.name, corpus.features.dim, conv(corpus.train), conv(corpus.dev),
                 conv(corpus.test), augment=augment)
    if augment is not None and augment.uses_copies:
        for copy in load_augmented(corpus, augment, **source):
            ds.train_views.append([Example(copy[i].feats, copy[i].label_seq, copy[i].utt_id)
                                   for i in keep])
    for cond in conditions:
        ds.conditions[cond] = conv(load_condition(corpus, cond, **source))
    log.info("corpus %s: %d/%d/%d utterances, %d features%s", ds.name, len(ds.train), len(ds.dev),
             len(ds.test), ds.input_size,
             f", {len(ds.train_views)} augmented copies of the training split" if ds.train_views else "")
    return ds


def run_dataset(cfg, *, corpus: str = "", features: str = "", timit_path: str = "",
                timit_test: str = "", augment: bool = False, conditions: tuple[str, ...] = ()
                ) -> Dataset:
    """The dataset of a run's `TrainConfig` (its corpus, features and normalization), with the
    run's training augmentation if `augment`; the other arguments override the run's."""
    return load_dataset(corpus or cfg.corpus, features or cfg.features,
                        timit_path or cfg.timit_path, cfg.seed, timit_test or cfg.timit_test,
                        norm=cfg.norm, augment=cfg.augment_config() if augment else None,
                        conditions=conditions, voices=cfg.voices)


@dataclass
class Batch:
    feats: torch.Tensor          # (T, B, D) float32, zero padded
    lengths: torch.Tensor        # (B,) int64
    labels: list[torch.Tensor]   # per utterance (L,) int64
    index: list[int]             # positions in the split


def collate(examples: list[Example], index: list[int]) -> Batch:
    T = max(len(e.feats) for e in examples)
    D = examples[0].feats.shape[1]
    x = np.zeros((T, len(examples), D), np.float32)
    for b, e in enumerate(examples):
        x[:len(e.feats), b] = e.feats
    return Batch(torch.from_numpy(x), torch.tensor([len(e.feats) for e in examples]),
                 [torch.from_numpy(np.asarray(e.labels, np.int64)) for e in examples], index)


def batch_plan(lengths: list[int], batch_size: int, seed: int, epoch: int, shuffle: bool = True,
               rank: int = 0, world: int = 1) -> list[list[int]]:
    """Index lists of the batches of one epoch: shuffled, then sorted by length within pools of
    50 batches (less padding), then the batches shuffled.  A pure function of
    (seed, epoch), so a resumed run sees exactly the batches it would have seen.  With
    ``world > 1`` each rank takes every world-th batch (all ranks get the same count)."""
    n = len(lengths)
    if not shuffle:
        order = sorted(range(n), key=lambda i: lengths[i])
        plan = [order[i:i + batch_size] for i in range(0, n, batch_size)]
    else:
        rng = np.random.default_rng([seed, epoch])
        perm = rng.permutation(n)
        pool = batch_size * 50
        plan = []
        for s in range(0, n, pool):
            chunk = sorted(perm[s:s + pool].tolist(), key=lambda i: lengths[i])
            plan += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
        plan = [plan[i] for i in rng.permutation(len(plan))]
    if world > 1:
        plan = plan[:len(plan) - len(plan) % world] if len(plan) >= world else plan
        plan = plan[rank::world]
    return plan


def batches(examples: list[Example], batch_size: int, seed: int = 0, epoch: int = 0,
            shuffle: bool = True, rank: int = 0, world: int = 1):
    """Yield `Batch`es of one epoch (see `batch_plan`)."""
    for idx in batch_plan([len(e.feats) for e in examples], batch_size, seed, epoch, shuffle,
                          rank, world):
        yield collate([examples[i] for i in idx], idx)
