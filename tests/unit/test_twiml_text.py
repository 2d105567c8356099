"""Issue 17: the IVR's TwiML written straight to text (`TwimlRenderer.text`) is byte for byte
what the `twilio` library prints for the same commands (`TwimlRenderer.document`)."""

from __future__ import annotations

import itertools
import random

import pytest

from callcenter.telephony.twilio.twiml import TwimlRenderer, TwimlUrls
from callcenter.telephony.twilio.twiml_text import document, element
from ivr_flows import commands as c
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.prompts import PromptError

FLOWS = load_flows(default_flow_files())
URLS = TwimlUrls("https://cc.example.com/prefix")
ACTION = URLS.url("/twilio/step", seq="3", odd='a&b<"c">')
PARAMS = {
    "customer_name": 'Zhang & <Li> "Wei"\n\t',
    "account_no": "0101&<>",
    "amount": "12.50",
    "position": 2,
    "minutes": 5,
}


def says() -> list[c.Say]:
    """Every prompt of every flow that renders with `PARAMS`, in each of its languages."""
    found = []
    for flow in FLOWS.values():
        for key, language in itertools.product(flow.prompts, flow.languages):
            say = c.Say(flow.name, key, language, PARAMS)
            try:
                TwimlRenderer(FLOWS.__getitem__, {}, "").text([say], URLS, ACTION)
            except PromptError:
                continue
            found.append(say)
    return found


SAYS = says()
OTHERS: list[c.CallerCommand] = [
    c.Tone(),
    c.Play("https://cdn.example.com/hold.wav?a=1&b=2"),
    c.Gather(c.InputMode.DTMF, 5),
    c.Gather(c.InputMode.DTMF, 8, 1, 20, "#"),
    c.Gather(c.InputMode.SPEECH, 4, language="en-US", hints=("bill", "outage & fault")),
    c.Gather(c.InputMode.SPEECH, 4),
    c.Enqueue("billing"),
    c.Enqueue(""),
    c.Transfer("+8610<95598>"),
    c.Hangup(),
]


@pytest.mark.parametrize("voices", [{}, {"zh-CN": "Polly.Zhiyu", "en-US": "Polly.Joanna"}])
def test_text_is_what_the_twilio_library_prints(voices: dict[str, str]) -> None:
    assert len(SAYS) > 20
    renderer = TwimlRenderer(FLOWS.__getitem__, voices, "")
    pick = random.Random(17)
    cases: list[list[c.CallerCommand]] = [[], [c.Hangup()], [c.Gather(c.InputMode.DTMF, 5)]]
    cases += [[say, c.Gather(c.InputMode.DTMF, 5)] for say in SAYS]
    cases += [pick.sample([*SAYS[:40], *OTHERS], pick.randint(1, 8)) for _ in range(300)]
    for commands in cases:
        expected = str(renderer.document(commands, URLS, ACTION))
        assert renderer.text(commands, URLS, ACTION) == expected, commands


def test_the_pieces_escape_as_xml_does() -> None:
    assert element("Say", 'a & <b> "c"', {"voice": 'x"y\n'}) == (
        '<Say voice="x&quot;y&#10;">a &amp; &lt;b&gt; "c"</Say>'
    )
    assert element("Hangup") == "<Hangup />"
    assert document("") == '<?xml version="1.0" encoding="UTF-8"?><Response />'
