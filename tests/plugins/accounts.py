"""Fixtures the accounts tests share."""
