"""The reports' summary tables: kept equal to a from-scratch recomputation through a realistic
sequence of events, and giving the overview the same numbers as the base tables."""
from datetime import date

import pytest
from sqlalchemy import event, select

from academy.extensions import db
from tests.reports_fixtures import login


def _snapshot():
    """The non-zero rows of both summary tables, as sorted tuples."""
    from academy.reports.models import ReportSummary, ReportSummaryDays

    cells = db.session.execute(select(
        ReportSummary.course_id, ReportSummary.country, ReportSummary.organisation,
        ReportSummary.locale, ReportSummary.month, ReportSummary.enrolled, ReportSummary.started,
        ReportSummary.completed, ReportSummary.certificates).where(ReportSummary.enrolled != 0)).all()
    days = db.session.execute(select(
        ReportSummaryDays.course_id, ReportSummaryDays.country, ReportSummaryDays.organisation,
        ReportSummaryDays.locale, ReportSummaryDays.month, ReportSummaryDays.done_month,
        ReportSummaryDays.days, ReportSummaryDays.completed)
        .where(ReportSummaryDays.completed != 0)).all()
    return sorted(map(tuple, cells)), sorted(map(tuple, days))


def _assert_matches_rebuild():
    """The summary as the events left it equals the one `rebuild` computes; returns it."""
    from academy.reports.summary import rebuild

    db.session.commit()
    kept = _snapshot()
    rebuild()
    db.session.commit()
    assert kept == _snapshot()
    return kept


def _totals():
    from academy.reports.filters import Filters, ReportScope
    from academy.reports.services import overview

    totals = overview(ReportScope(None, None, True), Filters()).totals
    return {m: totals[m].value for m in ("enrolled", "started", "completed", "certificates")}


def test_summary_follows_a_realistic_sequence_of_events(app, short_course, imported_app):
    """Enrol, start, complete (certificate issued automatically), revoke, issue again without
    completion, re-issue, move country and organisation, switch language, leave, delete."""
    from academy.auth.services import create_user, update_profile
    from academy.certificates import services as certificates
    from academy.learning import services as learning
    from tests.course_fixtures import SAMPLE_COURSE

    with app.app_context():
        short = learning.get_course(short_course)
        sample = learning.get_course(SAMPLE_COURSE)
        people = [create_user(f"p{n}@example.org", "a long enough password", confirmed=True,
                              country=country, organisation=org, locale=lang)
                  for n, (country, org, lang) in enumerate(
                      [("GE", "Border Police", "en"), ("GE", "Border Police", "ru"),
                       ("AM", "Migration Service", "ru")])]
        db.session.commit()
        assert _assert_matches_rebuild() == ([], [])

        enrolments = [learning.enrol(p.id, short)[0] for p in people]
        learning.enrol(people[0].id, sample)
        learning.enrol(people[0].id, short)  # again: nothing changes
        _assert_matches_rebuild()
        assert _totals() == {"enrolled": 4, "started": 0, "completed": 0, "certificates": 0}

        module = learning.get_module(short, "m1")
        learning.record_module_opened(enrolments[1], module)
        learning.record_module_opened(enrolments[1], module, force=True)  # no second start
        _assert_matches_rebuild()
        assert _totals()["started"] == 1

        completion = learning.mark_module_done(enrolments[0], module)  # auto certificate
        assert completion is not None
        learning.mark_module_done(enrolments[2], module)
        cells, days = _assert_matches_rebuild()
        assert _totals() == {"enrolled": 4, "started": 3, "completed": 2, "certificates": 2}
        assert sum(row[-1] for row in days) == 2

        first = certificates.current_certificate(people[0].id, short.id)
        certificates.revoke(first, "Issued by mistake")
        _assert_matches_rebuild()
        assert _totals()["certificates"] == 1

        third = certificates.current_certificate(people[2].id, short.id)
        certificates.reissue(third, "admin")  # one valid revision stays
        certificates.issue_certificate(people[1], sample, "admin", reason="Recognised course")
        _assert_matches_rebuild()  # people[1] is not enrolled in the sample course: not counted
        assert _totals()["certificates"] == 1
        learning.enrol(people[1].id, sample)  # now the certificate counts, with the enrolment
        _assert_matches_rebuild()
        assert _totals() == {"enrolled": 5, "started": 3, "completed": 2, "certificates": 2}
        # The coordinator's bulk issue (one set-based insert) counts the same way (people[0]
        # keeps the revoked one: the bulk issue never issues a second certificate).
        from academy.certificates.batch import issue_many
        issued = issue_many(short, [people[0], people[1], people[1]], "admin",
                            reason="Attended in person")
        assert [item.created for item in issued] == [False, True]
        _assert_matches_rebuild()
        assert _totals()["certificates"] == 3
        certificates.revoke(certificates.current_certificate(people[1].id, short.id), "Mistake")
        _assert_matches_rebuild()
        assert _totals()["certificates"] == 2

        # The reports count by the current profile: the enrolments move with the learner.
        update_profile(people[0], country="MD", organisation="Bureau for Migration")
        people[2].locale = "en"
        people[2].locale = "ru"  # and back, in the same flush: nothing moves
        people[1].locale = "en"
        cells, _days = _assert_matches_rebuild()
        assert {row[1] for row in cells} == {"GE", "AM", "MD"}
        assert not [row for row in cells if row[1] == "GE" and row[2] == "Border Police"
                    and row[3] == "ru"]

        learning.leave_course(people[1].id, short)
        learning.leave_course(people[0].id, sample)
        _assert_matches_rebuild()
        assert _totals() == {"enrolled": 3, "started": 2, "completed": 2, "certificates": 2}

        gone = create_user("p3@example.org", "a long enough password", confirmed=True,
                           country="AZ")
        learning.record_module_opened(learning.enrol(gone.id, short)[0], module)
        _assert_matches_rebuild()
        assert _totals() == {"enrolled": 4, "started": 3, "completed": 2, "certificates": 2}
        db.session.delete(gone)  # an account deleted: its enrolments go (ON DELETE CASCADE)
        cells, days = _assert_matches_rebuild()
        assert _totals() == {"enrolled": 3, "started": 2, "completed": 2, "certificates": 2}
        assert "AZ" not in {row[1] for row in cells} and sum(row[-1] for row in days) == 2


