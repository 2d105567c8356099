"""The TwiML a Twilio webhook answers when a store fails behind it: the apology in the
call's language (else Chinese then English), then the duty number, a retry of the same
route, or a goodbye; status callbacks answer 204; refusals and bad input are not failures."""

from __future__ import annotations

import pytest
import redis.exceptions
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from sqlalchemy.exc import OperationalError

from callcenter.core.errors import InvalidInputError, NotFoundError, UnavailableError
from callcenter.telephony.twilio.fallback import FallbackPolicy, TwilioFallback, is_failure
from callcenter.telephony.twilio.twiml import TwimlRenderer
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.models import Flow

BASE = "https://cc.example.com"
SID = {"CallSid": "CA00000000000000000000000000000001"}
APOLOGY_ZH = "非常抱歉，系统暂时无法处理您的来电"
APOLOGY_EN = "We are sorry, our system cannot handle your call right now."
GOODBYE_ZH = "请您稍后再拨"
GOODBYE_EN = "please call again later"
FLOWS = load_flows(default_flow_files())


def fallback(number: str = "", retries: int = 2) -> TwilioFallback:
    renderer = TwimlRenderer(FLOWS.__getitem__, {"zh-CN": "Polly.Zhiyu"}, "")
    return TwilioFallback(renderer, FallbackPolicy(number, retries))


def answer(fb: TwilioFallback, url: str) -> web.Response:
    request = make_mocked_request("POST", url)
    return fb.answer(request, SID, UnavailableError("redis is down"), BASE)


def test_without_a_known_language_the_apology_is_chinese_then_english() -> None:
    text = answer(fallback(), "/twilio/step?seq=3").text or ""
    assert text.index(APOLOGY_ZH) < text.index(APOLOGY_EN)
    assert 'voice="Polly.Zhiyu"' in text


def test_the_call_language_seen_last_is_spoken_alone() -> None:
    fb = fallback()
    seen = web.Response(text='<Response><Say language="en-US">Hi</Say></Response>')
    fb.observe(SID, seen)
    text = answer(fb, "/twilio/step").text or ""
    assert APOLOGY_EN in text and APOLOGY_ZH not in text


@pytest.mark.parametrize(
    ("url", "redirect"),
    [
        ("/twilio/step?seq=3", f"{BASE}/twilio/step?seq=3&amp;fb_retry=1"),
        ("/twilio/wait?hold=1&fb_retry=1", f"{BASE}/twilio/wait?hold=1&amp;fb_retry=2"),
        ("/twilio/voice", f"{BASE}/twilio/voice?fb_retry=1"),
    ],
)
def test_without_a_number_the_same_route_is_retried_after_a_pause(url: str, redirect: str) -> None:
    response = answer(fallback(retries=2), url)
    assert response.status == 200 and response.content_type == "application/xml"
    text = response.text or ""
    assert '<Pause length="2" />' in text
    assert f'<Redirect method="POST">{redirect}</Redirect>' in text
    assert "<Hangup" not in text


@pytest.mark.parametrize(("retries", "tried"), [(2, 2), (0, 0), (1, 5)])
def test_after_the_retries_the_caller_hears_goodbye_and_is_hung_up(
    retries: int, tried: int
) -> None:
    text = answer(fallback(retries=retries), f"/twilio/step?fb_retry={tried}").text or ""
    assert GOODBYE_ZH in text and GOODBYE_EN in text
    assert text.endswith("<Hangup /></Response>") and "<Redirect" not in text


def test_with_a_number_the_caller_is_dialled_to_it() -> None:
    text = answer(fallback(number="+861095598000"), "/twilio/wait").text or ""
    assert APOLOGY_ZH in text and "<Dial>+861095598000</Dial>" in text
    assert "<Redirect" not in text


def test_an_agents_leg_is_only_apologised_to() -> None:
    text = answer(fallback(number="+861095598000"), "/twilio/agent-join?call=c&agent=1").text
    assert text is not None and "<Dial>" not in text and text.endswith("<Hangup /></Response>")


@pytest.mark.parametrize(
    "path",
    [
        "/twilio/status",
        "/twilio/agent-leg",
        "/twilio/conference",
        "/twilio/recording",
        "/twilio/live-leg",
        "/twilio/outbound/status",
    ],
)
def test_status_callbacks_answer_no_content(path: str) -> None:
    response = answer(fallback(), path)
    assert response.status == 204 and response.body is None


@pytest.mark.parametrize(
    ("err", "failure"),
    [
        (UnavailableError("down"), True),
        (OperationalError("SELECT 1", {}, Exception("gone")), True),
        (redis.exceptions.ConnectionError("refused"), True),
        (redis.exceptions.TimeoutError("slow"), True),
        (RuntimeError("a bug"), True),
        (web.HTTPForbidden(), False),
        (InvalidInputError("CallSid is missing"), False),
        (NotFoundError("no such call"), False),
    ],
)
def test_which_errors_are_failures(err: Exception, failure: bool) -> None:
    assert is_failure(err) is failure


def test_a_language_the_apology_is_not_written_in_gets_chinese_then_english() -> None:
    fb = fallback()
    fb.observe(SID, web.Response(text='<Say language="fr-FR">Bonjour</Say>'))
    text = answer(fb, "/twilio/step").text or ""
    assert 'language="fr-FR"' not in text and APOLOGY_ZH in text and APOLOGY_EN in text


def test_a_broken_prompt_still_answers_twiml() -> None:
    def no_flow(name: str) -> Flow:
        raise KeyError(name)

    fb = TwilioFallback(TwimlRenderer(no_flow, {}, ""))
    response = answer(fb, "/twilio/step")
    assert response.status == 200 and response.text is not None
    assert response.text.endswith("<Hangup /></Response>")
