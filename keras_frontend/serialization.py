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


def get_object(identifier, classes, aliases, kind, lowercase_aliases=False):
    """An object from a name (an instance of the named class), a serialized dict, an
    instance or a callable: the one rule behind initializers', regularizers' and
    constraints' ``get``."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        key = identifier.lower() if lowercase_aliases and identifier not in classes \
            else identifier
        cls = aliases.get(key) or classes.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
        return cls()
    if isinstance(identifier, dict):
        return deserialize_object(identifier, classes, kind)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
