import pytest

import graphflow as gf


@pytest.fixture(autouse=True)
def fresh_default_graph():
    """Each test starts from an empty default graph."""
    gf.reset_default_graph()
    yield
