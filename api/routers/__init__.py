"""JSON API v1 routers (bearer tokens only)."""
