"""Users and their memberships (roles) in organizations."""
