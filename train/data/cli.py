"""`python -m train data ...`: build, cache and describe speech corpora."""
from __future__ import annotations

import argparse
import json
import logging
import time

from .features import NORMS

__all__ = ["add_parser", "main"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the `data` subcommand on an argparse subparsers object."""
    p = subparsers.add_parser(
        "data", help="build/cache the speech corpus and print its statistics",
        description="Generate (first use) and cache the embedded synthetic speech corpus, or "
                    "read TIMIT, extract features and print corpus statistics: utterances, "
                    "hours, speakers and phone counts per class. See docs/data.md.")
    p.add_argument("action", nargs="?", choices=("stats", "phones"), default="stats",
                   help="stats: build/load the corpus and print statistics; "
                        "phones: print the espeak-ng -> TIMIT -> 39-class tables")
    p.add_argument("--corpus", choices=("default", "tiny"), default="default",
                   help="synthetic corpus size preset (ignored with --timit)")
    p.add_argument("--timit", metavar="PATH", default=None,
                   help="use TIMIT from PATH (the directory holding TRAIN/ and TEST/)")
    p.add_argument("--timit-test", default="core", metavar="SPEAKERS",
                   help="TIMIT test speakers: core, all (every TEST speaker outside the "
                        "development set) or comma-separated speaker ids")
    p.add_argument("--seed", type=int, default=0, help="synthetic corpus seed")
    p.add_argument("--n-utts", type=int, default=None,
                   help="total synthetic utterances (80/10/10 train/dev/test), overrides the preset")
    p.add_argument("--features", default="fbank40", choices=("mfcc39", "fbank153", "fbank40"),
                   help="feature preset (fbank40 is the small preset's)")
    p.add_argument("--feature-dim", type=int, default=None,
                   help="fbank+energy+deltas features of this dimension instead of --features")
    p.add_argument("--norm", choices=NORMS, default="speaker",
                   help="mean/variance normalization: per speaker, with the training split's "
                        "statistics, per utterance, or none")
    p.add_argument("--cache-dir", default=None, help="cache directory (default: $ERNN_DATA_DIR or data/)")
    p.add_argument("--workers", type=int, default=2, help="processes for generation and features")
    p.add_argument("--rebuild", action="store_true", help="ignore and rewrite cached files")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    p.set_defaults(func=main)
    return p


def _print_phones() -> None:
    from .phones import ESPEAK_TO_TIMIT, FOLD_61_TO_39, PHONES39

    print("39 classes (index: symbol):")
    print("  " + "  ".join(f"{i}:{p}" for i, p in enumerate(PHONES39)))
    print("\nTIMIT 61 -> 39 (symbols not listed map to themselves):")
    for p61, p39 in FOLD_61_TO_39.items():
        if p61 != p39:
            print(f"  {p61:5s} -> {p39 or '(deleted)'}")
    print("\nespeak-ng en-us mnemonic -> TIMIT 61:")
    for m, phones in ESPEAK_TO_TIMIT.items():
        print(f"  {m:5s} -> {' '.join(phones)}")


def main(args: argparse.Namespace) -> int:
    if args.action == "phones":
        _print_phones()
        return 0
    from dataclasses import replace

    from . import FeatureConfig, load_corpus

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.feature_dim is not None:
        feats = FeatureConfig.from_dim(args.feature_dim, norm=args.norm)
    else:
        feats = replace(FeatureConfig.preset(args.features), norm=args.norm)
    start = time.perf_counter()
    corpus = load_corpus("timit" if args.timit else args.corpus, timit_path=args.timit,
                         seed=args.seed, n_utts=args.n_utts, features=feats,
                         cache_dir=args.cache_dir, workers=args.workers, progress=True,
                         rebuild=args.rebuild, timit_test=args.timit_test)  # TimitError: train's main
    elapsed = time.perf_counter() - start
    stats = corpus.stats()
    stats["load_seconds"] = round(elapsed, 2)
    stats["meta"] = corpus.meta
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    print(f"corpus {corpus.name}: {corpus.meta.get('source')} "
          f"{corpus.meta.get('espeak_ng_version', '')}, features {feats.kind} dim {feats.dim}, "
          f"norm {feats.norm}")
    if "generation_seconds" in corpus.meta:
        print(f"generation time {corpus.meta['generation_seconds']} s "
              f"(features {corpus.meta.get('feature_seconds')} s); loaded in {elapsed:.1f} s")
    print(f"cache: {corpus.meta['cache_file']}")
    print(f"{'split':6s} {'utts':>6s} {'hours':>7s} {'speakers':>8s} {'frames':>9s} {'mean s':>7s}")
    for name, s in stats["splits"].items():
        print(f"{name:6s} {s['utterances']:6d} {s['hours']:7.3f} {s['speakers']:8d} "
              f"{s['frames']:9d} {s['mean_seconds']:7.2f}")
    print("phone tokens per class (all splits):")
    items = list(stats["phone_tokens"].items())
    for i in range(0, len(items), 8):
        print("  " + "  ".join(f"{p:>3s} {n:6d}" for p, n in items[i:i + 8]))
    return 0
