"""Shoppable-video ecommerce analytics: catalog, event ingestion and the ecommerce report."""
