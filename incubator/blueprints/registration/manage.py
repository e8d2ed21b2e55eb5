"""The program team's side of registration: lists, check-in on the day, consent, outreach
partners."""

from incubator.blueprints.registration import bp  # noqa: F401
