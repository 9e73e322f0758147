"""Every model, imported in one place so Alembic and the app see the whole schema."""
from academy.auth.mfa import RecoveryCode  # noqa: F401
from academy.auth.models import AuthToken, User  # noqa: F401
from academy.authoring.models import AuthoringDraft, AuthoringImage  # noqa: F401
from academy.core.audit import AuditEvent  # noqa: F401
from academy.courses.assignments import CourseAssignment  # noqa: F401
from academy.courses.models import (Course, GlossaryTerm, Module, ModuleAsset,  # noqa: F401
                                    ModuleContent, ModuleVersion, Option, Question)
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress  # noqa: F401
from academy.quizzes.models import AttemptAnswer, QuizAttempt  # noqa: F401
from academy.network.models import TrainerInvitation, TrainerProfile  # noqa: F401
from academy.auth.models import AuthSession  # noqa: F401
from academy.search.models import SearchDocument  # noqa: F401
from academy.api.models import ApiToken  # noqa: F401
from academy.reports.models import REPORT_INDEXES  # noqa: F401
from academy.certificates.models import Certificate  # noqa: F401
from academy.core.queue_models import QueueTaskDone  # noqa: F401
from academy.core.pagecache_models import PageStamp  # noqa: F401
