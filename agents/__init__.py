"""Agents, queues, routing, presence and the screen-pop (built in the agents issue)."""
