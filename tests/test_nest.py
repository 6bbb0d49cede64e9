"""graphflow.nest (tf.nest): flatten, pack_sequence_as, map_structure, assert_same_structure."""

import collections

import pytest

from graphflow import nest

Pair = collections.namedtuple("Pair", "a b")


def test_flatten_orders_dicts_by_key_and_keeps_leaves():
    s = [1, (2, Pair(3, {"z": 4, "a": 5})), None, "text"]
    assert nest.flatten(s) == [1, 2, 3, 5, 4, None, "text"]
    assert nest.flatten(7) == [7]
    assert nest.flatten(None) == [None]
    assert nest.flatten({"b": [1, 2], "a": ()}) == [1, 2]


def test_pack_sequence_as_round_trips_types_and_key_order():
    s = [1, (2, Pair(3, {"z": 4, "a": 5}))]
    packed = nest.pack_sequence_as(s, nest.flatten(s))
    assert packed == s
    assert isinstance(packed[1][1], Pair) and list(packed[1][1].b) == ["z", "a"]
    assert nest.pack_sequence_as(0, [9]) == 9
    assert nest.pack_sequence_as({"x": 0, "y": (0,)}, (1, 2)) == {"x": 1, "y": (2,)}


def test_pack_sequence_as_errors():
    with pytest.raises(ValueError, match="Structure had 2 elements, but flat_sequence had 1"):
        nest.pack_sequence_as([0, 0], [1])
    with pytest.raises(TypeError, match="incompatible type"):
        nest.pack_sequence_as([0], 1)


def test_map_structure():
    s = [1, (2, Pair(3, {"z": 4, "a": 5}))]
    assert nest.map_structure(lambda v: v * 10, s) == [10, (20, Pair(30, {"z": 40, "a": 50}))]
    assert nest.map_structure(lambda a, b: a + b, (1, [2]), (10, [20])) == (11, [22])
    assert nest.map_structure(lambda a, b: a - b, (1, 2), [1, 1], check_types=False) == (0, 1)
    with pytest.raises(TypeError, match="sequence types differ"):
        nest.map_structure(lambda a, b: a, (1, 2), [1, 2])
    with pytest.raises(TypeError, match="callable"):
        nest.map_structure(1, [1])
    with pytest.raises(ValueError, match="at least one structure"):
        nest.map_structure(lambda: 0)


def test_assert_same_structure():
    nest.assert_same_structure([1, (2, 3)], [4, (5, 6)])
    nest.assert_same_structure({"a": 1, "b": 2}, {"b": 3, "a": 4})
    nest.assert_same_structure(Pair(1, 2), collections.namedtuple("Pair", "a b")(3, 4))
    nest.assert_same_structure([1, 2], (3, 4), check_types=False)
    with pytest.raises(ValueError, match="lengths differ"):
        nest.assert_same_structure([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="is not a sequence"):
        nest.assert_same_structure([1, 2], [1, [2]])
    with pytest.raises(ValueError, match="keys differ"):
        nest.assert_same_structure({"a": 1}, {"b": 1})
    with pytest.raises(TypeError, match="sequence types differ"):
        nest.assert_same_structure(Pair(1, 2), (1, 2))
    with pytest.raises(ValueError, match="sequence types differ"):
        nest.assert_same_structure({"a": 1}, [1], check_types=False)


def test_is_nested():
    assert nest.is_nested([1]) and nest.is_nested(()) and nest.is_nested({"a": 1})
    assert nest.is_nested(Pair(1, 2))
    assert not nest.is_nested("abc") and not nest.is_nested(None) and not nest.is_nested(3)
