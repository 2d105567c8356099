"""The IVR benchmark's Flask peer walks like the tutorial: menu, sub-menu, Redirect, queue."""

from __future__ import annotations

import pytest

from bench.ivr_walk import Request, next_request

flask_ivr = pytest.importorskip("bench.peers.flask_ivr", reason="the bench extra (flask)")


def test_the_peer_walk_takes_six_steps_through_a_redirect_to_the_queue() -> None:
    client = flask_ivr.app.test_client()
    request: Request | None = Request("http://localhost/ivr/welcome", "POST", None)
    keys, visited = ["2", "1", "9", "0"], []
    while request is not None:
        visited.append(request.url.removeprefix("http://localhost"))
        form = {"CallSid": "CA1"} | ({"Digits": request.digits} if request.digits else {})
        body = client.post(request.url, data=form).get_data(as_text=True)
        request, used = next_request(request.url, body, keys[0] if keys else None)
        keys = keys[1:] if used else keys
    assert visited == [
        "/ivr/welcome",
        "/ivr/menu",
        "/ivr/bill",
        "/ivr/bill",
        "/ivr/welcome",
        "/ivr/menu",
    ]
    assert "<Enqueue>general</Enqueue>" in body
