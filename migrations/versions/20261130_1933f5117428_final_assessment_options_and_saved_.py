"""Final assessment options (attempts, wait, lock, review) and answers saved as given.

Revision ID: 1933f5117428
Revises: 9512649b9fc0
Create Date: 2026-11-30 22:06:57.945891

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1933f5117428'
down_revision = '9512649b9fc0'
branch_labels = None
depends_on = None


def upgrade():
    
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiz_review', sa.String(length=10), server_default='full', nullable=False))
        batch_op.add_column(sa.Column('final_max_attempts', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('final_wait_hours', sa.Integer(), server_default='24', nullable=False))
        batch_op.add_column(sa.Column('final_requires_modules', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('final_review', sa.String(length=10), server_default='outcome', nullable=False))

    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True))




def downgrade():
    
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_column('saved_at')
        batch_op.drop_column('draft')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('final_review')
        batch_op.drop_column('final_requires_modules')
        batch_op.drop_column('final_wait_hours')
        batch_op.drop_column('final_max_attempts')
        batch_op.drop_column('quiz_review')


