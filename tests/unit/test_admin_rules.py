"""Pure checks of administration: devices, skills, languages, queue memberships, queue
settings (the configuration's own rules), outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agents.admin import rules
from agents.admin.models import Device, DeviceKind, NewAgent, StoredQueue
from agents.admin.service import merged_queues
from agents.models import DEFAULT_QUEUES
from callcenter.admin_services import ConfigQueueRules
from callcenter.config import load_settings
from callcenter.core.errors import ConfigError, InvalidInputError
from callcenter.outages import rules as outage_rules
from callcenter.outages.models import (
    NewOutage,
    Outage,
    OutageChanges,
    OutageKind,
    OutageStatus,
)
from callcenter.outages.service import parse_statuses

QUEUES = ("general", "billing")
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "device"),
    [
        ("sip:1001", Device(DeviceKind.SIP, "1001")),
        ("sip:sip:1001@pbx.example.com", Device(DeviceKind.SIP, "sip:1001@pbx.example.com")),
        ("twilio_client:agent01", Device(DeviceKind.TWILIO_CLIENT, "agent01")),
        ("phone:138 0013 8000", Device(DeviceKind.PHONE, "+8613800138000")),
    ],
)
def test_devices_are_parsed_and_normalised(text: str, device: Device) -> None:
    assert rules.parse_device(text) == device


@pytest.mark.parametrize(
    "text", ["sip", "fax:1", "sip:", "sip:has space", "phone:12", "twilio_client:<b>"]
)
def test_bad_devices_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        rules.parse_device(text)
    assert err.value.code == "invalid-device"


@pytest.mark.parametrize(
    ("new", "code"),
    [
        (NewAgent("a", Device(DeviceKind.SIP, "1"), skills={"billing": 0}), "invalid-skill-level"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), skills={"billing": 10}), "invalid-skill-level"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), skills={"Bad Name": 1}), "invalid-skill"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), queues={"nope": 1}), "no-such-queue"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), queues={"general": 12}), "invalid-queue-level"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), languages=()), "invalid-language"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), languages=("chinese!",)), "invalid-language"),
        (NewAgent("a", Device(DeviceKind.SIP, "1"), manages=(0,)), "no-such-customer"),
    ],
)
def test_a_bad_new_agent_is_refused_with_a_stable_code(new: NewAgent, code: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        rules.checked_new(new, QUEUES)
    assert err.value.code == code


def test_a_good_new_agent_is_kept_with_languages_once_and_customers_sorted() -> None:
    new = NewAgent(
        "a",
        Device(DeviceKind.SIP, "1"),
        ("zh-CN", "en-US", "zh-CN"),
        {"billing": 3},
        {"billing": 2, "general": 1},
        (7, 3, 7),
    )
    checked = rules.checked_new(new, QUEUES)
    assert checked.languages == ("zh-CN", "en-US") and checked.manages == (3, 7)


@pytest.mark.parametrize(
    ("items", "pairs"),
    [(["billing=3", "fault"], {"billing": 3, "fault": 1}), ([], {})],
)
def test_command_line_level_pairs(items: list[str], pairs: dict[str, int]) -> None:
    assert rules.level_pairs(items, "--skill", "invalid-skill-level") == pairs


def test_a_command_line_level_that_is_no_number_is_refused() -> None:
    with pytest.raises(InvalidInputError) as err:
        rules.level_pairs(["billing=high"], "--skill", "invalid-skill-level")
    assert err.value.code == "invalid-skill-level"


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"wrap_up_seconds": -1}, "wrap_up_seconds"),
        ({"service_level_goal": 1.5}, "service_level_goal"),
        ({"service_level_seconds": 0}, "service_level_seconds"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_queue_settings_follow_the_configuration_rules(
    settings: dict[str, object], key: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError) as err:
        ConfigQueueRules().config("general", settings)
    assert err.value.code == "invalid-queue-settings" and key in err.value.message
    toml = tmp_path / "queues.toml"  # the configuration loader refuses the same value
    (value,) = settings.values()
    toml.write_text(f'[[routing.queues]]\nname = "general"\n{key} = {value!r}\n')
    with pytest.raises(ConfigError) as loader:
        load_settings(toml, {})
    assert key in loader.value.message


def test_queue_settings_round_trip_through_the_configuration_keys() -> None:
    queue_rules = ConfigQueueRules()
    for config in DEFAULT_QUEUES:
        assert queue_rules.config(config.name, queue_rules.settings(config)) == config


def outage() -> Outage:
    return Outage(
        1,
        OutageKind.FAULT,
        OutageStatus.ACTIVE,
        "文三路",
        "线路故障",
        START,
        START + timedelta(hours=2),
        None,
        ("F01-001",),
        (),
        START,
        None,
    )


@pytest.mark.parametrize(
    ("new", "code"),
    [
        (NewOutage(OutageKind.FAULT, " ", "c", START, None, ("F",)), "empty-area"),
        (NewOutage(OutageKind.FAULT, "a", "", START, None, ("F",)), "empty-cause"),
        (NewOutage(OutageKind.FAULT, "a", "c", START, None), "no-outage-scope"),
        (NewOutage(OutageKind.FAULT, "a", "c", START, START, ("F",)), "etr-before-start"),
        (
            NewOutage(OutageKind.PLANNED, "a", "c", START, START - timedelta(hours=1), (), (1,)),
            "etr-before-start",
        ),
    ],
)
def test_a_nonsense_outage_is_refused(new: NewOutage, code: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        outage_rules.checked_new(new)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (OutageChanges(status=OutageStatus.ACTIVE), "invalid-outage-status"),
        (OutageChanges(estimated_restoration_at=START), "etr-before-start"),
        (OutageChanges(restored_at=START + timedelta(hours=1)), "invalid-restored-at"),
        (
            OutageChanges(status=OutageStatus.RESTORED, restored_at=START - timedelta(hours=1)),
            "invalid-restored-at",
        ),
        (
            OutageChanges(status=OutageStatus.RESTORED, restored_at=START + timedelta(days=2)),
            "invalid-restored-at",
        ),
        (OutageChanges(area=""), "empty-area"),
    ],
)
def test_nonsense_changes_are_refused(changes: OutageChanges, code: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        outage_rules.checked_changes(outage(), changes, START + timedelta(hours=3))
    assert err.value.code == code


def test_restoring_without_a_time_restores_now() -> None:
    now = START + timedelta(hours=3)
    checked = outage_rules.checked_changes(
        outage(), OutageChanges(status=OutageStatus.RESTORED), now
    )
    assert checked.restored_at == now and outage_rules.action_of(checked) == "restore"


@pytest.mark.parametrize(
    ("start", "status"),
    [(START, OutageStatus.ACTIVE), (START + timedelta(minutes=1), OutageStatus.SCHEDULED)],
)
def test_a_new_outage_is_active_once_started(start: datetime, status: OutageStatus) -> None:
    assert outage_rules.status_at_start(start, START) is status


def test_a_naive_time_is_local_at_the_utility() -> None:
    local = outage_rules.aware(datetime(2026, 3, 10, 10, 0), ZoneInfo("Asia/Shanghai"))
    assert local == START


@pytest.mark.parametrize(
    ("text", "statuses"),
    [
        ("open", {OutageStatus.SCHEDULED, OutageStatus.ACTIVE}),
        ("restored,active", {OutageStatus.RESTORED, OutageStatus.ACTIVE}),
        ("", set()),
    ],
)
def test_status_filters(text: str, statuses: set[OutageStatus]) -> None:
    assert parse_statuses(text) == statuses


def test_an_unknown_status_filter_is_refused() -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_statuses("burning")
    assert err.value.code == "invalid-query"


def test_stored_queue_settings_override_add_and_a_bad_row_is_skipped() -> None:
    configured = {q.name: q for q in DEFAULT_QUEUES}
    stored = [
        StoredQueue("billing", {"wrap_up_seconds": 45}),
        StoredQueue("storm", {"overflow_after_seconds": 60, "overflow_queue": "general"}),
        StoredQueue("broken", {"overflow_after_seconds": 60, "overflow_queue": "gone"}),
    ]
    merged = merged_queues(configured, stored, ConfigQueueRules())
    assert merged["billing"].wrap_up_seconds == 45
    assert merged["storm"].overflow_queue == "general" and "broken" not in merged
    assert len(merged) == len(configured) + 1
