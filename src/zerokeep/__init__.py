"""zerokeep: a Mistral-compatible AI gateway; data retention is a property of the organization."""

__version__ = "0.1.0"
