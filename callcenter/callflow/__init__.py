"""The inbound call's use cases, written once for both telephony adapters (composition level):
the IVR's services (look-ups, tickets, queueing with the caller's routing), the ACD's wiring
(call events, screen-pops, bridges by provider) and the end of a call."""
