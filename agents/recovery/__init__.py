"""Rebuilding the ACD's shared state from SQL when Redis lost its data."""
