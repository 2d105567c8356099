"""Sessions survive the trip through Redis text unchanged, every field included."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal

from ivr_flows.codec import dump_session, load_session
from ivr_flows.models import Frame, Session


def test_round_trip_keeps_every_field() -> None:
    session = Session(
        call_id="01J0CALL",
        flow="95598",
        node="main_menu",
        language="en-US",
        vars={"caller": "+8613800138000", "accounts": [{"account_no": "3301"}], "n": 2},
        attempts=1,
        stack=(Frame("95598", "after_survey"),),
        path=("greeting", "main_menu"),
        finished=False,
        seq=7,
    )
    text = dump_session(session)
    assert set(json.loads(text)) == {f.name for f in fields(Session)}
    assert "\n" not in text  # the store keeps the reply after a newline
    assert load_session(text) == session


def test_newlines_and_chinese_in_values_stay_escaped() -> None:
    session = Session(call_id="c", flow="f", vars={"note": "第一行\n第二行"})
    text = dump_session(session)
    assert "\n" not in text and "第一行" in text
    assert load_session(text).vars["note"] == "第一行\n第二行"


def test_values_json_has_no_type_for_are_written_as_the_standard_encoder_wrote_them() -> None:
    """Sessions written before orjson read the same, and a value is text as before: dates and
    times as `str()` gives them, money as its digits, int keys as text."""
    when = datetime(2026, 12, 7, 21, 39, 24, 522837, tzinfo=UTC)
    values = {
        "due": date(2026, 10, 15),
        "at": when,
        "fee": Decimal("12.50"),
        "by_period": {1: "2026-01", 2: "2026-02"},
        "frame": Frame("95598", "after_survey"),
        "flags": ("a", "b"),
        "ratio": 0.25,
        "name": "张三",
    }
    session = Session(call_id="c", flow="f", vars=values)
    text = dump_session(session)  # compact, the Chinese kept as it is
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    stored = json.loads(dump_session(session))["vars"]
    assert stored["due"] == "2026-10-15" and stored["at"] == "2026-12-07 21:39:24.522837+00:00"
    assert stored["fee"] == "12.50" and stored["by_period"] == {"1": "2026-01", "2": "2026-02"}
    assert stored["frame"] == str(Frame("95598", "after_survey"))
    reference = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    assert json.loads(reference) == stored
