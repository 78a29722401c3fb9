"""A bounded, thread-safe LRU cache of question pictures."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TypeAlias

from bot.engine.question import Question
from bot.present.pictures._render import render_question

CacheKey: TypeAlias = tuple[str, bool, str]


class PictureCache:
    """A bounded, thread-safe LRU cache of pictures keyed by question code and ``reveal``
    (plus the question's kind and params, so two questions sharing a code never share a
    picture). ``None`` results are cached too."""

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[CacheKey, bytes | None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(question: Question, reveal: bool = False) -> CacheKey:
        fingerprint = repr((question.kind, sorted(question.params.items())))
        return (question.code, bool(reveal), fingerprint)

    def get(self, question: Question, reveal: bool = False) -> bytes | None:
        key = self.key(question, reveal)
        with self._lock:
            if key in self._items:
                self.hits += 1
                self._items.move_to_end(key)
                return self._items[key]
            self.misses += 1
        picture = render_question(question, reveal)  # outside the lock: may take ms
        with self._lock:
            self._items[key] = picture
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return picture

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


_DEFAULT_CACHE = PictureCache()


def render_question_cached(question: Question, reveal: bool = False) -> bytes | None:
    """``render_question`` through a module-wide ``PictureCache`` of 256 pictures."""
    return _DEFAULT_CACHE.get(question, reveal)
