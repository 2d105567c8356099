"""Sessions survive the trip through Redis text unchanged, every field included."""

from __future__ import annotations

import json
from dataclasses import fields

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
