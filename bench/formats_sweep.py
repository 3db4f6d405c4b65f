"""Measure how each number format of the datapath affects accuracy (SQNR of the bit-accurate
model against float), one format varied at a time around the defaults.

    .venv/bin/python bench/formats_sweep.py > docs/formats_sweep.txt

The defaults in golden/formats.py are chosen from this table: the cheapest setting whose SQNR is
within ~0.5 dB of the widest setting tried (see docs/numerics.md).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np


from golden.formats import Formats
from golden.model import Model, ModelConfig
from golden.runner import run_fixed, run_float

VARIANTS = {
    "data": ["s16.10", "s16.11", "s16.12", "s16.13", "s20.16"],
    "weight": ["s12.10", "s14.12", "s16.14", "s20.18"],
    "spec": ["s18.10", "s20.12", "s24.16"],
    "tw_width": [12, 14, 16, 18, 20],
    "act_seg_bits": [4, 5, 6, 7, 8, 9],
    "gate": ["s12.10", "s16.14", "s20.18"],
}
LINKED = {"data": ("pre", "bias", "cell")}      # these formats move together with 'data'


def models():
    rng_x = np.random.default_rng(0).standard_normal((100, 4, 16))
    for cell, kw in (("lstmp", dict(cell="lstm", proj_size=32, peephole=True)),
                     ("gru", dict(cell="gru"))):
        cfg = ModelConfig(input_size=16, hidden_size=64, num_layers=2, k=8, **kw)
        yield cell, Model.random(cfg, 3, gain=2.0), rng_x


def sqnr(ref, x):
    return 10 * np.log10(np.mean(ref ** 2) / np.mean((ref - x) ** 2))


def main() -> None:
    base = Formats()
    cases = list(models())
    refs = {name: run_float(m, x).outputs for name, m, x in cases}
    print(f"SQNR (dB) of the bit-accurate model vs float; defaults: {base.to_dict()}")
    print(f"models: 2-layer, H=64, k=8, 100 steps x 4 sequences: {', '.join(n for n, _, _ in cases)}\n")
    print(f"{'field':14s} {'value':>8s} " + " ".join(f"{n:>8s}" for n, _, _ in cases))
    for field, values in VARIANTS.items():
        for v in values:
            kw = {field: v}
            for other in LINKED.get(field, ()):
                kw[other] = v
            F = replace(base, **kw)
            row = []
            for name, m, x in cases:
                m2 = Model(replace(m.config, formats=F), m.params)
                row.append(sqnr(refs[name], run_fixed(m2, x).outputs))
            mark = " <- default" if getattr(base, field) == v else ""
            print(f"{field:14s} {str(v):>8s} " + " ".join(f"{s:8.2f}" for s in row) + mark)


if __name__ == "__main__":
    main()
