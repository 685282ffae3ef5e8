"""Organizations: tenants, their plan and their privacy state."""
