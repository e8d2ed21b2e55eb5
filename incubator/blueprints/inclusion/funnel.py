"""The inclusion funnel, aggregated and suppressed: managers', partners' and the public view."""

from incubator.blueprints.inclusion import bp  # noqa: F401
