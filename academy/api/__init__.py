"""The read-only JSON API under /api/v1/ and its personal access tokens."""
