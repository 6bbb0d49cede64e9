"""Keras 3's serialized form of an object: module, class_name, config, registered_name."""


def serialize_object(obj, module):
    if obj is None:
        return None
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def deserialize_object(config, classes, kind, custom_objects=None):
    """Rebuilds an object from its serialized dict, looking the class up in ``classes``."""
    if config is None:
        return None
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or classes.get(name)
    if cls is None:
        raise ValueError(f"Unknown {kind}: '{name}'. Pass it in `custom_objects`.")
    return cls.from_config(dict(config.get("config") or {}))
