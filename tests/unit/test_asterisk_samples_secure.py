"""Issue 18: the sample Asterisk files are secure by default: loopback binds, no password
anyone could copy, the AMI account permitted from loopback only, and the dialplan's FastAGI
URL carrying the shared secret in the one global every AGI() uses."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from callcenter.telephony.asterisk.agi_gate import AgiGate, Refusal
from tests.unit.test_asterisk_samples import SAMPLES, extensions, sections

BIND_KEYS = ("bind", "bindaddr", "tlsbindaddr")
SECRET = "0123456789abcdef0123456789abcdef"


def binds() -> list[tuple[str, str, str]]:
    """(file, section, address) of every listening address in the samples."""
    return [
        (path.name, title, body[key])
        for path in sorted(SAMPLES.glob("*.conf"))
        for title, body in sections(path.name)
        for key in BIND_KEYS
        if key in body
    ]


def test_every_listener_is_on_loopback() -> None:
    found = binds()
    assert {name for name, _, _ in found} == {"http.conf", "manager.conf", "pjsip.conf"}
    for name, title, address in found:
        host = address.rsplit(":", 1)[0] if address.count(":") == 1 else address
        assert ipaddress.ip_address(host).is_loopback, (name, title, address)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.conf")), ids=lambda p: p.name)
def test_no_sample_ships_a_known_password(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"change[-_ ]?me", text, re.IGNORECASE)


def test_softphones_have_no_password_until_one_is_set() -> None:
    auths = [body for _, body in sections("pjsip.conf") if body.get("type") == "auth"]
    assert auths
    # empty: Asterisk refuses a userpass auth without a password (the phone cannot register)
    assert [(a["auth_type"], a["password"]) for a in auths] == [("userpass", "")] * len(auths)


def test_the_ami_account_is_loopback_only_and_has_no_default_secret() -> None:
    found = dict(sections("manager.conf"))
    assert found["general"]["bindaddr"] == "127.0.0.1"
    users = {title: body for title, body in found.items() if title != "general"}
    assert set(users) == {"callcenter"}
    account = users["callcenter"]
    # an empty `secret =` would let an empty password in: the line is left out
    assert "secret" not in account
    assert account["deny"] == "0.0.0.0/0.0.0.0"
    permitted = ipaddress.ip_network(account["permit"].replace("/255.255.255.255", "/32"))
    assert permitted.is_loopback and permitted.num_addresses == 1


def agi_url() -> str:
    """The dialplan's CALLCENTER_AGI global."""
    globals_ = [line for line in extensions("globals") if line.startswith("CALLCENTER_AGI")]
    assert len(globals_) == 1
    return globals_[0].split("=", 1)[1].strip()


def test_every_agi_request_goes_through_the_one_global_with_the_secret() -> None:
    assert agi_url() == "agi://127.0.0.1:4573/<secret>"
    lines = (SAMPLES / "extensions.conf").read_text(encoding="utf-8").splitlines()
    dialplan = "\n".join(line.split(";", 1)[0] for line in lines)  # without the comments
    requests = re.findall(r"AGI\(([^,)]*)", dialplan)
    assert sorted(requests) == [
        "${CALLCENTER_AGI}/answered",
        "${CALLCENTER_AGI}/campaign",
        "${CALLCENTER_AGI}/ivr",
    ]


@pytest.mark.parametrize(
    ("dialplan_secret", "refusal"),
    [(SECRET, None), ("<secret>", Refusal.WRONG_SECRET)],
)
def test_the_server_reads_the_secret_where_the_sample_puts_it(
    dialplan_secret: str, refusal: Refusal | None
) -> None:
    # What Asterisk sends for AGI(${CALLCENTER_AGI}/ivr): the path after host:port.
    url = agi_url().replace("<secret>", dialplan_secret) + "/ivr"
    script = url.removeprefix("agi://").split("/", 1)[1]
    opened, refused = AgiGate(secret=SECRET).opened({"network_script": script, "request": url})
    assert refused == refusal
    assert opened["network_script"] == "ivr"


def test_a_session_that_never_started_falls_back() -> None:
    hotline = extensions("hotline-in")
    agi = next(i for i, line in enumerate(hotline) if "AGI(" in line)
    assert hotline[agi + 1] == (
        'same => n,GotoIf($["${CC_FALLBACK}" = "1" | "${CC_CALL_ID}" = ""]?fallback)'
    )
