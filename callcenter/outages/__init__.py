"""Outage administration: operators declare, update and close outages on feeders or service
points; the IVR and the caller profile show them at once."""
