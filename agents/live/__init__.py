"""The live call with an agent: hold, consult (then complete, cancel or conference),
recording pause/resume, and supervisors' listen, whisper and barge."""
