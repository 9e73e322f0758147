"""Quizzes: attempts, grading, review and the final assessment."""
