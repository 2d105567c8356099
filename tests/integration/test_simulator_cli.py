"""`callcenter ivr simulate --server`: bad arguments exit 2, a server that cannot be reached
or does not answer TwiML exits 1, each with one line and no stack trace."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from callcenter.cli import main
from callcenter.devtools.servers import free_port

NUMBER = "13800138000"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CALLCENTER_CONFIG", "CALLCENTER_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ivr", "simulate", "--from", NUMBER, "--press", "-", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--server", "http://127.0.0.1:1"], "needs an operator or admin API token"),
        (["--server", "ftp://x", "--token", "t"], "--server needs an http(s) URL"),
        (["--server", "http://h", "--token", "t", "--lang", "en-US"], "--lang works in-process"),
        (["--server", "http://h", "--token", "t", "--from", "abc"], "--from: not a phone number"),
        (["--server", "http://h", "--token", "t", "--hangup-after", "0"], "above 0"),
        (["--token", "t"], "--token and --hangup-after go with --server"),
    ],
)
def test_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_an_unreachable_server_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLCENTER_TOKEN", "cc_token")
    code, _, err = run(capsys, "--server", f"http://127.0.0.1:{free_port()}")
    assert code == 1
    assert err.startswith("callcenter: cannot reach the server for POST /twilio/voice")
    assert len(err.strip().splitlines()) == 1


async def html(request: web.Request) -> web.Response:
    return web.Response(text="<html><body>hello</body></html>", content_type="text/html")


async def refused(request: web.Request) -> web.Response:
    body = {"error": {"code": "forbidden", "message": "webhook refused: no"}}
    return web.json_response(body, status=403)


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (html, "callcenter: POST /twilio/voice did not answer TwiML: <html> instead of <Response>"),
        (refused, "callcenter: POST /twilio/voice was refused (403): webhook refused: no"),
    ],
)
async def test_a_server_answering_no_twiml_or_refusing_exits_1(
    aiohttp_server: Callable[[web.Application], Awaitable[TestServer]],
    capsys: pytest.CaptureFixture[str],
    handler: Callable[[web.Request], Awaitable[web.Response]],
    message: str,
) -> None:
    app = web.Application()
    app.router.add_post("/twilio/voice", handler)
    server = await aiohttp_server(app)
    argv = ["--server", str(server.make_url("")), "--token", "cc_token"]
    code, _, err = await asyncio.to_thread(run, capsys, *argv)
    assert (code, err.strip()) == (1, message)
