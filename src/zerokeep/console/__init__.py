"""The Admin Console: a server-rendered control plane mounted at /console (never any content)."""
