"""SQL expressions the reports share, per database dialect (SQLite and PostgreSQL)."""
from sqlalchemy import Integer, cast, func

from academy.extensions import db


def dialect():
    """The name of the database dialect in use: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def month_of(column):
    """'YYYY-MM' of a timestamp column, in SQL."""
    if dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)  # stored as "YYYY-MM-DD HH:MM:SS…": cheaper than strftime


def days_between(end, start):
    """Days (fractional) from `start` to `end`, in SQL."""
    if dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def whole_days(end, start):
    """Whole days from `start` to `end` (rounded down), in SQL."""
    if dialect() == "postgresql":
        return cast(func.floor(days_between(end, start)), Integer)
    return cast(days_between(end, start), Integer)
