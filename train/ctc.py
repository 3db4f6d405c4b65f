"""CTC loss over the 39 folded phone classes (+ blank), greedy and beam decoding, and the
phone error rate (PER): total edit distance over total reference length.

Output index 0 is the CTC blank; phone class i of ``PHONES39`` is output i + 1.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterable, Sequence

import numpy as np
import torch
from torch.nn import functional as F

from .config import BLANK


def ctc_loss(logits: torch.Tensor, lengths: torch.Tensor, targets: list[torch.Tensor]) -> torch.Tensor:
    """Mean CTC loss per utterance (normalized by target length, PyTorch's 'mean').

    logits (T, B, C); targets: per utterance phone-class indices 0..38 (shifted by +1 here)."""
    logp = F.log_softmax(logits.float(), dim=-1)
    tgt = torch.cat([t + 1 for t in targets]).to(torch.long)
    tlen = torch.tensor([len(t) for t in targets], dtype=torch.long)
    return F.ctc_loss(logp, tgt, lengths.to(torch.long), tlen, blank=BLANK, reduction="mean",
                      zero_infinity=True)


def distill_loss(student: torch.Tensor, teacher: torch.Tensor, lengths: torch.Tensor,
                 temp: float = 1.0) -> torch.Tensor:
    """Frame-level knowledge distillation: KL(teacher || student) between the per-frame output
    posteriors (CTC blank included) at temperature ``temp``, times temp^2, averaged over the
    valid frames (t < length) of the batch.  (T, B, C) logits; no gradient to the teacher."""
    T = student.shape[0]
    mask = (torch.arange(T)[:, None] < lengths[None, :].to(torch.long)).to(torch.float32)
    lt = F.log_softmax(teacher.detach().float() / temp, dim=-1)
    ls = F.log_softmax(student.float() / temp, dim=-1)
    kl = (lt.exp() * (lt - ls)).sum(-1)
    return temp * temp * (kl * mask).sum() / mask.sum().clamp_min(1.0)


def greedy_decode(logits: np.ndarray | torch.Tensor, length: int | None = None) -> list[int]:
    """Best path: argmax per frame, merge repeats, drop blanks.  (T, C) -> phone classes."""
    a = np.asarray(logits.detach() if isinstance(logits, torch.Tensor) else logits)
    if length is not None:
        a = a[:length]
    best = a.argmax(-1)
    out, prev = [], -1
    for s in best:
        if s != prev and s != BLANK:
            out.append(int(s) - 1)
        prev = s
    return out


def beam_decode(logits: np.ndarray, beam: int = 8, length: int | None = None) -> list[int]:
    """CTC prefix beam search (no language model).  (T, C) logits -> phone classes."""
    a = np.asarray(logits, dtype=np.float64)[:length]
    logp = a - np.logaddexp.reduce(a, axis=-1, keepdims=True)
    NEG = -math.inf
    beams = {(): (0.0, NEG)}                        # prefix -> (log p ending in blank, non-blank)
    for t in range(len(logp)):
        nxt: dict = defaultdict(lambda: [NEG, NEG])
        top = np.argsort(logp[t])[::-1][:beam]
        for prefix, (pb, pnb) in beams.items():
            for s in top:
                p = logp[t, s]
                if s == BLANK:
                    e = nxt[prefix]
                    e[0] = np.logaddexp(e[0], np.logaddexp(pb, pnb) + p)
                    continue
                last = prefix[-1] if prefix else None
                ext = prefix + (int(s),)
                e = nxt[ext]
                if s == last:
                    e[1] = np.logaddexp(e[1], pb + p)       # repeat needs a blank in between
                    same = nxt[prefix]
                    same[1] = np.logaddexp(same[1], pnb + p)
                else:
                    e[1] = np.logaddexp(e[1], np.logaddexp(pb, pnb) + p)
        beams = dict(sorted(((k, tuple(v)) for k, v in nxt.items()),
                            key=lambda kv: -np.logaddexp(*kv[1]))[:beam])
    best = max(beams.items(), key=lambda kv: np.logaddexp(*kv[1]))[0]
    return [s - 1 for s in best]


def edit_distance(ref: Sequence[int], hyp: Sequence[int]) -> int:
    """Levenshtein distance (substitutions, insertions, deletions all cost 1)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def per(refs: Iterable[Sequence[int]], hyps: Iterable[Sequence[int]]) -> float:
    """Phone error rate in percent: sum of edit distances / sum of reference lengths."""
    errs = total = 0
    for r, h in zip(refs, hyps):
        errs += edit_distance(list(r), list(h))
        total += len(r)
    return 100.0 * errs / max(total, 1)
