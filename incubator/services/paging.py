"""One page of a list, shaped like Flask-SQLAlchemy's Pagination for the pagination macro.

Queries that return model rows use `db.paginate`; this is for lists a service has already
computed or counted itself (rows of several columns, a ranking built in Python).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class ListPage:
    """`items` of page `page` (from 1) of a list `total` long, `per_page` to a page."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, everything: Sequence[Any], page: int, per_page: int) -> ListPage:
        """The page of an already computed list; a page past the end shows the last one."""
        pages = max(1, math.ceil(len(everything) / per_page))
        page = min(max(page, 1), pages)
        start = (page - 1) * per_page
        return cls(list(everything[start : start + per_page]), page, per_page, len(everything))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
