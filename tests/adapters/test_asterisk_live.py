"""The live call on Asterisk (issue 16) against real Asterisk 22 sessions: `AsteriskLive`'s
actions compared with the recorded ones (`ami-mixmonitor`, `ami-hold-and-redirect`,
`ami-chanspy-listen-whisper-barge`) and driven by the recorded answers and events, errors
included; the actions no recording has (PlayDTMF with Receive) get Asterisk's own answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from agents.live.models import Device, LiveCall, MonitorMode, RecordingStatus
from agents.live.ports import LiveControlError
from callcenter.telephony.asterisk.live import AsteriskLive
from tests.adapters.asterisk_live_helpers import (
    Answer,
    Scripted,
    Transcript,
    agent,
    attached,
    bridged,
    gone,
    live_call,
)
from tests.adapters.test_ami_service import until

MIXMON = "ami-mixmonitor"
MIXMON_CALLER, MIXMON_CALLER_ID = "Local/s@live-in-0000000e;2", "1796259529.29"
MIXMON_AGENT = "Local/agent1@live-agents-0000000f;1"
HOLD = "ami-hold-and-redirect"
HOLD_CALLER, HOLD_CALLER_ID = "Local/s@live-in-00000010;2", "1796259544.33"
HOLD_AGENT1 = "Local/agent1@live-agents-00000011;1"
HOLD_AGENT2 = "Local/agent2@live-agents-00000013;1"  # after the recorded blind transfer
HOLD_AGENT3 = "Local/agent3@live-agents-00000017;1"  # after the recorded attended transfer
TO_AGENT2 = [2, 3, 4, 5, 6, 7, 8]  # the call set up, held, parked, taken back, transferred
SPY = "ami-chanspy-listen-whisper-barge"
SPY_CALLER_ID = "1796259512.17"
SPY_AGENT, SPY_AGENT_ID = "Local/agent1@live-agents-00000009;1", "1796259512.18"
QUEUED = Scripted("Success", "DTMF successfully queued")  # app_senddtmf.c
ATXFER = agent(3, "sip", "1003")


def dtmf(channel: str, digits: str) -> list[dict[str, str]]:
    """Our PlayDTMF actions queueing `digits` as received on `channel`."""
    return [
        {"Action": "PlayDTMF", "Channel": channel, "Digit": d, "Receive": "yes"} for d in digits
    ]


async def test_started_records_the_callers_channel_as_recorded() -> None:
    asterisk = Transcript(MIXMON, setup=[2])
    asterisk.expect("MixMonitor", 3)
    async with attached(asterisk, AsteriskLive(recording_dir="/var/spool/asterisk/monitor")) as (
        ami,
        live,
    ):
        await bridged(ami, MIXMON_CALLER_ID)
        # the call id chosen so the file is the recorded one: call-<call id>.wav
        state = await live.started(live_call("1796259529.29-part1", MIXMON_CALLER_ID), True)
    assert asterisk.actions("MixMonitor") == [asterisk.recorded_action(3)]
    assert dict(state.refs) == {
        "caller": MIXMON_CALLER,
        "agent": MIXMON_AGENT,
        "mixmonitor": "0x7ff6dc002320",
        "recording_location": "call-1796259529.29-part1.wav",  # whole when the call ends
    }
    assert state.recording is RecordingStatus.RECORDING


async def test_started_without_recording_notes_the_legs_only() -> None:
    asterisk = Transcript(MIXMON, setup=[2])
    async with attached(asterisk) as (ami, live):
        await bridged(ami, MIXMON_CALLER_ID)
        state = await live.started(live_call("c1", MIXMON_CALLER_ID), False)
    assert asterisk.sent == []
    assert dict(state.refs) == {"caller": MIXMON_CALLER, "agent": MIXMON_AGENT}
    assert state.recording is None


async def test_recording_pause_and_resume_mute_both_directions() -> None:
    asterisk = Transcript(MIXMON, setup=[2, 3])
    asterisk.expect("MixMonitorMute", 4, 5)
    call = live_call("c1", MIXMON_CALLER_ID, caller=MIXMON_CALLER, mixmonitor="0x7ff6dc002320")
    async with attached(asterisk) as (ami, live):
        await bridged(ami, MIXMON_CALLER_ID)
        paused = await live.pause_recording(call)
        resumed = await live.resume_recording(call)
    the_id = {"MixMonitorID": "0x7ff6dc002320"}
    assert asterisk.actions("MixMonitorMute") == [
        asterisk.recorded_action(4, **the_id),
        asterisk.recorded_action(5, **the_id),
    ]
    assert (paused.recording, resumed.recording) == (
        RecordingStatus.PAUSED,
        RecordingStatus.RECORDING,
    )


async def test_a_recording_ends_with_the_call_with_nothing_left_to_stop() -> None:
    asterisk = Transcript(MIXMON, setup=[2])
    asterisk.expect("MixMonitor", 13)  # recorded: left running, then the caller hangs up
    async with attached(asterisk, AsteriskLive(recording_dir="/var/spool/asterisk/monitor")) as (
        ami,
        live,
    ):
        await bridged(ami, MIXMON_CALLER_ID)
        await live.started(live_call("1796259529.29-part2", MIXMON_CALLER_ID), True)
        await asterisk.push(14)

        async def all_gone() -> bool:
            return not ami.tracker.channels

        await until(all_gone, 5)
    assert asterisk.actions("MixMonitor") == [asterisk.recorded_action(13)]
    assert [a["Action"] for a in asterisk.sent] == ["MixMonitor"]  # no StopMixMonitor needed


async def test_pausing_an_unrecorded_call_asks_nothing_of_asterisk() -> None:
    asterisk = Transcript(MIXMON, setup=[2])
    async with attached(asterisk) as (_, live):
        with pytest.raises(LiveControlError) as refused:
            await live.pause_recording(live_call("c1", MIXMON_CALLER_ID, caller=MIXMON_CALLER))
    assert refused.value.code == "not-recording" and asterisk.sent == []


def with_agent2(**answers: list[Answer]) -> Transcript:
    """The recorded call once transferred to agent 2, our actions answered so."""
    asterisk = Transcript(HOLD, setup=TO_AGENT2)
    for action, queued in answers.items():
        asterisk.expect(action, *queued)
    return asterisk


def holding() -> list[Answer]:
    """PlayDTMF's answers to `*8`, the bridge's Hold on agent 2's channel after the `8`
    (recorded during the attended transfer, which holds the caller the same way)."""
    hold = Transcript(HOLD, setup=[]).event("Hold", HOLD_AGENT2)
    return [QUEUED, Scripted(QUEUED.status, QUEUED.message, hold)]


def resuming() -> list[Answer]:
    """PlayDTMF's answer to `#`, the bridge's recorded Unhold on agent 2's channel after."""
    unhold = Transcript(HOLD, setup=[]).event("Unhold", HOLD_AGENT2)
    return [Scripted(QUEUED.status, QUEUED.message, unhold)]


