"""Upstream providers behind one small protocol (send, stream)."""
