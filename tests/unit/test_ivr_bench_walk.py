"""The IVR benchmark's pieces: Twilio's request signature, the TwiML follower, the ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bench.ivr_targets import Target
from bench.ivr_walk import Request, next_request, percentile, signature
from bench.ivr_webhook import Result, ratios

TOKEN = "bench0000000000000000000000000000"
BASE = "http://127.0.0.1:8080/twilio/step?seq=1"


def _twiml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("http://127.0.0.1:8080/twilio/voice", {"CallSid": "CA1", "From": "+8613800000000"}),
        (BASE, {"Digits": "2", "To": "+861095598", "CallSid": "CA2"}),
        ("https://hotline.example/twilio/step?seq=4&lang=zh", {}),
    ],
)
def test_the_signature_is_the_one_twilio_computes_and_the_server_accepts(
    url: str, form: dict[str, str]
) -> None:
    validator = RequestValidator(TOKEN)
    assert signature(TOKEN, url, form) == validator.compute_signature(url, form)
    assert validator.validate(url, form, signature(TOKEN, url, form))


GATHER = '<Gather action="{action}" method="POST" numDigits="1"{empty}><Say>menu</Say></Gather>'


@pytest.mark.parametrize(
    ("body", "key", "expected"),
    [
        # digits go to the Gather's action, absolute or relative to the page
        (GATHER.format(action=BASE, empty=""), "2", (Request(BASE, "POST", "2"), True)),
        (
            GATHER.format(action="/ivr/menu", empty=""),
            "0",
            (Request("http://127.0.0.1:8080/ivr/menu", "POST", "0"), True),
        ),
        # silence: the action without Digits when asked for, else the verbs after the Gather
        (
            GATHER.format(action=BASE, empty=' actionOnEmptyResult="true"'),
            "-",
            (Request(BASE, "POST", None), True),
        ),
        (
            GATHER.format(action=BASE, empty="") + "<Redirect>/ivr/welcome</Redirect>",
            "-",
            (Request("http://127.0.0.1:8080/ivr/welcome", "POST", None), True),
        ),
        (GATHER.format(action=BASE, empty=""), "-", (None, True)),
        # a Redirect is followed without using the caller's input
        (
            '<Say>back</Say><Redirect method="POST">/ivr/welcome</Redirect>',
            "1",
            (Request("http://127.0.0.1:8080/ivr/welcome", "POST", None), False),
        ),
        # the end of the walk: the script used up, or nothing more asked
        (GATHER.format(action=BASE, empty=""), None, (None, False)),
        ("<Say>hold on</Say><Enqueue>general</Enqueue>", "1", (None, False)),
        ("<Hangup/>", None, (None, False)),
    ],
)
def test_the_follower_posts_what_twilio_would_post_next(
    body: str, key: str | None, expected: tuple[Request | None, bool]
) -> None:
    assert next_request(BASE, _twiml(body), key) == expected


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile([], 99)) == (50, 99, 0)


def test_the_ratios_pair_each_worker_count_and_skip_what_did_not_run() -> None:
    results = [
        Result("ceiling", 1, 2000, 1, 2, 0),
        Result("flask", 1, 400, 1, 2, 0),
        Result("real", 1, 800, 1, 2, 0),
        Result("embedded", 1, 400, 1, 2, 0),
        Result("ceiling", 2, 3000, 1, 2, 0),
        Result("real", 2, 1200, 1, 2, 0),
    ]
    assert ratios(results) == [
        "1 worker(s): server/ceiling 0.40",
        "1 worker(s): server/Flask 2.00",
        "1 worker(s): embedded/real 0.50",
        "2 worker(s): server/ceiling 0.40",
        "server, 2 workers / 1 worker: 1.50",
    ]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc only")
def test_a_targets_cpu_counts_its_processes_and_their_children_and_skips_the_gone() -> None:
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    child = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {busy!r}])\n"
    child += "print('waited', flush=True)\nimport time\ntime.sleep(30)\n"  # alive, as a worker
    parent = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        target = Target("", (), (), None, (parent.pid, 2**22 + 7))  # the second: no such process
        assert parent.stdout is not None and parent.stdout.readline() == "waited\n"
        assert target.cpu_seconds() >= 0.3  # the grandchild's 0.3 s, on the child's account
        assert Target("", (), ()).cpu_seconds() == 0.0
    finally:
        parent.kill()
        parent.communicate()  # reaps it and closes its pipe