async def test_hold_and_resume_queue_the_feature_codes_on_the_agents_channel() -> None:
    asterisk = with_agent2(PlayDTMF=holding() + resuming())
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        call = live_call("c1", HOLD_CALLER_ID)  # no legs noted yet: found from the channels
        held = await live.hold(call)
        resumed = await live.resume(replace(call, state=held))
    assert asterisk.actions("PlayDTMF") == dtmf(HOLD_AGENT2, "*8#")
    assert held.held and not resumed.held
    assert (held.refs["caller"], held.refs["agent"]) == (HOLD_CALLER, HOLD_AGENT2)


async def test_a_hold_asterisk_does_not_confirm_is_refused() -> None:
    asterisk = with_agent2(PlayDTMF=[QUEUED, QUEUED])  # no Hold: cchold not configured
    async with attached(asterisk, AsteriskLive(confirm_seconds=0.05)) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        with pytest.raises(LiveControlError) as refused:
            await live.hold(live_call("c1", HOLD_CALLER_ID))
    assert refused.value.code == "feature-not-configured"


async def test_consult_cancel_and_complete_as_recorded() -> None:
    asterisk = with_agent2(
        Atxfer=[9, 11],
        CancelAtxfer=[10],
        Hangup=[12],
        Originate=[Scripted("Success", "Originate successfully queued")],
    )
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        call = live_call("c1", HOLD_CALLER_ID, caller=HOLD_CALLER)
        consulting = await live.consult(call, ATXFER)
        with_refs = replace(call, state=consulting)
        cancelled = await live.cancel_consult(with_refs, ATXFER)
        await live.consult(with_refs, ATXFER)
        completed = await live.complete_consult(with_refs, ATXFER)

        async def agent3_with_the_caller() -> bool:
            caller = ami.tracker.by_uniqueid(HOLD_CALLER_ID)
            agent3 = ami.tracker.by_uniqueid("1796259563.48")
            return None not in (caller, agent3) and caller.bridge == agent3.bridge  # type: ignore[union-attr]

        await until(agent3_with_the_caller, 5)
        # the consulted agent is now the one the caller talks with: found by the bridge
        await live.monitor(
            replace(call, agent=ATXFER, state=completed), Device("sip", "9001"), MonitorMode.LISTEN
        )
    # `#` ends the extension: cc-consult's patterns would otherwise wait for more digits
    to_consult = asterisk.recorded_action(9, Context="cc-consult", Exten="1003#")
    assert asterisk.actions("Atxfer") == [to_consult, to_consult]
    assert asterisk.actions("CancelAtxfer") == [asterisk.recorded_action(10)]
    assert asterisk.actions("Hangup") == [asterisk.recorded_action(12)]
    assert asterisk.actions("Originate")[0]["Data"] == f"{HOLD_AGENT3},qES"
    assert consulting.refs["agent"] == HOLD_AGENT2 and not cancelled.held
    assert completed.refs["agent"] == ""


