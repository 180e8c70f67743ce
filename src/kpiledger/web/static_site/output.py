"""The output folder: built aside, then renamed into place, so that an interrupted run leaves the
previous site (or none), never half a site.

The site is written into `DIR.tmp-XXXX` beside DIR; at the end the old DIR (if any) is renamed
away, the new one renamed to DIR and the old one removed. A folder that is not empty and holds
no previous kpiledger site (its marker file `.kpiledger-site`) is refused unless `force`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from kpiledger.core.errors import KpiledgerError

MARKER = ".kpiledger-site"
MARKER_TEXT = "kpiledger publish --all\n"  # no time stamp: publishing twice gives equal files


def check_target(target: Path, force: bool) -> None:
    """Refuse a DIR that is a file, or a non-empty folder that is no kpiledger site (unless
    `force`), before anything is built."""
    if target.exists() and not target.is_dir():
        raise KpiledgerError.single(
            "output-not-folder",
            f"{target} はフォルダではありません。公開先には新しいフォルダか、以前 kpiledger publish"
            " で作ったフォルダを指定してください",
            f"{target} is not a folder; give a new folder or one made by kpiledger publish",
        )
    if not target.parent.is_dir():
        raise KpiledgerError.single(
            "output-parent-missing",
            f"{target.parent} というフォルダがありません",
            f"the folder {target.parent} does not exist",
        )
    if force or not target.is_dir() or (target / MARKER).is_file():
        return
    if any(target.iterdir()):
        raise KpiledgerError.single(
            "output-not-empty",
            f"{target} は空ではなく、kpiledger publish で作ったサイトでもありません。中身を"
            "置き換えてよい場合は --force を付けてください",
            f"{target} is not empty and holds no site made by kpiledger publish; add --force"
            " to replace what it holds",
        )


def start(target: Path) -> Path:
    """A new empty folder beside `target` to build the site in."""
    try:
        return Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp-", dir=target.parent))
    except OSError as error:
        raise cannot_write(target.parent, error) from None


def finish(built: Path, target: Path) -> None:
    """Put the built site in place of `target` (the old one renamed away first, then removed)."""
    (built / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    os.chmod(built, 0o755)  # mkdtemp makes it private; a site is for reading
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(built: Path) -> None:
    shutil.rmtree(built, ignore_errors=True)


def cannot_write(folder: Path, error: OSError) -> KpiledgerError:
    return KpiledgerError.single(
        "output-cannot-write",
        f"{folder} に書き込めません（{error.strerror}）",
        f"cannot write into {folder} ({error.strerror})",
    )
