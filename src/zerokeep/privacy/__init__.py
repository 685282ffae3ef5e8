"""Privacy settings of an organization: ZDR state, training opt-out, windows, policies."""
