"""Letters: writing one, where a ZIP code is, and who receives it."""
