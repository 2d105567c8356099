"""The Twilio adapter: signed webhooks in, TwiML out."""
