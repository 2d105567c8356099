"""Telephony adapters: Twilio (webhooks + TwiML) and, later, Asterisk (AMI + FastAGI)."""
