"""``tf.train.Saver``: checkpoints of variable values, written atomically.

A checkpoint ``dir/model.ckpt-100`` is one file ``dir/model.ckpt-100.npz`` holding one array
per saved name (``np.savez``; never pickled, and read back with ``allow_pickle=False``),
and by default the meta graph ``dir/model.ckpt-100.meta`` (``graphflow.io``), from which
``import_meta_graph`` rebuilds the graph. Next to them, a text file ``checkpoint`` in TF's
format lists the latest and the kept checkpoints, so ``latest_checkpoint(dir)`` finds them.

Every file is written to a temporary name and moved into place with ``os.replace``: a crash
while saving leaves the previous checkpoint and state file intact. Restoring checks every
variable against the file before it changes any value, so a checkpoint that does not fit
leaves the session untouched.
"""

import contextlib
import os
import re
import time
import zipfile
import zlib

import numpy as np

from ..errors import DataLossError, InvalidArgumentError, NotFoundError
from ..graph import Tensor
from ..io.atomic import atomic_write
from ..io.meta_graph import export_meta_graph
from ..variables import Variable, global_variables

__all__ = ["Saver", "latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
           "CheckpointState", "list_variables", "load_variable"]

_DATA_SUFFIX = ".npz"
_STATE_FILENAME = "checkpoint"


class Saver:
    """Saves and restores the variables of ``var_list`` (all global variables by default,
    a list, or a dict from checkpoint name to variable), keeping the last ``max_to_keep``
    checkpoints (all when None or 0) plus one every ``keep_checkpoint_every_n_hours``.
    """

    def __init__(self, var_list=None, max_to_keep=5, keep_checkpoint_every_n_hours=10000.0,
                 name=None, allow_empty=False, pad_step_number=False):
        self._vars = _var_dict(global_variables() if var_list is None else var_list)
        if not self._vars and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = max_to_keep
        self._keep_every_s = keep_checkpoint_every_n_hours * 3600.0
        self._next_keep_time = time.time() + self._keep_every_s
        self._pad_step_number = pad_step_number
        self._name = name
        self._last_checkpoints = []  # [(prefix, time saved)], oldest first

    @property
    def last_checkpoints(self):
        """Prefixes of the checkpoints this saver keeps, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def recover_last_checkpoints(self, checkpoint_paths):
        """Adopts checkpoints written earlier (say by a previous run) as this saver's own,
        so ``max_to_keep`` also deletes them in time.
        """
        now = time.time()
        self._last_checkpoints = [(p, now) for p in checkpoint_paths if checkpoint_exists(p)]

    # ---- save --------------------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True):
        """Writes the variables' values to ``save_path[-global_step]`` and returns that
        prefix; with ``write_meta_graph`` also the graph, as ``<prefix>.<meta_graph_suffix>``.
        Then updates the directory's state file and drops checkpoints beyond the limit.
        """
        prefix = self._prefix(sess, save_path, global_step)
        directory = os.path.dirname(prefix) or "."
        if not os.path.isdir(directory):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        names = list(self._vars)
        values = sess.run([self._vars[n] for n in names])
        arrays = {}
        for name, value in zip(names, values, strict=True):
            arr = np.asarray(value)
            if arr.dtype.hasobject:
                raise TypeError(f"Saver: variable {name} of dtype {arr.dtype} cannot be "
                                "saved without pickling; only numeric and bool variables")
            arrays[name] = arr
        atomic_write(prefix + _DATA_SUFFIX, lambda f: np.savez(f, **arrays))
        if write_meta_graph:
            export_meta_graph(f"{prefix}.{meta_graph_suffix}", graph=sess.graph,
                              var_names=[v.op.name for v in self._vars.values()])
        expired = self._record(prefix)
        if write_state:
            _write_state(directory, latest_filename or _STATE_FILENAME, prefix,
                         self.last_checkpoints)
        for old in expired:  # only once the state file no longer lists them
            for suffix in (_DATA_SUFFIX, f".{meta_graph_suffix}"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(old + suffix)
        return prefix

    def _prefix(self, sess, save_path, global_step):
        if global_step is None:
            return save_path
        if isinstance(global_step, (Tensor, Variable)):
            global_step = sess.run(global_step)
        step = int(global_step)
        return f"{save_path}-{step:08d}" if self._pad_step_number else f"{save_path}-{step}"

    def _record(self, prefix):
        """Adds ``prefix`` to the kept checkpoints; returns those now beyond
        ``max_to_keep``, sparing one per ``keep_checkpoint_every_n_hours`` as TF does.
        """
        kept = [(p, t) for p, t in self._last_checkpoints if p != prefix]
        kept.append((prefix, time.time()))
        expired = []
        while self._max_to_keep and len(kept) > self._max_to_keep:
            old, saved_at = kept.pop(0)
            if saved_at > self._next_keep_time:
                self._next_keep_time += self._keep_every_s
            else:
                expired.append(old)
        self._last_checkpoints = kept
        return expired

    # ---- restore -----------------------------------------------------------------------
    def restore(self, sess, save_path):
        """Loads every variable from the checkpoint ``save_path``.

        All variables are checked first (present, same dtype, same shape); only then are
        values written, so a failing restore changes nothing.
        """
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        data = _read_checkpoint(save_path)
        checked = []
        for name, var in self._vars.items():
            if name not in data:
                raise NotFoundError(
                    message=f"Key {name} not found in checkpoint {save_path} (variable "
                            f"{var.op.name})")
            value = data[name]
            _check_fits(name, var, value, save_path)
            checked.append((var, value))
        for var, value in checked:
            var.load(value, sess)


def _var_dict(var_list):
    """``{checkpoint name: Variable}`` from a list of variables or such a dict."""
    if isinstance(var_list, dict):
        items = list(var_list.items())
    else:
        items = [(v.op.name if isinstance(v, Variable) else None, v) for v in var_list]
    result = {}
    for name, var in items:
        if not isinstance(var, Variable):
            raise TypeError(f"Saver: can only save Variables, got {var!r}")
        if name in result:
            raise ValueError(f"At least two variables have the same name: {name}")
        result[name] = var
    return result


def _check_fits(name, var, value, save_path):
    if value.dtype != var.dtype.np_dtype:
        raise InvalidArgumentError(
            message=f"Restoring {name} from {save_path}: the checkpoint holds dtype "
                    f"{value.dtype.name} but variable {var.op.name} has dtype {var.dtype.name}")
    if not var.shape.is_compatible_with(value.shape):
        raise InvalidArgumentError(
            message=f"Restoring {name} from {save_path}: the checkpoint holds shape "
                    f"{tuple(value.shape)} but variable {var.op.name} has shape "
                    f"{tuple(var.shape.as_list())}")


def _read_checkpoint(save_path):
    """All arrays of a checkpoint, read eagerly so corruption shows here, not later."""
    path = save_path + _DATA_SUFFIX
    if not os.path.isfile(path):
        raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError) as e:
        raise DataLossError(
            message=f"Unable to read checkpoint {path}: the file is corrupt or truncated "
                    f"({type(e).__name__}: {e})") from None


# ---- the checkpoint state file ---------------------------------------------------------

class CheckpointState:
    """The contents of a ``checkpoint`` state file (TF's CheckpointState proto)."""

    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)

    def __repr__(self):
        return (f"CheckpointState(model_checkpoint_path={self.model_checkpoint_path!r}, "
                f"all_model_checkpoint_paths={self.all_model_checkpoint_paths!r})")


