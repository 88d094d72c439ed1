"""Outbound webhooks' transport: signed HTTP POSTs (it knows HTTP, nothing of campaigns)."""
