"""Catalogue, course and module pages, enrolment, progress and completion."""
