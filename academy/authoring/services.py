"""The draft workflow: save (with stale-save detection), submit, return, publish, restore."""
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from academy.authoring import workspace
from academy.authoring.diffs import side_by_side
from academy.authoring.models import OPEN_STATUSES, AuthoringDraft, DraftStatus
from academy.core.audit import record_event
from academy.courses.models import Module, ModuleVersion
from academy.courses.services import CourseLibraryError
from academy.courses.specs import MAX_SLUG_LENGTH, SLUG_RE
from academy.extensions import db


class WorkflowError(ValueError):
    """A workflow step was refused; str(error) says why, in the user's language."""


class StaleSave(Exception):
    """Someone saved the module after the editor was opened; nothing was overwritten."""

    def __init__(self, theirs_en, theirs_ru, revision):
        super().__init__("stale save")
        self.theirs_en, self.theirs_ru, self.revision = theirs_en, theirs_ru, revision


def _now():
    return datetime.now(UTC)


def version_texts(version: ModuleVersion) -> tuple[str, str | None]:
    """The en.md and ru.md sources of a published version (ru None when untranslated)."""
    by_lang = {content.lang: content.source for content in version.contents}
    return by_lang.get("en", ""), by_lang.get("ru")


def open_draft(module) -> AuthoringDraft | None:
    """The module's draft in progress (draft, submitted or returned), if any."""
    return db.session.scalar(select(AuthoringDraft).where(
        AuthoringDraft.module_id == module.id, AuthoringDraft.status.in_(OPEN_STATUSES))
        .order_by(AuthoringDraft.id.desc()).limit(1))


def working_texts(module) -> tuple[AuthoringDraft | None, str, str | None, str]:
    """(open draft, English, Russian, the token a save must carry to prove it is not stale)."""
    draft = open_draft(module)
    if draft is not None:
        token = f"d{draft.id}.{draft.revision}"
        if draft.base_version_id != module.current_version_id:
            # Published meanwhile: a save from a page that showed this is a deliberate rebase.
            token += f".v{module.current_version_id}"
        return draft, draft.text_en, draft.text_ru, token
    if module.current_version is None:
        return None, "", None, "new"  # a new module, before its first draft
    text_en, text_ru = version_texts(module.current_version)
    return None, text_en, text_ru, f"v{module.current_version_id}"


def save_draft(module, user, text_en, text_ru, token) -> AuthoringDraft:
    """Store the texts as the module's draft; raise StaleSave when `token` is out of date."""
    text_en, text_ru = workspace.normalise(text_en) or "", workspace.normalise(text_ru)
    draft, theirs_en, theirs_ru, current = working_texts(module)
    if token != current:
        raise StaleSave(theirs_en, theirs_ru, current)
    if draft is None:
        draft = AuthoringDraft(module_id=module.id, base_version_id=module.current_version_id,
                               author_id=user.id, updated_by_id=user.id, contributor_ids=[],
                               revision=0, text_en="")
        db.session.add(draft)
    if draft.status == DraftStatus.SUBMITTED.value:
        raise WorkflowError(_l("The draft is with the reviewer: it cannot be changed until it "
                               "is returned."))
    draft.text_en, draft.text_ru = text_en, text_ru
    draft.base_version_id = module.current_version_id
    draft.revision += 1
    draft.status = DraftStatus.DRAFT.value
    draft.updated_by_id = user.id
    draft.updated_at = _now()
    if user.id not in draft.contributor_ids:
        draft.contributor_ids = [*draft.contributor_ids, user.id]
    db.session.flush()
    return draft


def moved_on(draft) -> dict | None:
    """What the published version changed since the draft began, per language; None if nothing."""
    module = draft.module if draft is not None else None
    if module is None or draft.base_version_id == module.current_version_id:
        return None
    base = version_texts(draft.base_version) if draft.base_version else ("", None)
    now = version_texts(module.current_version)
    if module.current_version is None:
        return None
    return {"number": module.current_version.number,
            "en": side_by_side(base[0], now[0]), "ru": side_by_side(base[1], now[1])}


def draft_images(draft) -> dict[str, bytes]:
    """The images uploaded into a draft, by name."""
    return {image.name: image.data for image in draft.images} if draft is not None else {}


def check_draft(module, text_en, text_ru) -> workspace.ModuleCheck:
    """The checker's findings for these texts (and the draft's images) in their course."""
    return workspace.check_module(module.course, module, text_en, text_ru,
                                  draft_images(open_draft(module)))


def submit_draft(draft: AuthoringDraft, user):
    """Send a draft to review; refused while the checker finds errors."""
    if draft.status not in (DraftStatus.DRAFT.value, DraftStatus.RETURNED.value):
        raise WorkflowError(_l("Only a draft can be submitted for review."))
    if check_draft(draft.module, draft.text_en, draft.text_ru).errors:
        raise WorkflowError(_l("The draft has errors: correct them before submitting it."))
    draft.status = DraftStatus.SUBMITTED.value
    draft.submitted_at = _now()
    record_event("authoring.submit", target=_target(draft), draft=draft.id)
    db.session.flush()


