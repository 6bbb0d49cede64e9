"""Nested structures of tensors (TF1's ``tf.nest``).

A structure is a leaf or a list, tuple, namedtuple or dict of structures. Dicts flatten
in sorted key order, so two dicts with the same keys flatten alike whatever their
insertion order; packing gives a dict its structure's own key order back. Strings and
None are leaves. cond, while_loop, map_fn and the RNN code pass their nested arguments
through these functions, so all of them agree on one leaf order.
"""

__all__ = ["is_nested", "flatten", "pack_sequence_as", "map_structure",
           "assert_same_structure"]


def is_nested(seq):
    """Whether ``seq`` is a list, tuple (namedtuples included) or dict, not a leaf."""
    return isinstance(seq, (list, tuple, dict))


def flatten(structure, expand_composites=False):
    """The leaves of ``structure`` in order; a leaf alone gives ``[leaf]``.

    ``expand_composites`` is accepted for TF's signature; graphflow has no composite
    tensors to expand.
    """
    if isinstance(structure, dict):
        return [leaf for k in _sorted_keys(structure) for leaf in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def _sorted_keys(mapping):
    try:
        return sorted(mapping)
    except TypeError as err:
        raise TypeError(f"nest only supports dicts with sortable keys, got keys "
                        f"{list(mapping)}") from err


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """``flat_sequence`` (leaves in ``flatten`` order) packed into the shape of
    ``structure``, with its list, tuple, namedtuple and dict types."""
    if not is_nested(flat_sequence):
        raise TypeError(f"Attempted to pack value:\n  {flat_sequence!r}\ninto a structure, "
                        f"but found incompatible type `{type(flat_sequence).__name__}` "
                        f"instead.")
    flat = list(flat_sequence)
    expected = len(flatten(structure))
    if len(flat) != expected:
        raise ValueError(f"Could not pack sequence. Structure had {expected} elements, but "
                         f"flat_sequence had {len(flat)} elements. Structure: {structure!r}, "
                         f"flat_sequence: {flat!r}.")
    return _pack(structure, iter(flat))


def _pack(structure, leaves):
    if isinstance(structure, dict):
        items = {k: _pack(structure[k], leaves) for k in _sorted_keys(structure)}
        return type(structure)((k, items[k]) for k in structure)
    if isinstance(structure, (list, tuple)):
        items = [_pack(s, leaves) for s in structure]
        if hasattr(structure, "_fields"):
            return type(structure)(*items)
        return type(structure)(items)
    return next(leaves)


def map_structure(func, *structure, check_types=True, expand_composites=False):
    """``func`` applied to the matching leaves of structures of one shape, packed like
    the first; with ``check_types`` their sequence types must match too."""
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flats, strict=True)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises unless the two structures nest alike: ValueError for a different nesting,
    length or dict keys, TypeError (with ``check_types``) for different sequence types.

    List and tuple count as the same kind without ``check_types``; namedtuples of one
    name and fields always match, as in TF.
    """
    problem = _mismatch(nest1, nest2, check_types)
    if problem is not None:
        error, message = problem
        raise error(f"The two structures don't have the same nested structure: {message}."
                    f"\n\nFirst structure: {nest1!r}\n\nSecond structure: {nest2!r}")


def _mismatch(a, b, check_types):
    """(error class, reason) for the first difference between ``a`` and ``b``, or None."""
    if is_nested(a) != is_nested(b):
        leaf, seq = (a, b) if is_nested(b) else (b, a)
        return ValueError, f"{leaf!r} is not a sequence while {type(seq).__name__} is"
    if not is_nested(a):
        return None
    if isinstance(a, dict) != isinstance(b, dict) or (check_types and not _same_type(a, b)):
        error = TypeError if check_types else ValueError
        return error, f"sequence types differ: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        if set(a) != set(b):
            return ValueError, f"dictionary keys differ: {sorted(a)} vs {sorted(b)}"
        pairs = [(a[k], b[k]) for k in _sorted_keys(a)]
    else:
        if len(a) != len(b):
            return ValueError, f"lengths differ: {len(a)} vs {len(b)}"
        pairs = list(zip(a, b, strict=True))
    for x, y in pairs:
        problem = _mismatch(x, y, check_types)
        if problem is not None:
            return problem
    return None


def _same_type(a, b):
    if type(a) is type(b):
        return True
    fields_a, fields_b = getattr(a, "_fields", None), getattr(b, "_fields", None)
    return (fields_a is not None and fields_a == fields_b
            and type(a).__name__ == type(b).__name__)
