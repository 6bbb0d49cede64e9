"""Keras's dataset cache: ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``).

A file found there is used as is. Otherwise it is downloaded and its SHA-256 checked; when
the machine is offline the error says exactly which file to put where.
"""

import hashlib
import os
import shutil
import urllib.request


def cache_dir(cache_subdir="datasets"):
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(base, cache_subdir)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def get_file(fname, origin, file_hash=None, cache_subdir="datasets"):
    """The local path of ``fname``, downloading it from ``origin`` when it is missing."""
    if os.path.isabs(fname) and os.path.exists(fname):
        return fname
    folder = cache_dir(cache_subdir)
    path = os.path.join(folder, fname)
    if os.path.exists(path):
        return path
    try:
        os.makedirs(folder, exist_ok=True)
        tmp = path + ".part"
        with urllib.request.urlopen(origin, timeout=30) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as e:
        raise OSError(
            f"Could not find '{fname}' in {folder} and could not download it from {origin} "
            f"({e}). Without a network connection, download that file elsewhere and copy it "
            f"to {path} (set KERAS_HOME to use another folder than ~/.keras)."
        ) from None
    if file_hash and _sha256(tmp) != file_hash:
        os.remove(tmp)
        raise ValueError(f"The file downloaded from {origin} is corrupt: its SHA-256 does not "
                         f"match {file_hash}. Delete it and try again.")
    os.replace(tmp, path)
    return path
