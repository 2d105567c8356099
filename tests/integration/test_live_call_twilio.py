"""The live call on Twilio through the running app (issue 16), embedded and real stores with
a fake Twilio REST: the caller and the agent meet in the call's conference; hold and
resume act on the caller's participant; a consultation rings a second agent into the
conference and is completed, cancelled or turned into a conference; the conference's
recording is paused and resumed; supervisors listen, whisper and barge, audited. Each has
its call-record events."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from agents.models import SYSTEM, AgentState
from callcenter.core.api import Role
from callcenter.storage.tables import audit_log
from callcenter.web.keys import ACD, AUTH, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import BASE, Caller
from tests.integration import test_agent_desk as desk
from tests.integration.test_agent_desk import (
    PASSWORD,
    Client,
    FakeTwilioRest,
    add_agent,
    call,
    next_message,
    ready_agent,
    sign_in,
    walk_to_billing,
)

client, rest, clock, zhang = desk.client, desk.rest, desk.clock, desk.zhang
CONFERENCE_SID = "CF0000000000000000000000000000000a"
RECORDING_SID = "RE0000000000000000000000000000000b"


class Talk:
    """A caller talking with agent01 through the call's conference."""

    def __init__(self, client: Client, caller: Caller, call_id: str, agent_id: int) -> None:
        self.client = client
        self.caller = caller
        self.call_id = call_id
        self.agent_id = agent_id
        self.auth: dict[str, str] = {}

    async def post(self, path: str, params: dict[str, str]) -> int:
        return int((await self.caller.post(path, params)).status)

    async def conference_started(self) -> None:
        params = {"StatusCallbackEvent": "conference-start", "ConferenceSid": CONFERENCE_SID}
        assert await self.post(f"/twilio/conference?call={self.call_id}", params) == 204

    async def act(self, path: str, auth: dict[str, str] | None = None, **body: Any) -> Any:
        return await call(
            self.client, "POST", f"/api/agents/me/call{path}", auth or self.auth, **body
        )

    async def events(self) -> list[tuple[str, dict[str, Any]]]:
        detail = await self.client.app[CALLS].detail(self.call_id)
        return [(e.type.value, e.data) for e in detail.events]


async def talking(client: Client, rest: FakeTwilioRest) -> Talk:
    agent_id, auth, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    call_id = (await next_message(ws, "offer"))["call_id"]
    talk = Talk(client, caller, call_id, agent_id)
    talk.auth = auth
    leg = rest.legs[-1][3].status_callback.removeprefix(BASE)
    assert await talk.post(leg, {"CallStatus": "in-progress", "CallSid": "CAleg1"}) == 204
    await ws.close()
    return talk


async def test_hold_and_resume_act_on_the_callers_participant(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)
    status, body = await talk.act("/hold")
    assert (status, body["error"]["code"]) == (409, "conference-not-ready")
    await talk.conference_started()

    status, body = await talk.act("/hold")
    assert (status, body["held"], body["call_id"]) == (200, True, talk.call_id)
    conference, sid, changes = rest.participants[-1]
    assert (conference, sid) == (CONFERENCE_SID, talk.caller.base["CallSid"])
    assert changes["hold"] is True and str(changes["hold_url"]).endswith(".mp3")
    assert (await talk.act("/hold"))[1]["error"]["code"] == "already-on-hold"
    status, body = await talk.act("/resume")
    assert (status, body["held"]) == (200, False)
    assert rest.participants[-1][2] == {"hold": False}
    assert (await talk.act("/resume"))[1]["error"]["code"] == "not-on-hold"
    status, body = await call(client, "GET", "/api/agents/me/call", talk.auth)
    assert (status, body["held"], body["consult"]) == (200, False, None)
    kinds = [kind for kind, _ in await talk.events()]
    assert kinds.count("held") == 1 and kinds.count("resumed") == 1


