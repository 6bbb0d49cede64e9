"""The ``.keras`` zip (config.json, metadata.json, model.weights.h5) and ``.weights.h5``.

Weights are stored in Keras 3's HDF5 layout: ``layers/<path>/vars/<i>`` where each
layer's path is its class name in snake case made unique within its parent (``dense``,
``dense_1``, ...) in the order of ``model.layers``; recurrent layers keep theirs under
``cell``; the optimizer's under ``optimizer/vars``. Loading reads JSON and HDF5 only: no
pickle and no marshal, and a Lambda layer needs ``safe_mode=False``.
"""

import datetime
import io
import json
import os
import zipfile

import numpy as np

from .. import backend
from .config import deserialize_layer, safe_mode_scope, serialize_layer

_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Saving and loading weights needs h5py: `pip install h5py`.") from None
    return h5py


def _snake(layer):
    return backend.snake_case(type(layer).__name__)


def _children(layer):
    """A layer's sublayers with their unique snake-case names, as Keras walks them."""
    from ..models import Model

    if isinstance(layer, Model):
        items = layer.layers
    else:
        items = layer._layers
    names, out = {}, []
    for child in items:
        base = _snake(child)
        count = names.get(base, 0)
        names[base] = count + 1
        out.append((base if count == 0 else f"{base}_{count}", child))
    return out


def _child_paths(layer, path):
    """Where each sublayer's weights go: named attributes (``forward_layer``) for layers
    that declare them, else ``layers/<unique snake-case class name>``."""
    prefix = f"{path}/" if path else ""
    named = getattr(layer, "saved_sublayers", None)
    if named:
        return [(prefix + attr, getattr(layer, attr)) for attr in named]
    return [(f"{prefix}layers/{name}", child) for name, child in _children(layer)]


def _walk(layer, path, visit):
    """Calls ``visit(path, layer, weights)`` for the layer and every sublayer; recurrent
    layers keep their weights one level down (``cell``), as Keras 3 does."""
    sub = getattr(layer, "weights_subpath", None)
    if sub:
        visit(path, layer, [])
        visit(f"{path}/{sub}", layer, layer._own_weights)
    else:
        visit(path, layer, layer._own_weights)
    for child_path, child in _child_paths(layer, path):
        _walk(child, child_path, visit)


def _write_weights(model, h5file):
    sess = backend.graph_state(model._graph).session

    def visit(path, layer, weights):
        group = h5file.require_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = layer.name
        values = sess.run(_local(model, weights)) if weights else []
        for i, value in enumerate(values):
            group.create_dataset(str(i), data=np.asarray(value))

    _walk(model, "", visit)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and optimizer.variables:
        group = h5file.require_group("optimizer/vars")
        group.attrs["name"] = optimizer.name
        for i, value in enumerate(sess.run(list(optimizer.variables))):
            group.create_dataset(str(i), data=np.asarray(value))


def _local(model, weights):
    """Weights as seen in the model's graph (its layers may come from other models)."""
    return [backend.local_variable(w, model._graph) for w in weights]


def _read_weights(model, h5file, skip_mismatch=False):
    sess = backend.graph_state(model._graph).session

    def visit(path, layer, weights):
        key = f"{path}/vars" if path else "vars"
        if not weights:
            return
        if key not in h5file:
            raise ValueError(f"The weights file has no entry '{key}' for layer '{layer.name}'.")
        group = h5file[key]
        if len(group) != len(weights):
            if skip_mismatch:
                return
            raise ValueError(f"Layer '{layer.name}' expects {len(weights)} variables, but the "
                             f"weights file has {len(group)} at '{key}'.")
        for i, var in enumerate(_local(model, weights)):
            value = np.asarray(group[str(i)])
            if tuple(value.shape) != tuple(var.shape.as_list()):
                if skip_mismatch:
                    continue
                raise ValueError(f"Layer '{layer.name}' weight {i} has shape "
                                 f"{tuple(var.shape.as_list())}; the file has {value.shape}.")
            var.load(value, session=sess)

    _walk(model, "", visit)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and "optimizer/vars" in h5file and model.compiled:
        model._step("train")
        group = h5file["optimizer/vars"]
        if len(group) == len(optimizer.variables):
            for i, var in enumerate(optimizer.variables):
                var.load(np.asarray(group[str(i)]), session=sess)


