"""Domain-free helpers: crypto, clock, ids."""
