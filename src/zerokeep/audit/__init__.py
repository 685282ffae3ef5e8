"""Audit: append-only, hash-chained governance events (DESIGN.md invariant 7)."""
