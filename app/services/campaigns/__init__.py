"""Campaigns: editing them in the workspace and loading them from content files."""
