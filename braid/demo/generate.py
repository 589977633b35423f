"""Build Riverbend, the synthetic demo community."""

from braid.demo.generator import (
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
