"""The states of an embedded job: queued -> running -> succeeded | failed (running -> queued on
a retry; a running job whose lease expired is claimed again)."""

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
