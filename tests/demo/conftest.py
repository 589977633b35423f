import pytest

from braid.demo.generate import DemoCommunity, build_community


@pytest.fixture(scope="session")
def community() -> DemoCommunity:
    return build_community()
