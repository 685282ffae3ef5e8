"""The deployment's public Trust page: what it keeps, who it sends data to, and its proof."""
