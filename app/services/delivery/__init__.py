"""Delivery: the outbox, sending what is due, provider events, daily digests."""
