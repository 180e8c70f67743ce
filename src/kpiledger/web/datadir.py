"""The data directory: private by default, safe for two processes at once (standard library only,
imported by the settings before Django is set up).

- The directory is created 0700 and every file kpiledger creates in it 0600 (the SQLite ledger
  holds password hashes and sessions), whatever the settings.
- The secret key file appears whole or not at all: it is written to a temporary file and linked
  into place, so a second process never reads it half-written; an empty or unreadable key file
  (a crash of an older version) is replaced by a new key.
- `setup_lock()` serializes first setup and migrations between processes (flock).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
KEY_FILE, LOCK_FILE = "secret_key", "setup.lock"


def ensure_private_dir(directory: Path) -> Path:
    """Create `directory` (and missing parents) 0700; a directory kpiledger finds already made is
    left as it is (an administrator may share it on purpose)."""
    if not directory.is_dir():
        directory.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(directory, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return directory


def make_private(path: Path) -> None:
    """Narrow an existing file of ours to 0600 (a ledger made by an older version was 0644)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, PRIVATE_FILE)


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist (SQLite then keeps that mode and
    gives its journal and WAL files the same)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    make_private(path)


def secret_key(directory: Path) -> str:
    """The key kept in `directory/secret_key`, made once (0600). Safe when several processes
    start at once: the file is linked into place complete, and the first link wins."""
    ensure_private_dir(directory)
    path = directory / KEY_FILE
    key = _read_key(path)
    if key:
        return key
    with setup_lock(directory):  # one process makes it; the others read what it made
        key = _read_key(path)
        if not key:
            _publish_key(path, replace=path.exists())
            key = _read_key(path)
    if not key:
        raise RuntimeError(f"cannot create the secret key file {path}")
    return key


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return ""


def _publish_key(path: Path, *, replace: bool) -> None:
    """Write a new key to a temporary file and link it into place (or replace an empty one)."""
    descriptor, temporary = tempfile.mkstemp(prefix=".secret_key.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:  # mkstemp: mode 0600
            file.write(secrets.token_urlsafe(50))
            file.flush()
            os.fsync(file.fileno())
        if replace:
            print(
                f"秘密鍵ファイル {path} が空だったため作り直しました"
                "（ログイン中の利用者は再ログインが必要です）/ the secret key file "
                f"{path} was empty and has been made anew (signed-in users must sign in again)",
                file=sys.stderr,
            )
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):  # another process was first: keep its key
                os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@contextlib.contextmanager
def setup_lock(directory: Path, waiting_message: str = "") -> Iterator[None]:
    """Hold an exclusive lock on `directory/setup.lock` (waits for another process holding it;
    says so on stderr once). Released when the process ends, even by SIGKILL."""
    ensure_private_dir(directory)
    path = directory / LOCK_FILE
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting_message:
                print(waiting_message, file=sys.stderr, flush=True)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
