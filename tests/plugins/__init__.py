"""Fixtures of one area each, shared by that area's test modules (registered in conftest)."""
