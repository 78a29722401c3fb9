"""The peer benchmark's message stream (bench/stream.py): its proportions and texts.

The benchmark reads its figures off this stream, so its shape is what must hold: a third
each of right answers, wrong answers and chat; every channel and every user equally
busy; the same stream for the same seed (both bots must read the same messages).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest


def _load_stream() -> ModuleType:
    # bench/ is not an installed package; the module is pure, so load it by its path.
    path = Path(__file__).resolve().parents[2] / "bench" / "stream.py"
    spec = importlib.util.spec_from_file_location("bench_stream_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


stream = _load_stream()


@pytest.mark.parametrize(("messages", "channels", "users"), [(4000, 20, 200), (301, 7, 13)])
def test_a_third_of_each_kind_and_even_channels_and_users(
    messages: int, channels: int, users: int
) -> None:
    made = stream.make_stream(messages, channels, users)
    assert len(made) == messages
    kinds = Counter(m.kind for m in made)
    assert set(kinds) == {"right", "wrong", "chat"}
    assert max(kinds.values()) - min(kinds.values()) <= 1
    per_channel = Counter(m.channel for m in made)
    assert set(per_channel) == set(range(channels))
    assert max(per_channel.values()) - min(per_channel.values()) <= 1
    per_user = Counter(m.user for m in made)
    assert set(per_user) == set(range(users))
    assert max(per_user.values()) - min(per_user.values()) <= 1
    assert [m.n for m in made] == list(range(messages))


def test_kinds_are_mixed_not_in_blocks() -> None:
    made = stream.make_stream(4000, 20, 200)
    first_hundred = Counter(m.kind for m in made[:100])
    assert all(count >= 15 for count in first_hundred.values()), first_hundred
    assert len({m.channel for m in made[:100]}) >= 15


def test_same_seed_same_stream_other_seed_other_order() -> None:
    assert stream.make_stream(500, 10, 50) == stream.make_stream(500, 10, 50)
    assert stream.make_stream(500, 10, 50, seed=1) != stream.make_stream(500, 10, 50, seed=2)


def test_texts_right_is_the_answer_wrong_is_another_number_chat_has_no_digits() -> None:
    made = stream.make_stream(600, 10, 30)
    for message in made:
        for answer in ("2,320", "17", "1"):
            typed = stream.text(message, answer)
            if message.kind == "right":
                assert typed == answer
            elif message.kind == "wrong":
                assert typed != answer
                assert re.fullmatch(r"[\d,]+", typed)
            else:
                assert not re.search(r"\d", typed)
