"""Nested structures (lists, tuples, dicts) of tensors or arrays: flatten and rebuild."""


def flatten(structure):
    """Leaves in order; dicts by sorted key, as Keras orders them."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    return [structure]


def map_structure(fn, structure):
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    return fn(structure)


def pack_sequence_as(structure, flat):
    """The inverse of ``flatten``: ``flat`` laid out like ``structure``."""
    it = iter(flat)

    def build(s):
        if isinstance(s, (list, tuple)):
            return type(s)(build(item) for item in s)
        if isinstance(s, dict):
            values = {key: build(s[key]) for key in sorted(s)}
            return {key: values[key] for key in s}
        return next(it)

    return build(structure)


def is_nested(structure):
    return isinstance(structure, (list, tuple, dict))
