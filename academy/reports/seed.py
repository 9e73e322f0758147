"""`academy dev seed`: deterministic synthetic learners with two years of learning, bulk-inserted."""
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, insert, select, text

from academy.auth.models import User
from academy.courses.models import Course, Module
from academy.extensions import db
from academy.learning.models import CourseCompletion, Enrolment, ModuleProgress
from academy.quizzes.models import QuizAttempt
from academy.reports import seed_data as data

BATCH = 20_000
DAYS = 730  # two years


class SeedError(RuntimeError):
    """The seed cannot run; str(error) says why."""


@dataclass
class SeedCourse:
    id: int
    pass_mark: int
    content_version: int
    lessons: list  # (module id, version id)
    final: tuple | None


def _courses():
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    if not courses:
        raise SeedError("no courses: import them first (academy courses import courses)")
    modules = db.session.scalars(
        select(Module).where(Module.retired.is_(False), Module.current_version_id.is_not(None))
        .order_by(Module.course_id, Module.position)).all()
    result = []
    for course in courses:
        own = [m for m in modules if m.course_id == course.id]
        finals = [(m.id, m.current_version_id) for m in own if m.kind == "final"]
        result.append(SeedCourse(course.id, course.pass_mark, course.content_version,
                                 [(m.id, m.current_version_id) for m in own if m.kind == "lesson"],
                                 finals[0] if finals else None))
    return result


def _next_id(model):
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


