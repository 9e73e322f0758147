"""page stamps: the reader's and the site's, moved by triggers (academy.core.pagecache)

Revision ID: 5e7d0c1a9b42
Revises: 2b7763d5711f
Create Date: 2026-12-01 22:40:00

A kept page is served again while both stamps are unchanged. Triggers move them on every change,
whoever makes it (ORM, bulk statements, the CLI, another host): `user.page_stamp` for a change to
a row of that learner's, `page_stamp` row 0 for a change of course content or the glossary.

A later migration that rebuilds one of these tables (SQLite batch "move and copy") drops its
triggers: it must create them again (tests/test_pagecache.py checks every table).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7d0c1a9b42'
down_revision = '2b7763d5711f'
branch_labels = None
depends_on = None

# Rows that belong to one learner (a `user_id` column) and show on their pages. (No kept page
# shows an open attempt's saved answers: attempt_answer has none; submitting moves the attempt.)
USER_TABLES = ("enrolment", "module_progress", "quiz_attempt", "course_completion",
               "certificate", "course_assignment", "network_trainer_profile")
# Everything a page shows of the course library and the glossary.
SITE_TABLES = ("course", "module", "module_version", "module_content", "module_asset",
               "question", "option", "glossary_term")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
BUMP_USER = 'UPDATE "user" SET page_stamp = page_stamp + 1 WHERE id = {}'
BUMP_SITE = "UPDATE page_stamp SET value = value + 1 WHERE scope = 0"


def _sqlite_triggers():
    for table in USER_TABLES:
        for operation in OPERATIONS:
            rows = ("OLD",) if operation == "DELETE" else \
                ("NEW",) if operation == "INSERT" else ("OLD", "NEW")
            body = " ".join(BUMP_USER.format(f"{row}.user_id") + ";" for row in rows)
            yield (f'CREATE TRIGGER page_stamp_{table}_{operation.lower()} AFTER {operation} '
                   f'ON "{table}" BEGIN {body} END')
    for table in SITE_TABLES:
        for operation in OPERATIONS:
            yield (f'CREATE TRIGGER page_stamp_{table}_{operation.lower()} AFTER {operation} '
                   f'ON "{table}" BEGIN {BUMP_SITE}; END')
    # The account itself: its name, role, language, sessions' version.
    yield ('CREATE TRIGGER page_stamp_user_update AFTER UPDATE ON "user" '
           'WHEN OLD.page_stamp = NEW.page_stamp BEGIN '
           + BUMP_USER.format("NEW.id") + "; END")


# PostgreSQL: once per statement, over the rows it changed (a bulk issue of 1,000 certificates
# moves each learner's stamp in one UPDATE, not in 1,000).
PG_USER_FUNCTIONS = {"new": ("new_rows",), "old": ("old_rows",), "both": ("old_rows", "new_rows")}
PG_USER_TRIGGERS = (("INSERT", "new", "NEW TABLE AS new_rows"),
                    ("UPDATE", "both", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                    ("DELETE", "old", "OLD TABLE AS old_rows"))


def _postgresql_triggers():
    for name, tables in PG_USER_FUNCTIONS.items():
        changed = " UNION ".join(f"SELECT user_id FROM {table}" for table in tables)
        yield f"""CREATE FUNCTION page_stamp_user_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {BUMP_USER.format(f"ANY(ARRAY({changed}))")}; RETURN NULL; END $$"""
    yield f"""CREATE FUNCTION page_stamp_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {BUMP_SITE}; RETURN NULL; END $$"""
    yield """CREATE FUNCTION page_stamp_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.page_stamp := OLD.page_stamp + 1; RETURN NEW; END $$"""
    for table in USER_TABLES:
        for operation, function, referencing in PG_USER_TRIGGERS:
            yield (f'CREATE TRIGGER page_stamp_{operation.lower()} AFTER {operation} '
                   f'ON "{table}" REFERENCING {referencing} FOR EACH STATEMENT '
                   f"EXECUTE FUNCTION page_stamp_user_{function}()")
    for table in SITE_TABLES:
        yield (f'CREATE TRIGGER page_stamp AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
               'FOR EACH STATEMENT EXECUTE FUNCTION page_stamp_site()')
    yield ('CREATE TRIGGER page_stamp BEFORE UPDATE ON "user" FOR EACH ROW '
           'WHEN (OLD.page_stamp = NEW.page_stamp) EXECUTE FUNCTION page_stamp_account()')


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_stamp', sa.Integer(), server_default='0',
                                      nullable=False))
    op.create_table('page_stamp',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_page_stamp'))
    )
    op.execute("INSERT INTO page_stamp (scope, value) VALUES (0, 0)")
    triggers = _postgresql_triggers if op.get_bind().dialect.name == "postgresql" \
        else _sqlite_triggers
    for statement in triggers():
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in USER_TABLES:
            for operation, _function, _referencing in PG_USER_TRIGGERS:
                op.execute(f'DROP TRIGGER page_stamp_{operation.lower()} ON "{table}"')
        for table in SITE_TABLES + ("user",):
            op.execute(f'DROP TRIGGER page_stamp ON "{table}"')
        for name in [f"user_{name}" for name in PG_USER_FUNCTIONS] + ["site", "account"]:
            op.execute(f"DROP FUNCTION page_stamp_{name}()")
    else:
        for table in USER_TABLES + SITE_TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER page_stamp_{table}_{operation.lower()}")
        op.execute("DROP TRIGGER page_stamp_user_update")
    op.drop_table('page_stamp')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('page_stamp')
