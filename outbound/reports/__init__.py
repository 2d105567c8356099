"""Campaign reports for operations: why attempts wait, the attempts export."""
