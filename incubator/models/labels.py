"""Labelled enums: the stored values of a model's choices and the words people see for them."""

from __future__ import annotations

import enum
from typing import Any, overload


class LabelledEnum(enum.StrEnum):
    """A string enum whose members people see by their `label`, in the reader's language.

    Every subclass names the words for each of its values in
    `LABELS = enum.nonmember({value: lazy_gettext("Words")})`, so the catalogue holds them
    all (tests/test_models.py checks none is missing)."""

    @property
    def label(self) -> str:
        labels: dict[str, Any] = getattr(type(self), "LABELS", {})
        return str(labels[self.value])


class EnumLabel:
    """A read-only model attribute holding the label of the labelled enum value stored in
    another attribute, for templates (`stage_label = EnumLabel(Stage, "stage")`); empty
    when that attribute is."""

    def __init__(self, enum_class: type[LabelledEnum], attribute: str):
        self.enum_class = enum_class
        self.attribute = attribute

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> EnumLabel: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> str: ...
    def __get__(self, instance: Any, owner: type | None = None) -> EnumLabel | str:
        if instance is None:
            return self
        value = getattr(instance, self.attribute)
        return self.enum_class(value).label if value else ""
