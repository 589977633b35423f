"""The steward's linkage pages: review queue, thresholds, children's mapping.

Every page is the steward's. Records appear masked unless the access policy
lets the viewer read them by name; the steward judges a pair by how its
fields compare, not by reading them.
"""
