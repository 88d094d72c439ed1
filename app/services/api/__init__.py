"""The JSON API: public campaign resources, organizers' keys, supporter data for a key."""
