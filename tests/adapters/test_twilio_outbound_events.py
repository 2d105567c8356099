"""What an outbound call's webhooks mean for its attempt: the status callbacks' terminal
statuses, the answering-machine verdicts (synchronous and async), the attempt key in the URL."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from callcenter.telephony.twilio.outbound import (
    amd_result,
    attempt_key,
    call_result,
    outbound_urls,
)
from outbound.models import AttemptResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "twilio"
R = AttemptResult


def fixture(name: str) -> dict[str, str]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["params"])


@pytest.mark.parametrize(
    ("name", "status", "expected"),
    [
        ("status-initiated", None, None),
        ("status-ringing", None, None),
        ("status-answered", None, None),  # in-progress: not over
        ("status-completed", None, R.ANSWERED),
        ("status-completed", "busy", R.BUSY),
        ("status-completed", "no-answer", R.NO_ANSWER),
        ("status-completed", "failed", R.FAILED),
        ("status-completed", "canceled", R.FAILED),
    ],
)
def test_status_callbacks_give_the_result_when_the_call_is_over(
    name: str, status: str | None, expected: AttemptResult | None
) -> None:
    params = fixture(name) | ({"CallStatus": status} if status else {})

    assert call_result(params) == expected


@pytest.mark.parametrize(
    ("answered_by", "expected"),
    [
        (fixture("outbound-answered-human")["AnsweredBy"], R.ANSWERED),
        (fixture("outbound-answered-machine")["AnsweredBy"], R.MACHINE),
        (fixture("amd-async-callback")["AnsweredBy"], R.MACHINE),
        ("machine_end_silence", R.MACHINE),
        ("machine_end_other", R.MACHINE),
        ("fax", R.MACHINE),
        ("unknown", R.MACHINE),  # not sure: the neutral message only
        ("", R.MACHINE),
    ],
)
def test_only_a_human_verdict_counts_as_a_person(answered_by: str, expected: AttemptResult) -> None:
    assert amd_result(answered_by) == expected


def test_the_attempt_key_goes_round_the_webhook_urls() -> None:
    urls = outbound_urls("https://cc.example.com/", "12:3456:2")

    for url in (urls.answer, urls.status, urls.amd):
        assert url.startswith("https://cc.example.com/twilio/outbound/")
        assert attempt_key(dict(parse_qsl(urlsplit(url).query))) == "12:3456:2"
    assert attempt_key({}) is None
