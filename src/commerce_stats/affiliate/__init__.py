"""Affiliate network: tracking, commissions, transaction lifecycle, exports and uploads."""
