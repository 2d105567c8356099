"""The Asterisk adapter: an AMI codec and client, a FastAGI server running the IVR flows."""
