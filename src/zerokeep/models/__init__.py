"""ORM models, one table per module; importing this package registers them all for Alembic."""

from zerokeep.models.api_key import ApiKey
from zerokeep.models.archive_record import ArchiveRecord
from zerokeep.models.audit_event import AuditEvent
from zerokeep.models.base import Base
from zerokeep.models.batch_job import BatchJob, BatchLine
from zerokeep.models.deletion import Deletion
from zerokeep.models.email_message import EmailMessage
from zerokeep.models.encryption_key import EncryptionKey
from zerokeep.models.job import Job
from zerokeep.models.legal_hold import LegalHold
from zerokeep.models.membership import Membership
from zerokeep.models.organization import Organization
from zerokeep.models.organization_key import OrganizationKey
from zerokeep.models.password_reset import PasswordReset
from zerokeep.models.stored_file import StoredFile
from zerokeep.models.usage_record import UsageRecord
from zerokeep.models.user import User
from zerokeep.models.zdr_request import ZdrRequest

__all__ = [
    "ApiKey",
    "ArchiveRecord",
    "AuditEvent",
    "Base",
    "BatchJob",
    "BatchLine",
    "Deletion",
    "EmailMessage",
    "EncryptionKey",
    "Job",
    "LegalHold",
    "Membership",
    "Organization",
    "OrganizationKey",
    "PasswordReset",
    "StoredFile",
    "UsageRecord",
    "User",
    "ZdrRequest",
]
