"""Images uploaded into a draft: the course format's image rules, plus a pixel-size limit."""
import tempfile
from pathlib import Path

from flask_babel import lazy_gettext as _l

from academy.authoring.models import AuthoringImage
from academy.authoring.services import WorkflowError
from academy.core.audit import record_event
from academy.courses.images import MAX_IMAGE_BYTES, load_image
from academy.courses.specs import ImageFile
from academy.extensions import db

MAX_SIDE = 4000  # pixels, either side
MAX_PIXELS = 12_000_000  # a large image's decoded size in memory is what hurts a phone


def add_image(draft, filename: str, data: bytes, alt: str) -> AuthoringImage:
    """Check an upload by the course rules (name, type by content, 1 MB) and the pixel limit,
    then keep it with the draft (replacing one of the same name)."""
    if not (alt or "").strip():
        raise WorkflowError(_l("Describe the image: alternative text is required."))
    if draft.status == "submitted":
        raise WorkflowError(_l("The draft is with the reviewer: it cannot be changed until it "
                               "is returned."))
    name = Path((filename or "").replace("\\", "/")).name.lower()
    if len(data) > MAX_IMAGE_BYTES:
        raise WorkflowError(_l("The image is larger than %(limit)d KB: resize or compress it.",
                               limit=MAX_IMAGE_BYTES // 1024))
    with tempfile.TemporaryDirectory(prefix="academy-image-") as tmp:
        if name and "/" not in name and name not in (".", ".."):
            (Path(tmp) / name).write_bytes(data)
        checked = load_image(Path(tmp), name, name)
    if not isinstance(checked, ImageFile):
        raise WorkflowError(str(checked))
    if max(checked.width, checked.height) > MAX_SIDE or checked.width * checked.height > MAX_PIXELS:
        raise WorkflowError(_l("The image is %(width)d × %(height)d pixels; the limit is "
                               "%(side)d pixels a side and %(megapixels)d megapixels: make it "
                               "smaller.", width=checked.width, height=checked.height,
                               side=MAX_SIDE, megapixels=MAX_PIXELS // 1_000_000))
    for image in list(draft.images):
        if image.name == name:
            draft.images.remove(image)
    db.session.flush()
    image = AuthoringImage(name=name, media_type=checked.media_type, width=checked.width,
                           height=checked.height, data=checked.data)
    draft.images.append(image)
    record_event("authoring.image", target=f"{draft.module.course.slug}/{draft.module.slug}",
                 name=name, size=len(data))
    db.session.flush()
    return image
