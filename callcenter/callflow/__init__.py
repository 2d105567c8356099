"""The inbound call's use cases across feature packages (composition level)."""
