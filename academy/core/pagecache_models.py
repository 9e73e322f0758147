"""The site's page stamp (academy.core.pagecache)."""
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from academy.extensions import db


class PageStamp(db.Model):
    """Row 0: moved by database triggers on every change of course content or the glossary."""

    __tablename__ = "page_stamp"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer)