class Seeder:
    """Generates rows for one seed; `run` inserts them in batches."""

    def __init__(self, count, seed, until):
        self.rng = random.Random(seed)
        self.count, self.seed = count, seed
        self.end = datetime.combine(until, time(17, 0), tzinfo=UTC)
        self.start = self.end - timedelta(days=DAYS)
        self.courses = _courses()
        self.ids = {model: _next_id(model) for model in
                    (User, Enrolment, ModuleProgress, QuizAttempt, CourseCompletion)}
        self.rows = {model: [] for model in self.ids}
        self.countries = list(data.COUNTRY_WEIGHTS)
        self.weights = list(data.COUNTRY_WEIGHTS.values())
        self.organisations = {code: self.rng.sample(data.ORGANISATION_KINDS, 4)
                              for code in self.countries}
        self.inserted = {model: 0 for model in self.ids}

    def _id(self, model):
        value = self.ids[model]
        self.ids[model] += 1
        return value

    def _moment(self, after, mean_days):
        """A time a random (exponential) while after `after`, or None past the end."""
        moment = after + timedelta(days=self.rng.expovariate(1 / mean_days),
                                   minutes=self.rng.randrange(1, 600))
        return moment if moment < self.end else None

    def _registered(self):
        # More registrations lately: the Academy grows (density rises linearly over two years).
        return self.start + timedelta(days=DAYS * (self.rng.random() ** 0.7),
                                      seconds=self.rng.randrange(86400))

    def _person(self, number):
        rng = self.rng
        country = rng.choices(self.countries, self.weights)[0]
        region = data.REGION.get(country, "west")
        given = rng.choice(data.GIVEN_NAMES[region])
        surname = rng.choice(data.SURNAMES[region])
        cyrillic = country in data.CYRILLIC_STATES
        latin = f"{given[0]} {surname[0]}"
        org_kind = rng.choice(self.organisations[country])
        return {
            "id": self._id(User),
            "email": f"seed{self.seed}-{number:07d}@learners.example",
            "password_hash": None,
            "name_latin": latin if (not cyrillic or rng.random() < 0.8) else "",
            "name_cyrillic": f"{given[1]} {surname[1]}" if cyrillic else "",
            "country": country,
            "organisation": org_kind if country == "other" else f"{org_kind} ({country})",
            "position": rng.choice(data.POSITIONS),
            "locale": "ru" if cyrillic and rng.random() < 0.7 else ("ru" if rng.random() < 0.05 else "en"),
            "role": "learner", "country_scope": "all", "active": True, "session_version": 1,
            "email_confirmed_at": None, "created_at": self._registered(),
        }

    def _attempts(self, user, module, opened, pass_mark, lang):
        """Attempts at one quiz until passed (or given up); returns (best score, passed at)."""
        best, when = None, opened
        for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3))):
            when = self._moment(when, 0.5)
            if when is None:
                break
            score = min(100, max(0, int(self.rng.gauss(pass_mark + 8, 15))))
            passed = score >= pass_mark
            self.rows[QuizAttempt].append({
                "id": self._id(QuizAttempt), "user_id": user["id"], "module_id": module[0],
                "version_id": module[1], "layout": [], "started_at": when - timedelta(minutes=12),
                "submitted_at": when, "score": score, "passed": passed, "lang": lang})
            best = score if best is None else max(best, score)
            if passed:
                return best, when
        return best, None

    def _enrolment(self, user, course, enrolled):
        rng = self.rng
        enrolment = {"id": self._id(Enrolment), "user_id": user["id"], "course_id": course.id,
                     "created_at": enrolled, "last_module_id": None, "last_activity_at": None}
        self.rows[Enrolment].append(enrolment)
        moment, finished = enrolled, True
        persistence = rng.choice((0.55, 0.8, 0.92, 0.97))
        if rng.random() > 0.82:
            return
        for index, module in enumerate(course.lessons):
            if index and rng.random() > persistence:
                finished = False
                break
            opened = self._moment(moment, 5)
            if opened is None:
                finished = False
                break
            best, passed_at = self._attempts(user, module, opened, course.pass_mark, user["locale"])
            self.rows[ModuleProgress].append({
                "id": self._id(ModuleProgress), "user_id": user["id"], "module_id": module[0],
                "version_id": module[1], "opened_at": opened, "best_score": best,
                "completed_at": passed_at})
            enrolment["last_module_id"], enrolment["last_activity_at"] = module[0], passed_at or opened
            if passed_at is None:
                finished = False
                break
            moment = passed_at
        if not finished:
            return
        if course.final is not None:
            best, moment = self._attempts(user, course.final, moment, course.pass_mark, user["locale"])
            if moment is None:
                return
        self.rows[CourseCompletion].append({
            "id": self._id(CourseCompletion), "user_id": user["id"], "course_id": course.id,
            "completed_at": moment, "content_version": course.content_version})

    def _learner(self, number):
        user = self._person(number)
        self.rows[User].append(user)
        how_many = self.rng.choices((1, 2, 3), (60, 30, 10))[0]
        for course in self.rng.sample(self.courses, min(how_many, len(self.courses))):
            enrolled = self._moment(user["created_at"], 20)
            if enrolled is not None:
                self._enrolment(user, course, enrolled)

    def _flush(self):
        for model, rows in self.rows.items():  # users first: the others refer to them
            if rows:
                db.session.execute(insert(model.__table__), rows)
                self.inserted[model] += len(rows)
                rows.clear()

    def run(self):
        """Generate and insert everything; returns {table name: rows inserted}."""
        prefix = f"seed{self.seed}-%"
        if db.session.scalar(select(func.count()).where(User.email.like(prefix))):
            raise SeedError(f"seed {self.seed} was already used in this database; "
                            "choose another with --seed")
        for number in range(1, self.count + 1):
            self._learner(number)
            if len(self.rows[User]) >= BATCH:
                self._flush()
        self._flush()
        if db.engine.dialect.name == "postgresql":
            for model in self.ids:
                table = model.__tablename__
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"(SELECT max(id) FROM \"{table}\"))"))
        return {model.__tablename__: n for model, n in self.inserted.items()}


def seed_learners(count, seed=1, until=None):
    """Insert `count` synthetic learners with their learning; flushes, the caller commits."""
    if count < 1:
        raise SeedError("--learners must be at least 1")
    until = until or datetime.now(UTC).date()
    return Seeder(count, seed, until).run()
