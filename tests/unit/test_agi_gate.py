"""Who may open a FastAGI session (issue 18): the allow-list of peers and the shared secret
in the AGI URL's path, as Asterisk sends it (`agi_network_script: <secret>/ivr`)."""

from __future__ import annotations

import pytest

from callcenter.core.addresses import is_loopback, networks, within
from callcenter.telephony.asterisk.agi_gate import AgiGate, Refusal

SECRET = "0123456789abcdef0123456789abcdef"


def env(script: str) -> dict[str, str]:
    """The environment's lines that name the script, as Asterisk 22 sends them."""
    return {
        "network": "yes",
        "network_script": script,
        "request": f"agi://127.0.0.1:4573/{script}",
        "uniqueid": "1795334646.1",
    }


@pytest.mark.parametrize(
    ("secret", "script", "refusal"),
    [
        (SECRET, f"{SECRET}/ivr", None),
        (SECRET, "ivr", Refusal.NO_SECRET),
        (SECRET, "", Refusal.NO_SECRET),
        (SECRET, f"{SECRET[:-1]}0/ivr", Refusal.WRONG_SECRET),
        (SECRET, f"{SECRET}x/ivr", Refusal.WRONG_SECRET),
        (SECRET, f"x/{SECRET}/ivr", Refusal.WRONG_SECRET),
        ("", "ivr", None),  # no secret set (loopback): the script as it is
        ("", "<secret>/ivr", None),  # the sample dialplan's placeholder is ignored then
    ],
)
def test_the_secret_opens_the_session(secret: str, script: str, refusal: Refusal | None) -> None:
    assert AgiGate(secret=secret).opened(env(script))[1] == refusal


def test_the_rest_of_the_session_never_sees_the_secret() -> None:
    opened, refusal = AgiGate(secret=SECRET).opened(env(f"{SECRET}/answered"))
    assert refusal is None
    assert opened["network_script"] == "answered"
    assert opened["request"] == "agi://127.0.0.1:4573/answered"
    assert SECRET not in repr(opened)
    assert opened["uniqueid"] == "1795334646.1"


@pytest.mark.parametrize(
    ("allow", "peer", "admitted"),
    [
        (("127.0.0.1", "::1"), "127.0.0.1", True),
        (("127.0.0.1", "::1"), "::1", True),
        (("127.0.0.1", "::1"), "::ffff:127.0.0.1", True),  # a dual-stack socket's peer
        (("127.0.0.1", "::1"), "10.0.0.7", False),
        (("10.0.0.0/8",), "10.1.2.3", True),
        (("10.0.0.0/8",), "127.0.0.1", False),
        (("10.0.0.0/8",), "", False),  # no peer address (a Unix socket): not admitted
    ],
)
def test_only_peers_of_the_allow_list_are_admitted(
    allow: tuple[str, ...], peer: str, admitted: bool
) -> None:
    assert AgiGate.of(allow, None).admits(peer) is admitted


def test_the_default_gate_admits_loopback_only_and_wants_no_secret() -> None:
    gate = AgiGate()
    assert gate.admits("127.0.0.1") and not gate.admits("192.0.2.1")
    assert gate.opened(env("ivr"))[1] is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("pbx.example.net", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33'"):
        networks(["10.0.0.0/33"])
    assert not within("not-an-address", networks(["0.0.0.0/0"]))
