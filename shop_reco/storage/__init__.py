"""Storage: SQLAlchemy models, sessions and queries. Knows nothing of HTTP."""
