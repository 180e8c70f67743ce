"""An argparse parser whose own errors are in Japanese and English.

argparse writes its errors in English only ("the following arguments are required: --org").
`Parser.error` puts a Japanese sentence first for each kind of argparse error, keeps the English
below it, and names the help command; messages from kpiledger's own option types are already
bilingual and are shown as they are.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from kpiledger.cli.terminal import printable

EXIT_USAGE = 2

# argparse's English messages (CPython 3.11–3.13) and their Japanese.
TRANSLATIONS = (
    (re.compile(r"the following arguments are required: (.+)"), "次の指定が必要です: {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "解釈できない引数です: {0}"),
    (
        re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"),
        "{0} に {1} は指定できません（指定できるのは {2}）",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "{0} には値を1つ指定してください"),
    (re.compile(r"argument (\S+): expected at least one argument"), "{0} には値が必要です"),
    (re.compile(r"argument (\S+): invalid \S+ value: (.+)"), "{0} の値 {1} が正しくありません"),
    (
        re.compile(r"argument (\S+): not allowed with argument (\S+)"),
        "{0} と {1} は同時に使えません",
    ),
    (re.compile(r"ambiguous option: (\S+) could match (.+)"), "{0} は {1} のどれか分かりません"),
    (re.compile(r"argument (\S+): ignored explicit argument (.+)"), "{0} は値 {1} を取りません"),
)


# "argument --port: 整数ではありません / not a whole number: 'abc'" (see cli/options.py)
OWN_MESSAGE = re.compile(r"argument (\S+): (.+?) / (.+)", re.DOTALL)


def japanese(message: str) -> str | None:
    """The Japanese of an argparse error message, or None when it is not one of argparse's."""
    for pattern, template in TRANSLATIONS:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*match.groups())
    return None


class Parser(argparse.ArgumentParser):
    """`argparse.ArgumentParser` with bilingual errors (exit status 2, as argparse)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        ja, en = japanese(message), message
        own = OWN_MESSAGE.fullmatch(message)  # an option type's message, already bilingual
        if own:
            ja, en = f"{own[1]}: {own[2]}", f"argument {own[1]}: {own[3]}"
        lines = [f"{self.prog}: エラー / error: {message}"]
        if ja is not None:
            lines = [f"{self.prog}: エラー: {ja}", f"    error: {en}"]
        lines.append(f"詳しくは / see: {self.prog} --help")
        self.exit(EXIT_USAGE, printable("\n".join(lines)) + "\n")
