"""Email: governance notices rendered from fixed templates into an outbox, delivered by a job."""
