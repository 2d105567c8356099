"""Wires the PJSIP contact watch (issue 17: phantom ready agents on Asterisk): a contact
removed or unreachable makes its agent's device failed, as a softphone's own report does."""

from __future__ import annotations

from aiohttp import web

from agents.device import DeviceProblem, DeviceReadiness, DeviceReport, DeviceStatus
from callcenter.telephony.asterisk.contacts import ContactWatch
from callcenter.web.keys import ACD, AMI

GONE = DeviceReport(DeviceStatus.FAILED, DeviceProblem.DISCONNECTED)


def contact_watch(app: web.Application) -> ContactWatch:
    """Build the watch and attach it to the AMI session at start-up (when there is one)."""
    readiness = DeviceReadiness(app[ACD])

    async def gone(agent_id: int, status: str) -> object:
        return await readiness.report(agent_id, GONE)

    watch = ContactWatch(app[ACD].agents, gone)

    async def attach(app: web.Application) -> None:
        if AMI in app:
            app[AMI].listeners.append(watch.on_event)

    app.on_startup.append(attach)
    return watch