async def test_live_commands_without_a_call_are_409_no_call(client: Client, zhang: int) -> None:
    _, auth, _ = await ready_agent(client)
    for path in ("/hold", "/resume", "/consult/complete", "/recording/pause"):
        status, body = await call(client, "POST", f"/api/agents/me/call{path}", auth)
        assert (status, body["error"]["code"]) == (409, "no-call"), path
    status, body = await call(
        client, "POST", "/api/agents/me/call/consult", auth, queue="x", agent_id=2
    )
    assert (status, body["error"]["code"]) == (400, "invalid-consult")


async def test_a_consulted_agent_takes_over_the_call(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)
    await talk.conference_started()
    other, other_auth, other_ws = await ready_agent(client, "agent02")
    status, body = await talk.act("/consult", agent_id=other)
    assert (status, body["held"], body["consult"]["status"]) == (200, True, "ringing")
    assert rest.participants[-1][2]["hold"] is True  # the caller waits with music
    to, _, twiml, options = rest.legs[-1]
    assert to == "client:agent02" and f">cc-{talk.call_id}</Conference>" in twiml
    offer = await next_message(other_ws, "consult_offer")
    assert offer["call_id"] == talk.call_id and offer["pop"]["queue"] == "billing"
    assert (await client.app[ACD].presence(other)).state is AgentState.RESERVED
    assert (await talk.act("/consult/complete"))[1]["error"]["code"] == "consult-not-answered"

    consult_leg = options.status_callback.removeprefix(BASE)
    assert "role=consult" in consult_leg
    assert await talk.post(consult_leg, {"CallStatus": "in-progress", "CallSid": "CAleg2"}) == 204
    assert (await client.app[ACD].presence(other)).state is AgentState.ON_CALL
    status, body = await talk.act("/consult/complete")
    assert (status, body["agent_id"], body["consult"], body["held"]) == (200, other, None, False)
    changed = {(sid, tuple(sorted(c))) for _, sid, c in rest.participants[-3:]}
    assert ("CAleg2", ("end_conference_on_exit",)) in changed  # the consulted agent ends it now
    assert ("CAleg1", ("end_conference_on_exit",)) in changed
    assert ("CAleg1", None, "canceled") in rest.updates  # the first agent's leg ends
    assert (await client.app[ACD].presence(talk.agent_id)).state is AgentState.WRAP_UP
    status, body = await call(client, "GET", "/api/agents/me/call", other_auth)
    assert (status, body["agent_id"]) == (200, other)
    assert (await talk.act("/hold", other_auth))[0] == 200  # agent02 holds the call now

    # agent02 hangs up: the conference ends, agent02 leaves, the caller goes on to the survey
    assert await talk.post(consult_leg, {"CallStatus": "completed", "CallSid": "CAleg2"}) == 204
    assert (await client.app[ACD].presence(other)).state is AgentState.WRAP_UP
    kinds = [kind for kind, _ in await talk.events()]
    for kind in ("consult_started", "consult_answered", "consult_completed"):
        assert kinds.count(kind) == 1, kind
    record = await client.app[CALLS].get(talk.call_id)
    assert record.agent_id == other


async def test_a_consultation_cancelled_or_unanswered_frees_the_other_agent(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)
    await talk.conference_started()
    other, _, _ = await ready_agent(client, "agent02")
    assert (await talk.act("/consult", queue="billing"))[1]["consult"]["agent_id"] == other
    status, body = await talk.act("/consult/cancel")
    assert (status, body["consult"], body["held"]) == (200, None, True)
    assert ("CAleg2", None, "canceled") in rest.updates
    assert (await client.app[ACD].presence(other)).state is AgentState.READY

    assert (await talk.act("/consult", agent_id=other))[0] == 200
    leg = rest.legs[-1][3].status_callback.removeprefix(BASE)
    assert await talk.post(leg, {"CallStatus": "no-answer", "CallSid": "CAleg3"}) == 204
    assert (await client.app[ACD].presence(other)).state is AgentState.READY
    status, body = await call(client, "GET", "/api/agents/me/call", talk.auth)
    assert (body["consult"], body["held"]) == (None, True)  # back with the caller on hold
    assert (await talk.act("/resume"))[0] == 200
    await client.app[ACD].set_state(other, "not_ready", "break", SYSTEM)
    status, body = await talk.act("/consult", queue="billing")
    assert (status, body["error"]["code"]) == (409, "consult-target-not-ready")


