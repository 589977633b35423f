"""Braid: community data sharing for the organizations that serve children."""
