"""Fixtures the pipeline tests share."""
