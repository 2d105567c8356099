"""The inbound call's use cases, written once for both telephony adapters: the IVR's services
(look-ups, tickets, queueing with the caller's routing), and the end of a call."""