async def test_conference_brings_the_caller_back_to_both_agents(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)
    await talk.conference_started()
    other, _, _ = await ready_agent(client, "agent02")
    await talk.act("/consult", agent_id=other)
    leg = rest.legs[-1][3].status_callback.removeprefix(BASE)
    await talk.post(leg, {"CallStatus": "in-progress", "CallSid": "CAleg2"})
    status, body = await talk.act("/consult/conference")
    assert (status, body["held"], body["consult"]["status"]) == (200, False, "conference")
    assert rest.participants[-1][2] == {"hold": False}
    assert ("conference_started", talk.agent_id) in [
        (kind, data.get("agent_id")) for kind, data in await talk.events()
    ]


async def test_recording_is_paused_and_resumed_with_silence(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)
    code = (await talk.act("/recording/pause"))[1]["error"]["code"]
    assert code == "conference-not-ready"  # recorded from the start, but not yet in the room
    await talk.conference_started()
    started = {"RecordingStatus": "in-progress", "RecordingSid": RECORDING_SID}
    assert await talk.post(f"/twilio/recording?call={talk.call_id}", started) == 204
    status, body = await talk.act("/recording/pause")
    assert (status, body["recording"]) == (200, "paused")
    assert rest.recordings[-1] == (CONFERENCE_SID, RECORDING_SID, "paused")
    status, body = await talk.act("/recording/resume")
    assert (status, body["recording"]) == (200, "recording")
    assert rest.recordings[-1] == (CONFERENCE_SID, RECORDING_SID, "in-progress")
    kinds = [kind for kind, _ in await talk.events()]
    assert kinds.count("recording_paused") == 1 and kinds.count("recording_resumed") == 1


async def test_supervisors_listen_whisper_and_barge_audited(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)
    await talk.conference_started()
    await client.app[AUTH].add_user("lead", Role.SUPERVISOR, PASSWORD, "班长")
    boss = await sign_in(client, "lead")
    path = f"/api/calls/{talk.call_id}/monitor"
    device = {"device_kind": "sip", "device_address": "sup1@pbx.example.com"}
    status, body = await call(client, "POST", path, boss, mode="listen")
    assert (status, body["error"]["code"]) == (409, "no-supervisor-device")
    for mode, marker in (("listen", 'muted="true"'), ("whisper", 'coach="CAleg1"'), ("barge", "")):
        status, body = await call(client, "POST", path, boss, mode=mode, **device)
        assert (status, body["mode"]) == (201, mode), body
        to, _, twiml, options = rest.legs[-1]
        assert to == "sip:sup1@pbx.example.com" and marker in twiml
        assert 'endConferenceOnExit="false"' in twiml
        assert f"role={mode}" in options.status_callback
    assert (await call(client, "POST", path, talk.auth, mode="listen", **device))[0] == 403
    gone = await call(client, "POST", "/api/calls/nope/monitor", boss, mode="barge", **device)
    assert (gone[0], gone[1]["error"]["code"]) == (409, "no-live-call")
    async with client.app[ENGINE].connect() as conn:
        rows = (await conn.execute(select(audit_log).where(audit_log.c.entity == "call"))).all()
    assert sorted(r.action for r in rows) == ["monitor-barge", "monitor-listen", "monitor-whisper"]
    events = [d for kind, d in await talk.events() if kind == "monitor_started"]
    assert [d["mode"] for d in events] == ["listen", "whisper", "barge"]


