"""Authoring in the browser: drafts, review, publication, history of course modules."""
