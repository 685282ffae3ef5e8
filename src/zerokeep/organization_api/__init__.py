"""The JSON API over an organization's own API keys, token budget and usage (`/v1/organization`).

Routes only: the rules live in api_key/, organization/ and usage/. They sit here, above those
domains, because they need authentication (auth/), which itself reads keys, budgets and users.
"""
