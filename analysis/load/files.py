"""Files: which inputs a corpus path holds, and reading them without blocking or without limit.

In: paths given by the user, and ``LoadLimits``. Out: ``walk_inputs(root)`` yields
``(file, doc_id stem, stat)`` for every regular file under ``root`` and a ``Rejection``
for everything that cannot be an input: a special file (named pipe, device,
socket), an unreadable directory, a broken symbolic link, a symbolic link loop,
a directory already read through another link. ``open_regular(path)`` opens a file
without ever blocking (a FIFO swapped in after the walk is refused, not waited on)
and ``read_capped(path, cap)`` reads at most ``cap`` bytes. Symbolic links to
directories are followed, each real directory is read once.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .decode import RejectedInput
from .records import Rejection

MIB = 2**20


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on the work one input can cause.

    ``max_text_chars``: a document's text longer than this is truncated, with a
    warning on its row (2 000 000 characters by default, about 40 times the
    longest real article). ``max_document_bytes``: a ``.txt``/``.html`` file or one
    JSON line larger than this is rejected unread. ``max_file_bytes``: a ``.json``,
    ``.csv`` or ``.parquet`` file, read whole, larger than this is rejected.
    """

    max_text_chars: int = 2_000_000
    max_document_bytes: int = 64 * MIB
    max_file_bytes: int = 1024 * MIB

    def __post_init__(self) -> None:
        for name in ("max_text_chars", "max_document_bytes", "max_file_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LoadLimits.{name} must be a positive integer, got {value!r}")


DEFAULT_LIMITS = LoadLimits()

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-directory file is ("a named pipe (FIFO)" …), else None."""
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "not a regular file"


def _not_regular(kind: str) -> str:
    return f"not a regular file: {kind}, not read"


def stat_error(path: Path, exc: OSError) -> str:
    """The reason for a path whose ``os.stat`` failed."""
    if exc.errno == errno.ELOOP:
        return "unreadable: symbolic link loop"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return f"unreadable: broken symbolic link (its target {os.readlink(path)!r} does not exist)"
    return f"unreadable: {exc.strerror or exc}"


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file; never blocks.

    O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer);
    the open file is then checked to be regular, so nothing else is ever read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise RejectedInput(stat_error(path, exc)) from None
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise RejectedInput(_not_regular(kind))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: Path, cap: int, what: str = "file") -> bytes:
    """The bytes of a regular file, or ``RejectedInput`` if it has more than ``cap``."""
    with open_regular(path) as handle:
        try:
            data = handle.read(cap + 1)
        except OSError as exc:
            raise RejectedInput(f"unreadable: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise RejectedInput(f"{what} larger than the limit of {cap:,} bytes, not read")
    return data


def walk_inputs(root: Path) -> Iterator[tuple[Path, str, os.stat_result] | Rejection]:
    """``(file, doc_id stem, stat)`` per regular file under ``root``, sorted; a ``Rejection`` per non-input.

    ``stat`` is the file's as the walk saw it (size and times: what a build compares to
    skip an unchanged file).

    Directories are read in sorted order, the files of a directory before its
    subdirectories (as ``os.walk`` does), so ids and load order are stable.
    """
    try:
        info = os.stat(root)
    except OSError as exc:
        if exc.errno == errno.ENOENT and not root.is_symlink():
            yield Rejection(str(root), "no such file or directory")
        else:
            yield Rejection(str(root), stat_error(root, exc))
        return
    if not stat.S_ISDIR(info.st_mode):
        kind = special_kind(info.st_mode)
        yield Rejection(str(root), _not_regular(kind)) if kind else (root, root.stem, info)
        return
    visited: dict[tuple[int, int], Path] = {}
    # Each entry: a directory, its path relative to root, and the (device, inode) of it and its parents.
    stack: list[tuple[Path, Path, frozenset[tuple[int, int]]]] = []
    key = (info.st_dev, info.st_ino)
    visited[key] = root
    stack.append((root, Path(), frozenset({key})))
    while stack:
        directory, rel, ancestors = stack.pop()
        try:
            with os.scandir(directory) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            yield Rejection(str(directory), f"unreadable directory: {exc.strerror or exc}")
            continue
        subdirs: list[tuple[Path, Path, frozenset[tuple[int, int]]]] = []
        for name in names:
            path = directory / name
            try:
                info = os.stat(path)
            except OSError as exc:
                yield Rejection(str(path), stat_error(path, exc))
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    yield Rejection(str(path), "symbolic link loop: links to a directory that contains it, not followed")
                elif key in visited:
                    yield Rejection(str(path), f"the same directory as {visited[key]}, already read")
                else:
                    visited[key] = path
                    subdirs.append((path, rel / name, ancestors | {key}))
                continue
            kind = special_kind(info.st_mode)
            if kind is not None:
                yield Rejection(str(path), _not_regular(kind))
                continue
            yield path, (rel / name).with_suffix("").as_posix(), info
        stack.extend(reversed(subdirs))