def _compile_config(model):
    if not getattr(model, "compiled", False):
        return None
    from .. import losses, optimizers

    config = model._compile_config
    loss = config["loss"]
    return {"optimizer": optimizers.serialize(model.optimizer),
            "loss": loss if isinstance(loss, (str, list, dict, type(None)))
            else losses.serialize(losses.get(loss)),
            "loss_weights": config["loss_weights"],
            "metrics": _plain(config["metrics"]),
            "weighted_metrics": _plain(config["weighted_metrics"]),
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _plain(specs):
    """Metric specs as JSON: names stay names, objects become their serialized form."""
    from .. import metrics

    if specs is None or isinstance(specs, str):
        return specs
    if isinstance(specs, dict):
        return {k: _plain(v) for k, v in specs.items()}
    if isinstance(specs, (list, tuple)):
        return [_plain(s) for s in specs]
    if isinstance(specs, metrics.Metric):
        return metrics.serialize(specs)
    raise ValueError(f"Cannot save metric {specs!r}: use a name or a Metric object.")


def save_model(model, filepath, overwrite=True):
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add the `.keras` "
                         f"extension to save the model in the Keras zip format. Received: "
                         f"filepath={filepath}")
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    from .. import __version__

    config = serialize_layer(model)
    compile_config = _compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    metadata = {"keras_version": __version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with _h5py().File(buffer, "w") as h5file:
        _write_weights(model, h5file)
    with zipfile.ZipFile(filepath, "w") as archive:
        archive.writestr(_CONFIG, json.dumps(config))
        archive.writestr(_METADATA, json.dumps(metadata))
        archive.writestr(_WEIGHTS, buffer.getvalue())


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """A model from a ``.keras`` file: its config rebuilt, weights (and optimizer) loaded."""
    filepath = os.fspath(filepath)
    if not zipfile.is_zipfile(filepath):
        raise ValueError(f"File format not supported: filepath={filepath}. keras_frontend "
                         "loads `.keras` zip files (use `load_weights` for `.weights.h5`).")
    with zipfile.ZipFile(filepath) as archive:
        config = json.loads(archive.read(_CONFIG))
        weights = archive.read(_WEIGHTS)
    backend._globals.input_graph = None
    with safe_mode_scope(safe_mode):
        model = deserialize_layer(config, custom_objects)
    compile_config = config.get("compile_config")
    if compile and compile_config:
        _compile_from_config(model, compile_config, custom_objects)
    with _h5py().File(io.BytesIO(weights), "r") as h5file:
        _read_weights(model, h5file)
    return model


def _compile_from_config(model, config, custom_objects):
    from .. import losses, metrics, optimizers

    def metric(spec):
        if isinstance(spec, dict) and "class_name" in spec:
            return metrics.deserialize(spec, custom_objects)
        if isinstance(spec, list):
            return [metric(s) for s in spec]
        return spec

    loss = config.get("loss")
    if isinstance(loss, dict) and "class_name" in loss:
        loss = losses.deserialize(loss, custom_objects)
    model.compile(optimizer=optimizers.deserialize(config["optimizer"], custom_objects),
                  loss=loss, loss_weights=config.get("loss_weights"),
                  metrics=metric(config.get("metrics")),
                  weighted_metrics=metric(config.get("weighted_metrics")))


def save_weights(model, filepath, overwrite=True):
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError("The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    with _h5py().File(filepath, "w") as h5file:
        _write_weights(model, h5file)


def load_weights(model, filepath, skip_mismatch=False):
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        with zipfile.ZipFile(filepath) as archive:
            data = archive.read(_WEIGHTS)
        with _h5py().File(io.BytesIO(data), "r") as h5file:
            _read_weights(model, h5file, skip_mismatch)
        return
    if not filepath.endswith(".weights.h5"):
        raise ValueError("The filename must end in `.weights.h5` or `.keras`. Received: "
                         f"filepath={filepath}")
    with _h5py().File(filepath, "r") as h5file:
        _read_weights(model, h5file, skip_mismatch)
