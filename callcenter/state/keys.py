"""Every Redis key is built here, under one configurable prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    """Key builders; `prefix` separates deployments sharing one Redis."""

    prefix: str

    def health(self) -> str:
        """A key the readiness probe writes and reads."""
        return f"{self.prefix}health"

    def ivr_session(self, call_id: str) -> str:
        """The IVR session of a call."""
        return f"{self.prefix}ivr:{call_id}"

    def ivr_lock(self, call_id: str) -> str:
        """Held while one request runs a step of the call's IVR."""
        return f"{self.prefix}ivr-lock:{call_id}"

    def amd_verdict(self, call_sid: str) -> str:
        """An outbound call's answering-machine verdict, until its flow starts."""
        return f"{self.prefix}amd:{call_sid}"

    def delivered(self, key: str) -> str:
        """Set once when a provider's callback was first delivered (a retry finds it)."""
        return f"{self.prefix}delivered:{key}"

    def epoch(self) -> str:
        """Written once and never expiring: gone means Redis lost its data."""
        return f"{self.prefix}epoch"

    def live_call(self, call_id: str) -> str:
        """The live state of a call with an agent (hold, consult, recording, provider refs)."""
        return f"{self.prefix}live:{call_id}"

    def lease(self, name: str) -> str:
        """A leader lease (AMI session, a campaign's dialer)."""
        return f"{self.prefix}lease:{name}"

    # Sign-in attempts (issue 18), per fixed window of a minute.
    def sign_in_username(self, username: str, window: int) -> str:
        """Counter of sign-in attempts for one (normalised) username in one window."""
        return f"{self.prefix}sign-in:user:{window}:{username}"

    def sign_in_address(self, address: str, window: int) -> str:
        """Counter of sign-in attempts from one client address in one window."""
        return f"{self.prefix}sign-in:addr:{window}:{address}"

    # Routing (ACD). A Redis Cluster needs them in one slot: give the prefix a hash tag,
    # e.g. "{cc}:".
    def acd_ready(self) -> str:
        """Hash of ready agents: agent id -> idle since (ms)."""
        return f"{self.prefix}acd:ready"

    def acd_ready_log(self) -> str:
        """Stream of changes to the ready hash, read by routers to keep their view current."""
        return f"{self.prefix}acd:ready-log"

    def acd_agent(self, agent_id: int) -> str:
        """Hash of one agent's presence: state, reason, since, call."""
        return f"{self.prefix}acd:agent:{agent_id}"

    def acd_logged_in(self) -> str:
        """Set of the agents logged in (in any state), kept by each presence change."""
        return f"{self.prefix}acd:logged-in"

    def acd_queue(self, queue: str) -> str:
        """Sorted set of a queue's waiting calls, by priority band then enqueue time."""
        return f"{self.prefix}acd:queue:{queue}"

    def acd_calls(self) -> str:
        """Hash of waiting or offered calls: call id -> routing data (JSON)."""
        return f"{self.prefix}acd:calls"

    def acd_offers(self) -> str:
        """Sorted set of open offers: call id -> deadline (ms)."""
        return f"{self.prefix}acd:offers"

    def acd_offered(self) -> str:
        """Hash of open offers: call id -> agent id."""
        return f"{self.prefix}acd:offered"

    def acd_max_wait(self) -> str:
        """Hash of calls whose queue's maximum wait has been handled: call id -> outcome."""
        return f"{self.prefix}acd:max-wait"

    def acd_wrapups(self) -> str:
        """Sorted set of agents in timed wrap-up: agent id -> when it ends (ms)."""
        return f"{self.prefix}acd:wrapups"

    def acd_meta(self) -> str:
        """Hash of calls in routing or with an agent: call id -> caller, provider ids (JSON)."""
        return f"{self.prefix}acd:meta"

    def acd_pops(self) -> str:
        """Hash of screen-pops of offered and connected calls: call id -> JSON."""
        return f"{self.prefix}acd:pops"

    def acd_stats(self, queue: str, day: str) -> str:
        """Hash of a queue's counters for one day (entered, answered, abandoned, waits)."""
        return f"{self.prefix}acd:stats:{queue}:{day}"

    def acd_desks(self) -> str:
        """Sorted set of agents with a desk connected: agent id -> last heartbeat (ms)."""
        return f"{self.prefix}acd:desks"

    def ami_actions(self) -> str:
        """Pub/sub channel carrying AMI actions to the instance holding the AMI session."""
        return f"{self.prefix}ami-actions"

    def desk_channel(self) -> str:
        """Pub/sub channel carrying messages to agents' desks, whichever instance holds them."""
        return f"{self.prefix}desk"

    def config_changed(self) -> str:
        """Pub/sub channel: agents or queues were changed; every instance reloads them."""
        return f"{self.prefix}config-changed"

    def auth_changed(self) -> str:
        """Pub/sub channel: tokens or users changed; every instance re-checks its sockets."""
        return f"{self.prefix}auth-changed"

    # The simulator (`callcenter ivr simulate --server`): what the server tells a simulated call.
    def simulator_mailbox(self, call_sid: str) -> str:
        """List of instructions for a simulated call (redirect TwiML, or an end), in order."""
        return f"{self.prefix}sim:mailbox:{call_sid}"

    def simulator_alive(self, call_sid: str) -> str:
        """Set while the simulator of a call polls its mailbox (expires soon after it stops)."""
        return f"{self.prefix}sim:alive:{call_sid}"

    def simulator_polled(self, call_sid: str) -> str:
        """Set once the simulator of a call has polled its mailbox (kept as long as a session)."""
        return f"{self.prefix}sim:polled:{call_sid}"

    # The operations console (issue 14).
    def ops_channel(self) -> str:
        """Pub/sub channel carrying campaign progress to the console's sockets."""
        return f"{self.prefix}ops-progress"
