import pytest

from braid.demo.generator import DemoCommunity, build_community


@pytest.fixture(scope="session")
def community() -> DemoCommunity:
    return build_community()
