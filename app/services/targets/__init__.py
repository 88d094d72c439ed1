"""Targets (representatives and decision-makers): their data, admin, private pages."""
