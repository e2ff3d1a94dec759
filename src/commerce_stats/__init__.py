"""commerce-stats: self-hosted commerce analytics server."""

__version__ = "0.1.0"
