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


# --- the live call (issue 16): hold, consult, conference in the sample dialplan and features


def extensions(context: str) -> list[str]:
    """The `exten =>` and `same =>` lines of one context of the sample dialplan."""
    lines: list[str] = []
    current = ""
    for raw in (SAMPLES / "extensions.conf").read_text(encoding="utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == context and line:
            lines.append(line)
    return lines


def cchold() -> tuple[str, str, str, str]:
    """The hold feature of features.conf: (DTMF code, run on, application, music class)."""
    value = dict(sections("features.conf"))["applicationmap"]["cchold"].removeprefix(">")
    code, on, rest = value.strip().split(",", 2)
    app, music = rest.rsplit(",", 1)
    return code, on, app, music


def test_features_conf_has_the_attended_transfer_codes_and_the_hold_feature() -> None:
    found = dict(sections("features.conf"))
    assert found["featuremap"]["atxfer"] == "*2"
    general = found["general"]
    assert (general["atxferabort"], general["atxfercomplete"], general["atxferthreeway"]) == (
        "*1",
        "*2",
        "*3",
    )
    assert general["atxferdropcall"] == "no"
    # Read() on the agent's channel (a key ends it) while the caller hears the music class
    assert cchold() == ("*8", "self", "Read(CC_HOLD_KEY,,1,,1,3600)", "default")


def test_the_dialplan_lets_agents_transfer_and_hold_and_rings_consulted_agents() -> None:
    answered = extensions("callcenter-answered")
    assert any("Set(DYNAMIC_FEATURES=cchold)" in line for line in answered)
    consult = extensions("cc-consult")
    assert any(line.startswith("exten => _X.,1") for line in consult)
    assert any(line.startswith("exten => _00X.,1") for line in consult)
    assert any("Dial(PJSIP/${EXTEN},30,t)" in line for line in consult)
    assert any("Dial(Local/${EXTEN:2}@campaign-out,30,t)" in line for line in consult)


def test_the_samples_match_the_codes_callcenter_queues() -> None:
    from callcenter.telephony.asterisk.bridge import dial_args
    from callcenter.telephony.asterisk.live_ami import CONSULT_CONTEXT, HOLD_CODE, THREEWAY_CODE

    assert cchold()[0] == HOLD_CODE
    assert dict(sections("features.conf"))["general"]["atxferthreeway"] == THREEWAY_CODE
    assert extensions(CONSULT_CONTEXT)
    assert dial_args("PJSIP/1001", 20, "c1", 7).split(",")[2].startswith("t")
