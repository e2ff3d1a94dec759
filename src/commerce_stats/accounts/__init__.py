"""Tenants (accounts), their credentials, and the admin API that manages them."""
