"""Outbound campaigns wired to the server: the stores, the gateways, the dialer loop under a
lease, outbound call records, the Twilio outbound webhooks, the REST API and the CLI. The
use cases themselves live in the top-level `outbound` package; this package only builds and
translates."""
