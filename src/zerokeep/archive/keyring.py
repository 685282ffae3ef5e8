"""Archive keys: one data key per organization AND per UTC day (`zerokeep.keys` holds them).

Once a day's records are purged its key is destroyed, so any copy of their ciphertext that
outlives the rows (a database's dead tuples or WAL, a backup) can no longer be read
(crypto-shredding, DESIGN.md invariant 5).

    key_id, key = await key_service.data_key_for(session, "org_1", archive_purpose(now))
"""

from __future__ import annotations

from datetime import datetime

ARCHIVE_PURPOSE = "archive"


def archive_purpose(when: datetime) -> str:
    """The purpose of the archive key for records made on `when`'s UTC day."""
    return f"{ARCHIVE_PURPOSE}:{when:%Y-%m-%d}"
