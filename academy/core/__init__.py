"""Cross-cutting pieces: database setup, roles, i18n, web hardening, health."""
