"""Search over courses, modules and the glossary in English and Russian."""
