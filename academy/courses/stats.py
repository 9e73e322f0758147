"""Answer-cue statistics of a course's questions: can a test-wise guesser pass without the law?

Per course and language: the share of true/false items keyed "True", how often cue words
("always", "only", …) mark keys versus distractors, how often the key is the strictly longest
option of a single-choice item compared with chance, and the expected score of simple guessing
strategies. `check_stats` turns the figures past the limits into warnings for `courses check`.
"""
import re
from dataclasses import dataclass, field

from flask_babel import _

from academy.courses.questions import TRUE_FALSE
from academy.courses.specs import CourseSpec, Library, Problems

TRUE_SHARE_RANGE = (0.40, 0.60)  # share of true/false items whose key is "True"
LONGEST_MARGIN = 0.0  # the key may be the strictly longest option at most this much above chance
CUE_MARGIN = 0.0  # distractors may carry a cue word at most this much more often than keys
STRATEGY_MARGIN = 0.15  # a guessing strategy may beat blind guessing by at most this much
POOL_FACTOR = 2  # a final pool holds at least this many times its draw

CUE_WORDS = {
    "en": ("always", "never", "only", "automatically", "at all", "cannot", "can't", "none",
           "no one", "any circumstances", "every case", "in all cases", "solely", "exclusively",
           "must not", "under no"),
    "ru": ("всегда", "никогда", "только", "лишь", "автоматически", "вообще", "не может",
           "не могут", "нельзя", "ни один", "ни одна", "ни одно", "никак", "никакой", "никакие",
           "ни при каких", "в любом случае", "исключительно", "во всех случаях"),
}
_CUE_PATTERNS = {
    lang: re.compile(r"(?<![\w])(" + "|".join(re.escape(word) for word in words) + r")(?![\w])",
                     re.IGNORECASE)
    for lang, words in CUE_WORDS.items()
}
_MARKUP = re.compile(r"[*_`\[\]()]")


def cue_word(text, lang):
    """The first cue word in an option text, or None."""
    match = _CUE_PATTERNS[lang].search(text.replace("ё", "е").replace("Ё", "Е"))
    return match.group(1).lower() if match else None


def _length(text):
    return len(" ".join(_MARKUP.sub("", text).split()))


@dataclass
class LanguageStats:
    """The figures for one course in one language."""

    lang: str
    truefalse: int = 0
    true_keys: int = 0
    key_options: int = 0
    key_cues: int = 0
    distractors: int = 0
    distractor_cues: int = 0
    single: int = 0
    longest_is_key: int = 0
    chance_longest: float = 0.0  # expected count if the key were placed at random
    questions: int = 0
    strategies: dict = field(default_factory=dict)  # name -> expected correct answers

    @property
    def true_share(self):
        return self.true_keys / self.truefalse if self.truefalse else None

    @property
    def key_cue_rate(self):
        return self.key_cues / self.key_options if self.key_options else 0.0

    @property
    def distractor_cue_rate(self):
        return self.distractor_cues / self.distractors if self.distractors else 0.0

    @property
    def longest_rate(self):
        return self.longest_is_key / self.single if self.single else None

    @property
    def longest_chance(self):
        return self.chance_longest / self.single if self.single else None

    def score(self, strategy):
        """Expected score (0–1) of a guessing strategy over all questions."""
        return self.strategies.get(strategy, 0.0) / self.questions if self.questions else 0.0


STRATEGIES = ("blind", "always-true", "always-false", "longest", "no-cue", "test-wise")


def _questions(course: CourseSpec, lang):
    for module in course.modules:
        module_file = module.files.get(lang)
        if module_file is not None:
            yield from module_file.questions


def _single_strategies(options, lang):
    """Probability of a right answer for single-choice picking strategies (ties: at random)."""
    lengths = [_length(text) for text, _correct in options]
    longest = [i for i, n in enumerate(lengths) if n == max(lengths)]
    key = next(i for i, (_text, correct) in enumerate(options) if correct)
    plain = [i for i, (text, _c) in enumerate(options) if not cue_word(text, lang)] or \
        list(range(len(options)))
    plain_longest = [i for i in plain if lengths[i] == max(lengths[j] for j in plain)]
    share = lambda picks: (key in picks) / len(picks)  # noqa: E731
    return {"blind": 1 / len(options), "always-true": 1 / len(options),
            "always-false": 1 / len(options), "longest": share(longest),
            "no-cue": share(plain), "test-wise": share(plain_longest)}


def _multiple_strategies(options, lang):
    """Multiple response is scored all or nothing: guess a non-empty subset."""
    key = {i for i, (_text, correct) in enumerate(options) if correct}
    subsets = 2 ** len(options) - 1
    plain = {i for i, (text, _c) in enumerate(options) if not cue_word(text, lang)}
    everything = set(range(len(options)))
    return {"blind": 1 / subsets, "always-true": float(key == everything),
            "always-false": 1 / subsets, "longest": 1 / subsets,
            "no-cue": float(plain == key), "test-wise": float(plain == key)}