async def test_a_consult_from_hold_resumes_first_then_transfers() -> None:
    asterisk = with_agent2(
        PlayDTMF=resuming(), Atxfer=[Scripted("Success", "Atxfer successfully queued")]
    )
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        call = live_call("c1", HOLD_CALLER_ID, caller=HOLD_CALLER, agent=HOLD_AGENT2)
        await live.consult(replace(call, state=call.state.but(held=True)), ATXFER)
    assert [a["Action"] + a.get("Digit", "") for a in asterisk.sent] == ["PlayDTMF#", "Atxfer"]


async def test_conference_queues_the_three_way_code() -> None:
    asterisk = with_agent2(Atxfer=[9], PlayDTMF=[QUEUED, QUEUED])
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        call = live_call("c1", HOLD_CALLER_ID, caller=HOLD_CALLER)
        consulting = await live.consult(call, ATXFER)
        together = await live.conference(replace(call, state=consulting), ATXFER)
    assert asterisk.actions("PlayDTMF") == dtmf(HOLD_AGENT2, "*3")
    assert not together.held


@pytest.mark.parametrize(
    ("mode", "recorded", "options"),
    [
        (MonitorMode.LISTEN, 3, "q"),
        (MonitorMode.WHISPER, 4, "qw"),
        (MonitorMode.BARGE, 5, "qB"),
    ],
)
async def test_supervisors_spy_on_the_agents_channel(
    mode: MonitorMode, recorded: int, options: str
) -> None:
    asterisk = Transcript(SPY, setup=[2])
    asterisk.expect("Originate", recorded)
    async with attached(asterisk) as (ami, live):
        await bridged(ami, SPY_CALLER_ID)
        leg = await live.monitor(live_call("c1", SPY_CALLER_ID), Device("sip", "9001"), mode)
    sent = asterisk.actions("Originate")[0]
    # as recorded, and ended with the spied channel (E) or when there is none (S)
    assert (
        sent["Data"]
        == asterisk.recorded_action(recorded)["Data"] + "ES"
        == f"{SPY_AGENT},{options}ES"
    )
    assert (sent["Application"], sent["Channel"], sent["ChannelId"]) == (
        "ChanSpy",
        "PJSIP/9001",
        leg,
    )


async def test_a_supervisors_phone_number_is_dialled_through_the_outbound_context() -> None:
    asterisk = Transcript(SPY, setup=[2])
    asterisk.expect("Originate", 3)
    async with attached(asterisk) as (ami, live):
        await bridged(ami, SPY_CALLER_ID)
        await live.monitor(
            live_call("c1", SPY_CALLER_ID), Device("phone", "+8613900139000"), MonitorMode.LISTEN
        )
    assert asterisk.actions("Originate")[0]["Channel"] == "Local/8613900139000@campaign-out"