def return_draft(draft: AuthoringDraft, user, comment: str):
    """Send a submitted draft back to its authors with the reviewer's comment."""
    comment = (comment or "").strip()
    if draft.status != DraftStatus.SUBMITTED.value:
        raise WorkflowError(_l("Only a submitted draft can be returned."))
    if not comment:
        raise WorkflowError(_l("Say what should change: a comment is required to return a "
                               "draft."))
    draft.status = DraftStatus.RETURNED.value
    draft.review_comment = comment[:5000]
    draft.reviewer_id = user.id
    record_event("authoring.return", target=_target(draft), draft=draft.id, comment=comment)
    db.session.flush()


def publish_draft(draft: AuthoringDraft, user) -> ModuleVersion:
    """Publish a submitted draft as the module's new immutable version, as an import would."""
    module = draft.module
    if draft.status != DraftStatus.SUBMITTED.value:
        raise WorkflowError(_l("Only a submitted draft can be published."))
    if user.id in draft.contributor_ids:
        raise WorkflowError(_l("You wrote part of this draft: another reviewer must publish it."))
    if draft.base_version_id != module.current_version_id:
        raise WorkflowError(_l("The module was published again since this draft was started: "
                               "return the draft so that its authors bring it up to date."))
    try:
        workspace.publish_texts(module.course, module, draft.text_en, draft.text_ru,
                                draft_images(draft))
    except CourseLibraryError as exc:
        raise WorkflowError(_l("Not published: the checker found errors (%(first)s).",
                               first=str(exc.problems[0]) if exc.problems else "")) from exc
    db.session.refresh(module)
    draft.status = DraftStatus.PUBLISHED.value
    draft.reviewer_id = user.id
    draft.published_at = _now()
    draft.published_version_id = module.current_version_id
    record_event("authoring.publish", target=_target(draft), draft=draft.id,
                 version=module.current_version.number)
    db.session.flush()
    return module.current_version


def restore_version(module, version: ModuleVersion, user) -> AuthoringDraft:
    """Start a new draft holding an earlier version's texts."""
    if open_draft(module) is not None:
        raise WorkflowError(_l("The module already has a draft in progress: finish or "
                               "publish it first."))
    text_en, text_ru = version_texts(version)
    draft = save_draft(module, user, text_en, text_ru, f"v{module.current_version_id}")
    record_event("authoring.restore", target=_target(draft), version=version.number)
    return draft


def _target(draft):
    return f"{draft.module.course.slug}/{draft.module.slug}"


def module_versions(module) -> list[tuple[ModuleVersion, AuthoringDraft | None]]:
    """Every version of the module, newest first, with the draft it was published from."""
    versions = db.session.scalars(select(ModuleVersion).where(
        ModuleVersion.module_id == module.id).order_by(ModuleVersion.number.desc())).all()
    drafts = {draft.published_version_id: draft for draft in db.session.scalars(
        select(AuthoringDraft).where(AuthoringDraft.module_id == module.id,
                                     AuthoringDraft.published_version_id.is_not(None)))}
    return [(version, drafts.get(version.id)) for version in versions]


def translated_english(module, text_ru) -> str | None:
    """The English text the Russian was translated from (by its source_hash), if still known."""
    found = workspace.translated_from(text_ru)
    if found is None:
        return None
    for version, _draft in module_versions(module):
        english = version_texts(version)[0]
        if workspace.english_hash(english) == found:
            return english
    return None


NEW_MODULE_TEMPLATE = """---
title: {title}
summary: One sentence on what the module teaches.
estimated_minutes: 30
objectives:
  - What a learner can do after the module.
sources:
  - The legal instrument the module relies on.
---

## {title}

The teaching text.
"""


def create_module(course, user, slug: str, number: str, title: str) -> AuthoringDraft:
    """A new lesson module, unpublished, with a first draft from the template."""
    slug, title = (slug or "").strip(), " ".join((title or "").split())
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG_LENGTH or slug == "final":
        raise WorkflowError(_l("Name the module with lower-case ASCII letters, digits and single "
                               "hyphens (like border-checks)."))
    if not title:
        raise WorkflowError(_l("Give the module a title."))
    position = int(number) if (number or "").strip().isdigit() else 0
    if not 0 < position < 100:
        raise WorkflowError(_l("Give the module a number from 1 to 99."))
    taken = db.session.scalars(select(Module).where(Module.course_id == course.id)).all()
    if any(module.slug == slug for module in taken):
        raise WorkflowError(_l("The course already has a module named %(slug)s.", slug=slug))
    if any(module.position == position and not module.retired for module in taken):
        raise WorkflowError(_l("Number %(number)d is taken by another module of the course.",
                               number=position))
    module = Module(course_id=course.id, slug=slug, position=position, kind="lesson",
                    retired=False)
    db.session.add(module)
    db.session.flush()
    text = NEW_MODULE_TEMPLATE.format(title=title.replace(":", " -"))
    draft = save_draft(module, user, text, None, "new")
    record_event("authoring.new_module", target=f"{course.slug}/{slug}")
    return draft