async def test_an_unanswered_agent_leg_puts_the_caller_back_at_the_head(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    agent_id, _, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    call_id = (await next_message(ws, "offer"))["call_id"]
    leg = rest.legs[-1][3].status_callback.removeprefix(BASE)
    assert (await caller.post(leg, {"CallStatus": "no-answer", "CallSid": "CAleg1"})).status == 204
    sid, twiml, _ = rest.updates[-1]
    assert sid == caller.base["CallSid"] and ">billing</Enqueue>" in str(twiml)
    presence = await client.app[ACD].presence(agent_id)
    assert (presence.state, presence.reason) == (AgentState.NOT_READY, "no-answer")
    assert await client.app[ACD].waiting_info(call_id) is not None


async def test_a_withdrawn_offer_stops_the_ringing_agent_leg(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    _, auth, ws = await ready_agent(client)
    await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    call_id = (await next_message(ws, "offer"))["call_id"]
    path = f"/api/agents/me/offers/{call_id}/decline"
    assert (await call(client, "POST", path, auth))[0] == 200
    assert ("CAleg1", None, "canceled") in rest.updates
    assert ">billing</Enqueue>" in str(rest.updates[-1][1])


async def test_an_agent_leg_answered_after_the_caller_left_hangs_up(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    agent_id, _, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    call_id = (await next_message(ws, "offer"))["call_id"]
    await caller.post("/twilio/status", {"CallStatus": "completed"})
    join = f"/twilio/agent-join?call={call_id}&agent={agent_id}&queue=billing"
    answered = await (await caller.post(join, {"CallStatus": "in-progress"})).text()
    assert "<Hangup" in answered and "<Conference" not in answered
    assert (await client.app[ACD].presence(agent_id)).state is AgentState.READY


async def test_a_recorded_queue_announces_and_records_the_conference(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    talk = await talking(client, rest)  # billing records its calls (the default policy)
    caller_twiml = str(rest.updates[-1][1])
    assert "您的通话可能会被录音" in caller_twiml  # the notice, in the caller's language
    assert 'record="record-from-start"' in caller_twiml
    assert f"/twilio/recording?call={talk.call_id}" in caller_twiml
    _, body = await call(client, "GET", "/api/agents/me/call", talk.auth)
    assert body["recording"] == "recording"
    await talk.conference_started()
    base = {"RecordingSid": RECORDING_SID, "RecordingUrl": "https://api.twilio.com/x"}
    path = f"/twilio/recording?call={talk.call_id}"
    assert await talk.post(path, base | {"RecordingStatus": "in-progress"}) == 204
    assert (await talk.act("/recording/pause"))[0] == 200
    assert (await talk.act("/recording/resume"))[0] == 200
    done = base | {"RecordingStatus": "completed", "RecordingDuration": "181"}
    assert await talk.post(path, done) == 204
    boss = await client.app[AUTH].add_user("lead", Role.SUPERVISOR, PASSWORD, "班长")
    _, body = await call(client, "GET", f"/api/calls/{talk.call_id}", await sign_in(client, "lead"))
    recording = body["call"]["recording"]
    assert (recording["status"], recording["duration_seconds"]) == ("ready", 181), boss
    kinds = [kind for kind, _ in await talk.events()]
    assert kinds.count("recording_started") == 1 and kinds.count("recording_ready") == 1


async def test_an_unrecorded_queue_says_nothing_of_recording(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    queues = client.app[ACD].queues
    queues.replace([replace(queues[name], record_calls=False) for name in queues])
    talk = await talking(client, rest)
    caller_twiml = str(rest.updates[-1][1])
    assert "录音" not in caller_twiml and "record=" not in caller_twiml
    _, body = await call(client, "GET", "/api/agents/me/call", talk.auth)
    assert body["recording"] is None


async def test_the_twiml_apps_voice_url_dials_for_agents_only(client: Client, zhang: int) -> None:
    await add_agent(client, "agent01", {"billing": 1})
    phone = Caller(client, "CA00000000000000000000000000000def")
    mine = {"From": "client:agent01", "To": "13800138000"}
    dialled = await (await phone.post("/twilio/softphone", mine)).text()
    assert ">+8613800138000</Dial>" in dialled and 'callerId="+861095598"' in dialled
    stranger = await (await phone.post("/twilio/softphone", mine | {"From": "client:x"})).text()
    assert "<Hangup" in stranger and "<Dial" not in stranger
    bad = await (await phone.post("/twilio/softphone", mine | {"To": "hello"})).text()
    assert "not a phone number" in bad
