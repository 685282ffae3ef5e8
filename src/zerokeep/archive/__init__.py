"""The payload archive: encrypted inputs and outputs of non-ZDR stateless calls, TTL-bounded.

One of the two doors to persistence (DESIGN.md invariant 1). Writing requires an ARCHIVE
decision; records expire after the organization's abuse window and are purged for good.
"""
