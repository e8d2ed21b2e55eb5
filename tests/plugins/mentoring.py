"""Fixtures the mentoring tests share."""
