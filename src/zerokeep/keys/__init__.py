"""The key hierarchy: deployment master key -> organization keys -> per-object data keys.

Public seams (see `service.py` and `docs/keys-and-blobs.md`):

    keys = KeyService(load_master_keys(settings), legacy_wrapping_key=deployment.key_wrapping)
    key_id, key = await keys.data_key_for(session, organization_id, "file:file_123")
    key = await keys.open_data_key(session, key_id)          # raises KeyDestroyed when gone
    await keys.destroy_key(session, key_id)                  # purge of one object
    await keys.destroy_organization_key(session, organization_id)
    await rotate_master(session, keys, actor=CLI)            # `zerokeep keys rotate-master`
    keys.cache.on_destroyed(hook)                            # tell other processes to forget
"""

from zerokeep.keys.cache import KeyCache
from zerokeep.keys.master import MasterKey, MasterKeyMissing, MasterKeys, load_master_keys
from zerokeep.keys.service import (
    KeyDestroyed,
    KeyService,
    OrganizationKeyDestroyed,
    key_service_from_settings,
)

__all__ = [
    "KeyCache",
    "KeyDestroyed",
    "KeyService",
    "MasterKey",
    "MasterKeyMissing",
    "MasterKeys",
    "OrganizationKeyDestroyed",
    "key_service_from_settings",
    "load_master_keys",
]