async def test_a_spy_on_an_ended_call_leaves_no_channel_behind() -> None:
    asterisk = Transcript(SPY, setup=[2])
    asterisk.expect("Originate", 8)  # recorded: `S` on a channel that is gone
    async with attached(asterisk) as (ami, live):
        await bridged(ami, SPY_CALLER_ID)
        await asterisk.push(7)  # the caller hangs up: the call's channels end
        await gone(ami, SPY_AGENT_ID)
        await live.monitor(
            live_call("c1", SPY_CALLER_ID, agent=SPY_AGENT),
            Device("sip", "9001"),
            MonitorMode.LISTEN,
        )

        async def nothing_left() -> bool:
            return not ami.tracker.channels and len(asterisk.sent) == 1

        await until(nothing_left, 5)


async def _hold(live: AsteriskLive, call: LiveCall) -> object:
    return await live.hold(call)


async def _consult_agent3(live: AsteriskLive, call: LiveCall) -> object:
    return await live.consult(call, ATXFER)


@pytest.mark.parametrize(
    ("op", "answers"),
    [
        (_hold, {"PlayDTMF": holding()}),
        (_consult_agent3, {"Atxfer": [Scripted("Success", "Atxfer successfully queued")]}),
    ],
)
async def test_a_caller_hanging_up_while_held_or_consulting_ends_the_agents_leg_too(
    op: Callable[[AsteriskLive, LiveCall], Awaitable[object]], answers: dict[str, list[Answer]]
) -> None:
    asterisk = with_agent2(**answers, Hangup=[Scripted("Success", "Channel Hungup")])
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID, "9064db83")
        await op(live, live_call("c1", HOLD_CALLER_ID))
        await asterisk.push(18)  # the recorded caller's hang-up

        async def agent_hung_up() -> bool:
            return bool(asterisk.actions("Hangup"))

        await until(agent_hung_up, 5)
    assert asterisk.actions("Hangup") == [
        {"Action": "Hangup", "Channel": HOLD_AGENT2, "Cause": "16"}
    ]


Op = Callable[[AsteriskLive, LiveCall], Awaitable[object]]


def _started(live: AsteriskLive, call: LiveCall) -> Awaitable[object]:
    return live.started(call, True)


def _consult(live: AsteriskLive, call: LiveCall) -> Awaitable[object]:
    return live.consult(call, ATXFER)


@pytest.mark.parametrize(
    ("name", "action", "answer", "op", "refs", "code"),
    [
        (MIXMON, "MixMonitor", 11, _started, {}, "channel-gone"),  # No such channel
        (
            MIXMON,
            "MixMonitorMute",
            12,
            AsteriskLive.pause_recording,
            {"mixmonitor": "x"},
            "live-control-failed",
        ),
        (
            HOLD,
            "Atxfer",
            14,
            _consult,
            {"agent": "Local/agent9@live-agents-ffffffff;1"},
            "channel-gone",
        ),
        (
            HOLD,
            "PlayDTMF",
            Scripted("Error", "Channel not found"),
            AsteriskLive.hold,
            {},
            "channel-gone",
        ),
        (
            HOLD,
            "Atxfer",
            Scripted("Error", "No attended transfer feature code found"),
            _consult,
            {},
            "feature-not-configured",
        ),
    ],
)
async def test_asterisks_refusals_have_stable_codes(
    name: str, action: str, answer: int | Scripted, op: Op, refs: dict[str, str], code: str
) -> None:
    asterisk = Transcript(name, setup=[2])
    asterisk.expect(action, answer)
    caller_id = MIXMON_CALLER_ID if name == MIXMON else HOLD_CALLER_ID
    async with attached(asterisk) as (ami, live):
        await bridged(ami, caller_id)
        with pytest.raises(LiveControlError) as refused:
            await op(live, live_call("c1", caller_id, caller="x", **refs))
    assert refused.value.code == code
    assert [a["Action"] for a in asterisk.sent] == [action]
