"""ZDR requests: an organization asks for Zero Data Retention, platform staff decide."""
