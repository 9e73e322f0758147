"""The course library: the Markdown course format, its validation and import."""
