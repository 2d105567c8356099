"""`callcenter ivr simulate --server`: a caller driving a running server's Twilio webhooks."""
