"""Certificates: issued on completion, rendered as PDF, verifiable online, offline and as Open Badges 3.0."""
