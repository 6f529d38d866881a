"""Files that must not outlive the process that writes them, even when it is killed.

A ``finally`` clause removes a temporary file on every way out but one: SIGKILL (the OOM
killer, an operator's ``kill -9``) runs no Python. For that one, a small watcher process is
forked beside the writer. It holds nothing of the writer's (files, the database
connection) and waits on a pipe that only the writer holds open; when every holder of the
pipe's write end is gone, however it went, the watcher removes the path and exits.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from secrets import token_hex


@contextmanager
def removed_on_exit(path: str | Path) -> Iterator[None]:
    """Remove ``path`` (a file or a directory) when the block ends, or when this process
    dies without ending it. A path already gone (renamed into place) is left alone.

    The watcher is in place before the block runs: the caller creates the path inside it,
    so there is no moment when the path exists unwatched."""
    read_end, write_end = os.pipe()
    watcher = os.fork()
    if watcher == 0:  # pragma: no cover - runs in the forked processes
        _watch(read_end, write_end, str(path))
    os.close(read_end)
    os.waitpid(watcher, 0)
    try:
        yield
    finally:
        os.close(write_end)
        _remove(str(path))


@contextmanager
def scratch_directory(prefix: str) -> Iterator[str]:
    """A temporary directory (in ``TMPDIR``) named ``<prefix><pid>-…`` after the process it
    belongs to, removed when the block ends or the process dies."""
    directory = os.path.join(tempfile.gettempdir(), f"{prefix}{os.getpid()}-{token_hex(4)}")
    with removed_on_exit(directory):
        os.mkdir(directory, 0o700)
        yield directory


def _remove(path: str) -> None:
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(FileNotFoundError):
            os.unlink(path)


def _watch(read_end: int, write_end: int, path: str) -> None:  # pragma: no cover
    """The watcher: detached (its parent exits at once, so the writer need not wait for
    it), it closes every file it inherited, blocks until the pipe's write end is closed
    everywhere, removes the path and exits. Never returns."""
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        os.close(write_end)
        for low, high in ((0, read_end), (read_end + 1, os.sysconf("SC_OPEN_MAX"))):
            os.closerange(low, high)
        while os.read(read_end, 1):
            pass
        _remove(path)
    finally:
        os._exit(0)
