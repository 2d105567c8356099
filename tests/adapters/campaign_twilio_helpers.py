"""A campaign call played as Twilio plays it: the fake REST API's ledger gives the calls the
dialer created; each is answered by posting Twilio's signed webhooks to the URLs the call was
created with, following the TwiML (keys at each Gather) until it hangs up, then the final
status callback."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator
from yarl import URL

from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeCall

Client = TestClient[web.Request, web.Application]
BASE = "https://cc.example.com"
ACTION = re.compile(r'<(?:Gather|Redirect)[^>]*?(?:action="([^"]+)")?[^>]*>([^<]*)')


class CampaignCall:
    """One created call of the fake's ledger, answered and played."""

    def __init__(self, client: Client, call: FakeCall) -> None:
        self.client = client
        self.call = call
        self.twiml = ""
        self.heard: list[str] = []

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            "AccountSid": ACCOUNT_SID,
            "CallSid": self.call.sid,
            "From": self.call.from_,
            "To": self.call.to,
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
            **extra,
        }

    async def post(self, url: str, extra: dict[str, str] | None = None) -> Any:
        params = self._params(extra or {})
        sent = str(URL(url))  # as the test client sends it (yarl may unquote `%3A`)
        signature = RequestValidator(AUTH_TOKEN).compute_signature(sent, params)
        path = sent.removeprefix(BASE)
        resp = await self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        self.twiml = await resp.text()
        self.heard += re.findall(r"<Say[^>]*>([^<]*)</Say>", self.twiml)
        return resp

    def url(self, name: str) -> str:
        value = self.call.first(name)
        assert value is not None, f"the call was created without {name}"
        return value

    async def answer(self, answered_by: str | None = "human", *, amd: bool = True) -> str:
        """The callee picks up; with `amd`, the asynchronous verdict comes first."""
        if amd and answered_by is not None:
            resp = await self.post(self.url("AsyncAmdStatusCallback"), {"AnsweredBy": answered_by})
            assert resp.status == 204
        assert (await self.post(self.url("Url"), {"CallStatus": "in-progress"})).status == 200
        return self.twiml

    def next_url(self) -> str | None:
        """Where the last TwiML sends Twilio next (a Gather's action or a Redirect)."""
        gather = re.search(r'<Gather[^>]*action="([^"]+)"', self.twiml)
        if gather:
            return gather.group(1).replace("&amp;", "&")
        redirect = re.search(r"<Redirect[^>]*>([^<]+)</Redirect>", self.twiml)
        return redirect.group(1).replace("&amp;", "&") if redirect else None

    async def press(self, digits: str) -> str:
        url = self.next_url()
        assert url is not None, f"nothing asks for keys: {self.twiml}"
        assert (await self.post(url, {"Digits": digits})).status == 200
        return self.twiml

    async def end(self, status: str = "completed", duration: str = "30") -> None:
        extra = {"CallStatus": status, "CallDuration": duration}
        assert (await self.post(self.url("StatusCallback"), extra)).status == 204

    @property
    def hung_up(self) -> bool:
        return "<Hangup" in self.twiml
