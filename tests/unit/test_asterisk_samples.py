"""The sample Asterisk files keep the desk's WebRTC softphone set up as documented: a WSS
transport, an endpoint with `webrtc = yes` (DTLS-SRTP, ICE) and one registration per agent,
and Asterisk's HTTPS server with TLS, all on loopback by default."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "config" / "asterisk"
Section = tuple[str, dict[str, str]]


def sections(name: str) -> list[Section]:
    """An Asterisk .conf file's sections in order (a name may repeat, as PJSIP's do)."""
    found: list[Section] = []
    for raw in (SAMPLES / name).read_text(encoding="utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            found.append((line[1:-1], {}))
        elif "=" in line and found:
            key, _, value = line.partition("=")
            found[-1][1][key.strip()] = value.strip()
    return found


def pjsip(name: str, type: str) -> dict[str, str]:
    return next(
        body for title, body in sections("pjsip.conf") if (title, body.get("type")) == (name, type)
    )


def test_the_webrtc_endpoint_speaks_dtls_srtp_with_ice_over_wss() -> None:
    transport = pjsip("transport-wss", "transport")
    assert transport["protocol"] == "wss" and transport["bind"] == "127.0.0.1"
    endpoint = pjsip("2001", "endpoint")
    assert endpoint["webrtc"] == "yes" and endpoint["transport"] == "transport-wss"
    assert "opus" in endpoint["allow"] and endpoint["direct_media"] == "no"
    aor = pjsip("2001", "aor")
    assert (aor["max_contacts"], aor["remove_existing"]) == ("1", "yes")
    assert pjsip("2001-auth", "auth")["username"] == "2001"


def test_asterisks_https_server_carries_the_websocket_on_loopback() -> None:
    general = dict(sections("http.conf"))["general"]
    assert general["enabled"] == general["tlsenable"] == "yes"
    assert general["bindaddr"] == "127.0.0.1"
    assert general["tlsbindaddr"].startswith("127.0.0.1:")
    assert general["tlscertfile"] and general["tlsprivatekey"]
