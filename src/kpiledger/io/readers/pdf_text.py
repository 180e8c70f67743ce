"""A PDF page's characters as lines, pieces and texts, for `pdf` (no pdfplumber here).

- A line: characters whose vertical middles lie within half a letter of each other, left to
  right.
- A text: a line's characters with a space where the PDF drew one, or left a gap wider than a
  third of a letter (a space not drawn: Excel's export positions each glyph on its own and draws
  no space). A run of single kana or kanji each set apart by the same gap is one letter-spaced
  word (「移 住 者 数」 → 移住者数: a label spread over its cell), never words apart.
- A piece: a run of a line's characters without a gap of `PIECE_GAP` letters; a letter-spaced
  word is one piece, however wide it is spread. A table without rules is told apart into
  columns by the gaps between pieces.
- A cell's text: its lines joined without a break (`cell_text`): nothing between two Japanese
  lines, one space where the PDF drew one at the break or between two ASCII words.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

CID = re.compile(r"^\(cid:\d+\)$")
WORD_END = re.compile(r"[A-Za-z0-9,.;:!?)\]]")  # ends an ASCII word before a wrap
WORD_START = re.compile(r"[A-Za-z0-9(\[]")
CLOSING = frozenset("、。，．）」』】〕］｝〉》")
OPENING = frozenset("（「『【〔［｛〈《")
#: A gap wider than this many letters parts a line into pieces (a column's gap is wider).
PIECE_GAP = 0.75
#: The widest gap (in letters) between the characters of a letter-spaced word.
SPREAD_GAP = 2.5


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def size(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


def char_of(obj: dict[str, Any]) -> Char:
    text = str(obj["text"])
    return Char(text, float(obj["x0"]), float(obj["x1"]), float(obj["top"]), float(obj["bottom"]))


@dataclass
class Line:
    """Characters on one line (or a piece of one), left to right."""

    chars: list[Char]
    parts: list[Line] | None = field(default=None, repr=False, compare=False)  # its pieces

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.chars)

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def size(self) -> float:
        return statistics.median(c.size for c in self.chars)

    @property
    def text(self) -> str:
        return clean(line_text(self.chars))


def lines(chars: Iterable[Char]) -> list[Line]:
    """Characters grouped into lines by their vertical middle, each read left to right."""
    found: list[Line] = []
    line: list[Char] = []
    for char in sorted(chars, key=lambda c: (c.middle, c.x0)):
        if line and abs(char.middle - line[0].middle) > min(char.size, line[0].size) / 2:
            found.append(Line(sorted(line, key=lambda c: c.x0)))
            line = []
        line.append(char)
    if line:
        found.append(Line(sorted(line, key=lambda c: c.x0)))
    return found


def pieces(line: Line) -> list[Line]:
    """`line` parted at gaps wider than `PIECE_GAP` letters, letter-spaced words kept whole
    (found once per line)."""
    if line.parts is None:
        line.parts = _pieces(line)
    return line.parts


def _pieces(line: Line) -> list[Line]:
    spread = _spread(line.chars)
    parts: list[Line] = []
    for index, char in enumerate(line.chars):
        previous = line.chars[index - 1] if index else None
        wide = previous is not None and _ink_gap(previous, char) > PIECE_GAP * char.size
        if not parts or (wide and not (spread[index] >= 0 and spread[index - 1] == spread[index])):
            parts.append(Line([]))
        parts[-1].chars.append(char)
    return [p for p in parts if any(c.text.strip() for c in p.chars)]


def _ink_gap(left: Char, right: Char) -> float:
    """The gap between two characters' ink: a fullwidth closing mark (、。）」】) is inked in
    the left half of its box, an opening one (（「【) in the right half, so a line that hangs
    its last 「、」 or 「】」 past its cell (Word's ぶら下げ) stays apart from the next cell."""
    x1 = (
        left.x1 - left.size / 2
        if left.text in CLOSING and left.x1 - left.x0 > 0.8 * left.size
        else left.x1
    )
    x0 = (
        right.x0 + right.size / 2
        if right.text in OPENING and right.x1 - right.x0 > 0.8 * right.size
        else right.x0
    )
    return x0 - x1


def line_text(chars: list[Char]) -> str:
    """The characters of one line as text (see the module). Spaces at a line's ends are kept
    (they tell a wrap at a space)."""
    ordered = sorted(chars, key=lambda c: c.x0)
    spread = _spread(ordered)
    text = ""
    for index, char in enumerate(ordered):
        if index:
            gap = char.x0 - ordered[index - 1].x1
            joined = spread[index] >= 0 and spread[index - 1] == spread[index]
            if gap > char.size / 3 and not joined and not text.endswith(" ") and char.text != " ":
                text += " "
        text += "\ufffd" if CID.match(char.text) else char.text
    return text


def _spread(chars: list[Char]) -> list[int]:
    """For each character, the letter-spaced word it belongs to (its first character's index;
    -1: none). A letter-spaced word is a run of two or more
    single kana or kanji, each apart from the next by one same gap (more than a third of a
    letter, at most `SPREAD_GAP` letters), with gaps as wide or nothing at the run's ends."""
    marks = [-1] * len(chars)
    gaps = [chars[i + 1].x0 - chars[i].x1 for i in range(len(chars) - 1)]
    if not any(gap > chars[i].size / 3 for i, gap in enumerate(gaps)):
        return marks  # no gap at all: the common line
    start = 0
    while start < len(chars) - 1:
        end = start
        while end < len(gaps) and _spaced_pair(chars, gaps, start, end):
            end += 1
        if end > start and _stands_apart(gaps, start, end):
            for index in range(start, end + 1):
                marks[index] = start
        start = max(end, start + 1)
    return marks


def _spaced_pair(chars: list[Char], gaps: list[float], start: int, index: int) -> bool:
    """Whether chars[index] and chars[index + 1] continue the letter-spaced run from `start`."""
    size = chars[index].size
    if not (_letter(chars[index].text) and _letter(chars[index + 1].text)):
        return False
    if not size / 3 < gaps[index] <= SPREAD_GAP * size:
        return False
    return abs(gaps[index] - gaps[start]) <= max(0.5, 0.15 * gaps[start])


def _stands_apart(gaps: list[float], start: int, end: int) -> bool:
    """The run's neighbours are at least as far as its own gap: 「館 お」 in 「音別館 おんぼーと」
    (a space not drawn between two words) is no letter-spaced word."""
    own = gaps[start]
    before = gaps[start - 1] if start > 0 else None
    after = gaps[end] if end < len(gaps) else None
    return all(g is None or g >= own - 0.5 for g in (before, after))


def _letter(text: str) -> bool:
    """A kana or kanji (never a digit, an ASCII letter or a sign: 「- - 1」 stays apart)."""
    return len(text) == 1 and unicodedata.category(text) == "Lo"


def cell_text(chars: Iterable[Char]) -> str:
    """A cell's lines joined as the module says (no `\\n`), NFC, trimmed."""
    text = ""
    for line in lines(chars):
        part = line_text(line.chars)
        if not text.strip():
            text = part
        elif text.endswith(" ") or part.startswith(" "):
            text = text.rstrip() + " " + part.lstrip()
        elif WORD_END.match(text[-1]) and WORD_START.match(part[0]):
            text += " " + part
        else:
            text += part
    return clean(text)


def text_lines(chars: Iterable[Char]) -> Iterator[tuple[float, str]]:
    for line in lines(chars):
        text = clean(line_text(line.chars))
        if text:
            yield line.top, text


def clean(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()
