"""Writing files so that a crash never leaves a half-written file under the real name."""

import contextlib
import os
import uuid


def atomic_write(path, write):
    """Writes ``path`` through ``write(file)`` on a temporary file, then renames it.

    ``os.replace`` is atomic on POSIX and Windows, so readers see the old file or the new
    one, never a torn one; on any failure the temporary file is removed.
    """
    tmp = f"{path}.tmp-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
