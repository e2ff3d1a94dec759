"""Shared, domain-free building blocks: errors, time, money, keys, HTTP plumbing."""
