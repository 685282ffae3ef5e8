"""The associated data each wrapped key is sealed with: it binds a key to its organization (and
purpose), so a wrapped key copied to another row does not open."""

from __future__ import annotations


def data_key_aad(organization_id: str, purpose: str) -> bytes:
    return f"{organization_id}/{purpose}".encode()


def organization_key_aad(organization_id: str) -> bytes:
    return f"zerokeep/organization-key/{organization_id}".encode()
