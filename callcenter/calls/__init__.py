"""The Call: one id per conversation, its lifecycle, and the only writer of call records."""
