"""A person's own demographic answers: give, see, change or withdraw them."""

from incubator.blueprints.inclusion import bp  # noqa: F401
