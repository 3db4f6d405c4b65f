"""The command lines' help texts (golden.cli.HelpFormatter): every subcommand's `--help` of
`python -m train` and `python -m fpga` shows each option's default once, and no empty one."""
from __future__ import annotations

import argparse
import re

import pytest

from fpga import __main__ as fpga_cli
from train import __main__ as train_cli

CLIS = {"train": train_cli, "fpga": fpga_cli}
SUBCOMMANDS = [(name, cmd) for name, cli in CLIS.items()
               for action in cli.build_parser()._actions
               if isinstance(action, argparse._SubParsersAction) for cmd in action.choices]
STATES_DEFAULT = re.compile(r"\bdefault[: ]")


def entries(help_text: str) -> list[str]:
    """The help's argument entries (an option's or positional's invocation and help, with
    its continuation lines), each as one line."""
    out: list[str] = []
    for line in help_text.splitlines():
        if re.match(r"  \S", line):
            out.append(line.strip())
        elif line.startswith("    ") and out:
            out[-1] += " " + line.strip()
        elif line.strip() and not line.startswith(" "):     # a group's title ends the entry
            out.append("")
    return [e for e in out if e]


def test_every_subcommand_has_help():
    assert {c for n, c in SUBCOMMANDS if n == "train"} >= {"fit", "eval", "export", "check",
                                                          "explore", "data"}
    assert {c for n, c in SUBCOMMANDS if n == "fpga"} >= {"synth", "fmax", "model", "calibrate"}


@pytest.mark.parametrize("name,command", SUBCOMMANDS)
def test_help_shows_each_default_once(name, command, capsys):
    with pytest.raises(SystemExit) as e:
        CLIS[name].main([command, "--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    assert "(default: )" not in text and "(default: None)" not in text, text
    found = entries(text)
    assert any(e.startswith("-h, --help") for e in found), text
    for entry in found:
        assert len(STATES_DEFAULT.findall(entry)) <= 1, f"{name} {command}: {entry}"


def help_text(argv: list[str], capsys) -> str:
    """`python -m train <argv> --help`, its whitespace collapsed."""
    with pytest.raises(SystemExit):
        train_cli.main([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_help_shows_meaningful_defaults(capsys):
    fit = help_text(["fit"], capsys)
    assert "--epochs EPOCHS epoch budget (all modes) (default: 20)" in fit
    assert "--timit PATH TIMIT directory (TRAIN/, TEST/) --timit-test" in fit  # default ''
    assert "--resume continue from --out/checkpoint.pt --threads" in fit      # a flag
    assert "block sizes (1: the dense baseline) (default: 1 2 4 8 16)" in help_text(["explore"], capsys)
