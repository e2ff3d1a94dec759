"""Promotions, promotion codes, orders, the redemption ledger and its statistics (seed 003)."""
