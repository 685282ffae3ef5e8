"""Logs and metrics that take typed metadata records only, never content."""