def _write_state(directory, filename, latest, all_paths):
    """Writes the state file; paths are relative to ``directory`` so it can be moved."""
    def line(key, path):
        rel = os.path.relpath(path, directory)
        return f'{key}: "{_escape(rel)}"\n'

    text = line("model_checkpoint_path", latest)
    text += "".join(line("all_model_checkpoint_paths", p) for p in all_paths)
    atomic_write(os.path.join(directory, filename), lambda f: f.write(text.encode("utf-8")))


_LINE = re.compile(r'^\s*(\w+)\s*:\s*"((?:[^"\\]|\\.)*)"\s*$')


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The directory's CheckpointState with paths joined to ``checkpoint_dir``, or None
    when there is no state file.
    """
    path = os.path.join(checkpoint_dir, latest_filename or _STATE_FILENAME)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    latest, all_paths = None, []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        match = _LINE.match(text)
        if match is None:
            raise DataLossError(message=f"{path}:{number}: cannot parse {text!r}")
        key, value = match.group(1), os.path.join(checkpoint_dir, _unescape(match.group(2)))
        if key == "model_checkpoint_path":
            latest = value
        elif key == "all_model_checkpoint_paths":
            all_paths.append(value)
    if latest is None:
        raise DataLossError(message=f"{path}: no model_checkpoint_path entry")
    return CheckpointState(latest, all_paths)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the latest checkpoint in ``checkpoint_dir``, or None if there is none."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not checkpoint_exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def checkpoint_exists(checkpoint_prefix):
    return os.path.isfile(checkpoint_prefix + _DATA_SUFFIX)


def _resolve(ckpt_dir_or_file):
    """A checkpoint prefix from a directory (its latest checkpoint) or a prefix."""
    if os.path.isdir(ckpt_dir_or_file):
        prefix = latest_checkpoint(ckpt_dir_or_file)
        if prefix is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {ckpt_dir_or_file}")
        return prefix
    return ckpt_dir_or_file


def list_variables(ckpt_dir_or_file):
    """``[(name, shape)]`` of the arrays in a checkpoint, sorted by name."""
    data = _read_checkpoint(_resolve(ckpt_dir_or_file))
    return [(name, list(data[name].shape)) for name in sorted(data)]


def load_variable(ckpt_dir_or_file, name):
    """The array saved under ``name`` in a checkpoint."""
    prefix = _resolve(ckpt_dir_or_file)
    data = _read_checkpoint(prefix)
    if name.endswith(":0"):
        name = name[:-2]
    if name not in data:
        raise NotFoundError(message=f"Key {name} not found in checkpoint {prefix}")
    return data[name]


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text)
