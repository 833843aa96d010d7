"""Files a grader asks for (a gradebook CSV, a rubric, a split among graders), written so that
a failed write (a full disk, a folder that is not writable) leaves an existing file as it was:
through a temporary file beside the target, moved over it only once complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from gradedesk.domain import InputError

T = TypeVar("T")


def replace_file(target: Path, write: Callable[[TextIO], T], *, newline: str | None = None,
                 private: bool = False) -> T:
    """Write ``target`` (UTF-8) with ``write``; returns what ``write`` returned. A file that
    existed keeps its access rights; a new one gets the usual ones (the umask's), or, when
    ``private`` (it names students), is readable by you alone. InputError says what failed."""
    target = target.expanduser()
    try:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                            suffix=".part")  # made readable by you alone
    except OSError as exc:
        raise InputError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    partial = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline=newline) as out:
            written = write(out)
        if target.exists():
            os.chmod(partial, target.stat().st_mode & 0o777)  # replacing keeps its access
        elif not private:
            os.chmod(partial, 0o666 & ~_umask())  # a new file as any program would make it
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


def _umask() -> int:
    """The process's umask, read without changing it: setting it to read it back (the usual
    idiom) would, for an instant, widen the rights of files other threads create."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022  # the common default where the system does not say
