"""Values a worker keeps in its own memory, by key, the latest few (a bounded LRU).

Only ever for values filed under a key that names everything they are drawn from (a stamp
read from the database in the same request, the language, the day): a change anywhere gives
another key, so nothing kept is shown after the change has committed. Each worker keeps its
own; nothing is shared between processes, and a restart starts from nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["Kept"]

T = TypeVar("T")


class Kept:
    """The latest values by key, at most `size`, in this worker's memory (thread safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key`, else `make()`'s, kept."""
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        # Made outside the lock: two threads may both make it once, never wait on each other.
        value = make()
        self.keep(key, value)
        return value

    def find(self, key: Hashable) -> Any:
        """The value kept under `key`, or None (for a caller that makes many at once)."""
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        return None

    def keep(self, key: Hashable, value: object) -> None:
        """Keep `value` under `key`, the oldest going past `size`."""
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
