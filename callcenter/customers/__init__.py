"""Customers, accounts and the caller profile used by the IVR and the screen-pop."""
