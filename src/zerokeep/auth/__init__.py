"""Authentication for the API, shared by the data plane and the control plane.

`Authenticator` turns a bearer key into an `AuthContext` (key, organization, policy, limits),
with a one-second cache (invariant 4) that fails closed (invariant 3).
"""
