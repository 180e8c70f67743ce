"""Text for a terminal: what a file says is shown literally."""

from __future__ import annotations

#: C0 and C1 control characters (but tab and line feed) and DEL, written as `\x1b`.
_CONTROLS = {
    code: f"\\x{code:02x}"
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]
    if code not in (0x09, 0x0A)
}


def printable(text: str) -> str:
    """`text` for a terminal: a control character from a file (ESC, BEL, NUL …) is written
    visibly as `\\x1b` rather than sent to the terminal, where it would be invisible or act
    (clear the screen, change colours). Everything else is kept as is."""
    return text.translate(_CONTROLS)
