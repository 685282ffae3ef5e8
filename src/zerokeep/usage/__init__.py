"""Usage metering: one typed metadata row per gateway request, never content."""