def test_rebuild_summary_command(reports_site):
    from academy.reports.models import ReportSummary

    app = reports_site.app
    with app.app_context():
        before = _snapshot()
        assert before[0] and before[1]
        db.session.execute(db.delete(ReportSummary))  # lost (the command puts it back)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild-summary"])
    assert result.exit_code == 0, result.output
    assert "summary rebuilt" in result.output
    with app.app_context():
        assert _snapshot() == before
        assert db.session.scalar(select(db.func.sum(ReportSummary.enrolled))) > 200


FILTERS = [
    {}, {"country": "GE"}, {"lang": "ru"}, {"course": "sample-course"},
    {"from": "2025-07-01", "to": "2026-03-31"},  # whole months
    {"from": "2025-07-14", "to": "2026-03-09"},  # partial months at both ends
    {"from": "2026-02-03", "to": "2026-02-20"},  # inside one month
    {"from": "2025-11-15"}, {"to": "2026-01-10"}, {"from": "2026-04-01"},
    {"country": "UA", "lang": "ru", "from": "2025-01-01", "to": "2026-06-30"},
]


@pytest.mark.parametrize("args", FILTERS)
def test_summary_and_base_tables_give_the_same_overview(reports_site, args):
    from academy.auth.models import User
    from academy.courses.models import Course
    from academy.reports.filters import Filters, ReportScope
    from academy.reports.services import overview, resolve_course

    with reports_site.app.app_context():
        course_ids = frozenset(db.session.scalars(select(Course.id)))
        organisation = db.session.scalar(select(User.organisation).where(User.country == "GE",
                                                                         User.organisation != ""))
        scopes = [ReportScope(None, None, True), ReportScope(frozenset({"GE", "AM"}), None, True),
                  ReportScope(None, course_ids, False), ReportScope(None, frozenset(), False)]
        variants = [args, dict(args, organisation=organisation)] if not args else [args]
        for scope in scopes:
            for values in variants:
                if scope.course_ids == frozenset() and "course" in values:
                    continue  # an unknown course for a trainer without courses
                filters = Filters.parse(values)
                resolve_course(filters, scope)
                fast, slow = overview(scope, filters), overview(scope, filters, use_summary=False)
                assert fast == slow, (scope, values)
        everyone = overview(scopes[0], Filters.parse(args))
        if not args:
            assert everyone.totals["enrolled"].value > 200
            assert everyone.totals["completed"].value > 5 and everyone.totals["median_days"]


@pytest.mark.parametrize("args", [{}, {"country": "GE", "lang": "en"}, {"course": "sample-course"},
                                  {"from": "2025-07-01", "to": "2026-03-31"}])
def test_overview_reads_the_summary_not_the_base_tables(reports_site, args):
    """The default overview and the common filters never touch enrolments or completions."""
    from academy.reports.filters import Filters, ReportScope
    from academy.reports.services import overview, resolve_course

    statements = []
    with reports_site.app.app_context():
        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        scope = ReportScope(None, None, True)
        filters = Filters.parse(args)
        resolve_course(filters, scope)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            overview(scope, filters)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    statements = [s for s in statements if s.startswith("SELECT")]
    assert len(statements) == 3
    assert all("enrolment" not in s and "course_completion" not in s for s in statements)
    assert any("reports_summary" in s for s in statements)


def test_the_page_shows_the_summary_numbers(client_for_summary):
    client, app = client_for_summary
    from academy.reports.filters import Filters, ReportScope
    from academy.reports.services import overview

    with app.app_context():
        totals = overview(ReportScope(None, None, True), Filters()).totals
    page = client.get("/reports/").get_data(as_text=True)
    assert f"{totals['enrolled'].value:,}".replace(",", "\u202f") in page


@pytest.fixture
def client_for_summary(reports_site):
    return login(reports_site.app.test_client(), "coord-all@example.org"), reports_site.app


def test_split_range():
    from academy.reports.services import split_range

    assert split_range(None, None) == ((None, None), [])
    assert split_range(date(2026, 1, 1), date(2026, 2, 28)) == (("2026-01", "2026-02"), [])
    assert split_range(date(2026, 1, 5), date(2026, 3, 10)) == (
        ("2026-02", "2026-02"), [(date(2026, 1, 5), date(2026, 1, 31)),
                                 (date(2026, 3, 1), date(2026, 3, 10))])
    assert split_range(date(2026, 1, 5), date(2026, 2, 10)) == (
        None, [(date(2026, 1, 5), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 10))])
    assert split_range(date(2026, 1, 5), date(2026, 1, 10)) == (None, [(date(2026, 1, 5),
                                                                        date(2026, 1, 10))])
    assert split_range(date(2024, 2, 1), date(2024, 2, 29)) == (("2024-02", "2024-02"), [])
    assert split_range(date(2026, 1, 31), None) == (("2026-02", None),
                                                    [(date(2026, 1, 31), date(2026, 1, 31))])
