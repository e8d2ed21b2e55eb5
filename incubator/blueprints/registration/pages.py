"""Registering for a hackathon, on a public page: no account needed."""

from incubator.blueprints.registration import bp  # noqa: F401
