"""Outbound campaigns, pacing and the compliance gate (built in the outbound issue)."""
