"""Storage: engine set-up, shared metadata and the Alembic migrations."""
