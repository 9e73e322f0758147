"""Accounts: registration, confirmation, sign-in, passwords, profile, roles."""
