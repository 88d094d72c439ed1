"""The organizer workspace: accounts, analytics, exports, moderation, updates."""
