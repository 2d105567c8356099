"""A Twilio webhook whose body is not a UTF-8 form, or holds a NUL, is refused with a 400 like
a bad signature is with a 403 (issue 18: it was a 500), and stores nothing."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from callcenter.calls.models import ProviderRef
from callcenter.web.keys import CALLS
from tests.adapters.test_twilio_webhooks import BASE, TOKEN, Client, fixture
from tests.adapters.test_twilio_webhooks import client as client  # the same app fixture

SID = "CA1042bb91000000000000000000000009"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"CallSid=" + SID.encode() + b"&From=\xff\xfe", "application/x-www-form-urlencoded"),
        (b"CallSid=" + SID.encode() + b"&From=a%00b", "application/x-www-form-urlencoded"),
    ],
    ids=["raw-latin1-bytes", "nul"],
)
async def test_a_body_that_is_not_a_utf8_form_is_a_400(
    client: Client, body: bytes, content_type: str
) -> None:
    params = fixture("incoming-call") | {"CallSid": SID}
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/twilio/voice", params)
    resp = await client.post(
        "/twilio/voice",
        data=body,
        headers={"Content-Type": content_type, "X-Twilio-Signature": signature},
    )
    assert resp.status == 400, await resp.text()
    assert (await resp.json())["error"]["code"] == "bad-request"
    assert await client.app[CALLS].find_by_provider(ProviderRef("twilio", SID)) is None
