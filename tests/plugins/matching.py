"""Fixtures the matching tests share."""
