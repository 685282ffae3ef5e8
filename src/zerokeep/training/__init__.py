"""Training export: retained data eligible for model improvement, and a manifest of why."""
