"""Signatures: signing, confirming, withdrawing, and the public counts."""