def language_stats(course: CourseSpec, lang) -> LanguageStats:
    """Count the cue figures of every question of a course (modules and final pool)."""
    stats = LanguageStats(lang=lang, strategies=dict.fromkeys(STRATEGIES, 0.0))
    true_word = TRUE_FALSE[lang][0]
    for question in _questions(course, lang):
        stats.questions += 1
        if question.kind == "truefalse":
            stats.truefalse += 1
            keyed_true = any(correct and text.strip().casefold() == true_word
                             for text, correct in question.options)
            stats.true_keys += keyed_true
            odds = {"blind": 0.5, "always-true": float(keyed_true),
                    "always-false": float(not keyed_true), "longest": 0.5, "no-cue": 0.5,
                    "test-wise": float(not keyed_true)}
        else:
            for text, correct in question.options:
                has_cue = cue_word(text, lang) is not None
                if correct:
                    stats.key_options += 1
                    stats.key_cues += has_cue
                else:
                    stats.distractors += 1
                    stats.distractor_cues += has_cue
            if question.kind == "single":
                stats.single += 1
                lengths = [_length(text) for text, _correct in question.options]
                key = next(i for i, (_t, correct) in enumerate(question.options) if correct)
                stats.longest_is_key += lengths.count(max(lengths)) == 1 and \
                    lengths[key] == max(lengths)
                stats.chance_longest += 1 / len(question.options)
                odds = _single_strategies(question.options, lang)
            else:
                odds = _multiple_strategies(question.options, lang)
        for name in STRATEGIES:
            stats.strategies[name] += odds[name]
    return stats


def course_stats(course: CourseSpec) -> dict[str, LanguageStats]:
    """The figures of a course per language present."""
    langs = {lang for module in course.modules for lang in module.files}
    return {lang: language_stats(course, lang) for lang in ("en", "ru") if lang in langs}


def stats_warnings(stats: LanguageStats) -> list[str]:
    """What is past the limits, one message each."""
    found = []
    share = stats.true_share
    low, high = TRUE_SHARE_RANGE
    if share is not None and stats.truefalse >= 3 and not low <= share <= high:
        found.append(_("%(lang)s: %(true)d of %(total)d true/false items are keyed True "
                       "(%(share)d%%); keep it between %(low)d%% and %(high)d%%",
                       lang=stats.lang, true=stats.true_keys, total=stats.truefalse,
                       share=round(share * 100), low=round(low * 100), high=round(high * 100)))
    if stats.distractor_cue_rate > stats.key_cue_rate + CUE_MARGIN:
        found.append(_("%(lang)s: cue words (always, only, never…) mark %(wrong)d%% of wrong "
                       "options but %(right)d%% of keyed ones; reword the wrong options",
                       lang=stats.lang, wrong=round(stats.distractor_cue_rate * 100),
                       right=round(stats.key_cue_rate * 100)))
    rate, chance = stats.longest_rate, stats.longest_chance
    if rate is not None and rate > chance + LONGEST_MARGIN:
        found.append(_("%(lang)s: the key is the longest option in %(count)d of %(total)d "
                       "single-choice items (%(rate)d%%, chance %(chance)d%%); shorten keys or "
                       "lengthen wrong options", lang=stats.lang, count=stats.longest_is_key,
                       total=stats.single, rate=round(rate * 100), chance=round(chance * 100)))
    blind = stats.score("blind")
    for name in STRATEGIES[1:]:
        if stats.score(name) > blind + STRATEGY_MARGIN:
            found.append(_("%(lang)s: the guessing strategy '%(name)s' scores %(score)d%% "
                           "against %(blind)d%% for blind guessing", lang=stats.lang, name=name,
                           score=round(stats.score(name) * 100), blind=round(blind * 100)))
    return found


def pool_warning(course: CourseSpec):
    """A final pool smaller than twice its draw: repeated attempts would see the same items."""
    draw = (course.meta.get("final_assessment") or {}).get("draw")
    final = next((m for m in course.modules if m.kind == "final" and "en" in m.files), None)
    if not isinstance(draw, int) or final is None:
        return None
    pool = len(final.files["en"].questions)
    if pool >= POOL_FACTOR * draw:
        return None
    return _("the final pool has %(pool)d questions for a draw of %(draw)d: hold at least "
             "%(needed)d so that a new attempt sees new questions", pool=pool, draw=draw,
             needed=POOL_FACTOR * draw)


def check_stats(library: Library, problems: Problems):
    """Add a warning on course.yml for every figure past the limits."""
    for course in library.courses:
        message = pool_warning(course)
        if message:
            problems.warning(course.path / "course.yml", 1, message)
        for stats in course_stats(course).values():
            for message in stats_warnings(stats):
                problems.warning(course.path / "course.yml", 1, message)


def stats_report(course: CourseSpec) -> list[str]:
    """Human-readable lines for `academy courses stats`."""
    lines = [course.slug]
    pool = pool_warning(course)
    if pool:
        lines.append(f"  warning: {pool}")
    for stats in course_stats(course).values():
        share = stats.true_share
        lines.append(
            f"  {stats.lang}: {stats.questions} questions; true/false {stats.true_keys}/"
            f"{stats.truefalse} True ({'–' if share is None else round(share * 100)}%); cue words "
            f"keys {stats.key_cue_rate:.0%} vs wrong options {stats.distractor_cue_rate:.0%}; "
            f"key longest {stats.longest_is_key}/{stats.single} "
            f"({(stats.longest_rate or 0):.0%}, chance {(stats.longest_chance or 0):.0%})")
        lines.append("      expected score: " + ", ".join(
            f"{name} {stats.score(name):.0%}" for name in STRATEGIES))
        lines += [f"      warning: {message}" for message in stats_warnings(stats)]
    return lines


__all__ = ["check_stats", "course_stats", "cue_word", "stats_report", "stats_warnings"]
