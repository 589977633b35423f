"""A synthetic community for demos and linkage tests: generated people only."""

from braid.demo.generator.community import (
    DemoCommunity,
    DemoOrganization,
    DemoProgram,
    DemoRoster,
    DemoSite,
    build_community,
)

__all__ = [
    "DemoCommunity",
    "DemoOrganization",
    "DemoProgram",
    "DemoRoster",
    "DemoSite",
    "build_community",
]
