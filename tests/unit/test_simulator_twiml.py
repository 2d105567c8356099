"""The simulator's TwiML reading: verbs in order with nested prompts; anything else refused."""

from __future__ import annotations

import pytest

from callcenter.config import load_settings
from callcenter.simulator.twiml import SimulatorError, Verb, parse, spoken

MENU = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/twilio/step?seq=2" '
    'numDigits="1"><Say language="zh-CN">请按1</Say></Gather><Redirect>/x</Redirect></Response>'
)


def test_verbs_and_nested_prompts() -> None:
    gather, redirect = parse(MENU, "POST /twilio/voice")
    assert (gather.name, gather.get("action"), gather.get("numDigits")) == (
        "Gather",
        "/twilio/step?seq=2",
        "1",
    )
    assert spoken(gather) == ["请按1"]
    assert redirect == Verb("Redirect", {}, "/x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "<html> instead of <Response>"),
        ('{"error": {"code": "x"}}', "did not answer TwiML (not well-formed"),
        ("", "did not answer TwiML (no element found"),
    ],
)
def test_a_reply_that_is_not_twiml_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(SimulatorError) as err:
        parse(text, "POST /twilio/voice")
    assert err.value.message.startswith("POST /twilio/voice") and message in err.value.message


def test_the_simulators_token_variable_is_not_a_setting() -> None:
    assert load_settings(None, {"CALLCENTER_TOKEN": "cc_x"}).server.port == 8080
