"""`python -m train`: the training flow's command line (subcommands below)."""
from __future__ import annotations

import argparse
import sys

from train.data import cli as data_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m train",
        description="Train block-circulant LSTM/GRU speech models (E-RNN flow).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    data_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
