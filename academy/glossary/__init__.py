"""The EN–RU glossary of migration terms."""
