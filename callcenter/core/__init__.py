"""Ids, the clock port, base errors and value types shared by every package (stdlib only)."""
