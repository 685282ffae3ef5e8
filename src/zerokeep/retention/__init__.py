"""The pure retention core: endpoint catalogue, per-request decision, and the Content type.

Nothing in this package does I/O; everything else reads it.
"""
