"""Data plane: the stateless gateway."""
