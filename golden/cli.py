"""The command lines' one convention for user errors.

A user error (a path that is missing or of the wrong kind, a refused option, a malformed input
file) is reported as ONE line on stderr, ``error: <the thing at fault>: <what is wrong>; <the
fix>``, with exit status 2 (argparse's own usage errors exit 2 as well) and no traceback.
``ERNN_DEBUG=1`` in the environment shows the traceback instead.  Every ``main()`` of
``python -m train``, ``python -m fpga``, scripts/ and bench/ goes through ``run``.

Their parsers are ``ArgumentParser``s (with their subcommands' parsers), whose ``HelpFormatter``
shows each option's default once, ``(default: X)``, and only when it means something.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

EXIT_USAGE = 2
DEBUG_ENV = "ERNN_DEBUG"


class UsageError(Exception):
    """A mistake in the command line or in the files it names; the message names the thing at
    fault and the fix, in one line."""


def debugging() -> bool:
    """True when ``ERNN_DEBUG`` is set to anything but '' or '0'."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def message(e: BaseException) -> str:
    """The exception's text (a KeyError's without the quotes ``str`` adds)."""
    return str(e.args[0]) if len(e.args) == 1 else str(e)


def run(command: Callable[..., int], *args, errors: tuple[type[BaseException], ...] = (),
        failures: tuple[type[BaseException], ...] = ()) -> int:
    """``command(*args)``.  A ``UsageError``, or one of ``errors`` (exceptions the caller expects
    to carry a user-facing message), becomes ``error: <message>`` on stderr and ``EXIT_USAGE``;
    one of ``failures`` (the job itself failed, e.g. an external tool) the same line and exit
    status 1.  With ``ERNN_DEBUG`` set they propagate with their traceback instead."""
    try:
        return command(*args)
    except (UsageError, *errors) as e:
        error, status = e, EXIT_USAGE
    except failures as e:
        error, status = e, 1
    if debugging():
        raise error
    print(f"error: {message(error)}", file=sys.stderr)
    return status


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description's line breaks and ends an option's help with ``(default: X)``
    when its default is a value.  A default of None or '' shows nothing (an option whose
    default depends on other options says so in its help: ``(default: the preset's)``), nor
    does an on/off flag's."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help = action.help or ""
        default = action.default
        if isinstance(default, (list, tuple)):     # as typed: --ks 1 2 4
            default = " ".join(map(str, default))
        optional = action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE)
        if not optional or default in (None, "", argparse.SUPPRESS) or isinstance(default, bool):
            return help
        return f"{help} (default: {str(default).replace('%', '%%')})".lstrip()


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with ``HelpFormatter``; its subcommands' parsers
    (``add_subparsers().add_parser``) are of this class too."""

    def __init__(self, *args, formatter_class=HelpFormatter, **kwargs):
        super().__init__(*args, formatter_class=formatter_class, **kwargs)
