"""IVR flows as data and the pure `step` engine (built in the IVR issue)."""
