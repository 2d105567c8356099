"""Texts (SMS) of notice campaigns: one per target, in its language, beside the calls."""
