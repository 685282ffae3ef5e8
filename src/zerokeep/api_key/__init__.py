"""API keys: shown once, stored as an HMAC plus a display prefix, revocable."""
