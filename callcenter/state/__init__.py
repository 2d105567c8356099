"""Redis-held state (sessions, queues, presence, claims); rebuildable from SQL and the switch."""
