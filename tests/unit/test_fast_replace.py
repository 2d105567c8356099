"""Issue 17: the fast `replace` for call records gives what `dataclasses.replace` gives, and
refuses what it refuses."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.calls.models import CallRecord, CallState, Direction
from callcenter.core.fast_replace import replace

RECORD = CallRecord(
    id="c1",
    direction=Direction.INBOUND,
    from_number="+8613800138000",
    to_number="95598",
    state=CallState.RINGING,
    started_at=datetime(2026, 12, 7, 9, tzinfo=UTC),
    last_seq=1,
)


@dataclasses.dataclass(frozen=True)
class Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


def test_the_copy_equals_the_standard_one() -> None:
    changes: dict[str, Any] = {"last_seq": 2, "state": CallState.QUEUED, "ivr_path": ("a", "b")}
    assert replace(RECORD, **changes) == dataclasses.replace(RECORD, **changes)
    assert replace(RECORD) == RECORD and replace(RECORD) is not RECORD
    assert RECORD.last_seq == 1  # the original is untouched


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError):
        replace(RECORD, no_such_field=1)


def test_a_class_with_post_init_still_runs_it() -> None:
    assert replace(Checked(1), value=2) == Checked(2)
    with pytest.raises(ValueError, match="negative"):
        replace(Checked(1), value=-1)
