"""Business logic as plain functions; no Flask request objects in here."""
