"""Scorecards, the panel interviewer's path: the form prefilled with one's last answers, the
checks a submission must pass, saving a new version (history kept), the drafts of a paged
modal, and who may see whose scorecard.

Panelists rate independently: no one sees another's ratings, notes or recommendation before
their own scorecard is in (independent ratings, combined mechanically, predict best), the
hiring lead and the recruiter included when they sit on the panel. The hiring lead and the
recruiter see everything, private notes included; nobody else ever sees a private note but
its author.

Once the debrief has started, a scorecard saved is a re-rating after the discussion: a
category moved 2 points or more from the panelist's score when the debrief started asks for
a one-line reason (bot/independence.py has which version is which).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.core.question_sets import RECOMMENDATION_KEYS, Category, QuestionSet
from bot.core.selection import as_asked
from bot.errors import InterviewRefused
from bot.i18n import N_, Translator
from bot.independence import (
    SeenBy,
    category_means,
    mark_seen,
    ratings_before_debrief,
    seats_of,
)
from bot.interviews import (
    Ratings,
    current_ratings,
    debrief_of,
    find_interview,
    get_interview,
    interview_number,
    is_current_version,
    is_organiser,
    live_interview,
    log_event,
    no_such_interview,
    question_set_of,
)
from bot.outbox import effects
from bot.services import Services
from models import (
    Interview,
    InterviewStatus,
    Panelist,
    Rating,
    Scorecard,
    ScorecardDraft,
    ScorecardVersion,
    reading,
    transaction,
)

log = logging.getLogger(__name__)

NOT_ASSESSED = "na"  # the option value of "Not assessed"; stored as a rating with no score
RECOMMENDATION_BLOCK = "recommendation"
TAKEAWAYS_BLOCK = "takeaways"
PRIVATE_NOTE_BLOCK = "private_note"
TEXT_MAX_LENGTH = 3000  # Slack's plain_text_input maximum
SHIFT_REASON_MAX_LENGTH = 300  # one line
# A re-rating that moves a category's score this much or more asks why.
SHIFT_NEEDING_REASON = 2.0


def rating_block_id(question_id: str) -> str:
    return f"q:{question_id}"


def category_note_block_id(category_id: str) -> str:
    return f"note:{category_id}"


def shift_reason_block_id(category_id: str) -> str:
    return f"shift:{category_id}"





# ---------------------------------------------------------------------------- answers

Patch = dict[str, Any]  # what one modal page said: {"ratings": {...}, "category_notes": {...},
# and "recommendation" / "takeaways" / "private_note" when the page carries them}. An empty
# string means "left empty" and clears an earlier answer.


@dataclass(frozen=True)
class Answers:
    """A panelist's answers as the modal shows them. Ratings are option values: "1".."n"
    or NOT_ASSESSED; a question left unanswered is absent."""

    ratings: Mapping[str, str] = field(default_factory=dict)
    category_notes: Mapping[str, str] = field(default_factory=dict)
    recommendation: str | None = None
    takeaways: str = ""
    private_note: str = ""
    # category id -> why a re-rating moved it 2 points or more
    shift_reasons: Mapping[str, str] = field(default_factory=dict)

    def apply(self, patch: Mapping[str, Any]) -> Answers:
        """These answers with a page's (or a draft's) answers laid over them."""
        ratings = dict(self.ratings)
        for question_id, value in (patch.get("ratings") or {}).items():
            if value:
                ratings[str(question_id)] = str(value)
            else:
                ratings.pop(str(question_id), None)
        notes = dict(self.category_notes)
        for category_id, text in (patch.get("category_notes") or {}).items():
            if text and str(text).strip():
                notes[str(category_id)] = str(text)
            else:
                notes.pop(str(category_id), None)
        reasons = dict(self.shift_reasons)
        for category_id, text in (patch.get("shift_reasons") or {}).items():
            if text and str(text).strip():
                reasons[str(category_id)] = str(text)
            else:
                reasons.pop(str(category_id), None)
        recommendation = self.recommendation
        if "recommendation" in patch:
            recommendation = str(patch["recommendation"] or "") or None
        return Answers(
            ratings=ratings,
            category_notes=notes,
            recommendation=recommendation,
            takeaways=str(patch.get("takeaways") or "") if "takeaways" in patch
            else self.takeaways,
            private_note=str(patch.get("private_note") or "") if "private_note" in patch
            else self.private_note,
            shift_reasons=reasons,
        )

    def score(self, question_id: str) -> int | None:
        """The score given, or None for "not assessed", unanswered or not a number."""
        value = self.ratings.get(question_id)
        return int(value) if value is not None and value.isdigit() else None

    def category_mean(self, category: Category) -> float | None:
        scores = [s for q in category.questions if (s := self.score(q.id)) is not None]
        return sum(scores) / len(scores) if scores else None

    @classmethod
    def of_version(cls, version: ScorecardVersion, ratings: Ratings) -> Answers:
        """The answers of a stored version, `ratings` being its ratings."""
        return cls(
            ratings={q: NOT_ASSESSED if score is None else str(score)
                     for q, (_, score) in ratings.items()},
            category_notes={k: str(v) for k, v in (version.category_notes or {}).items() if v},
            recommendation=version.recommendation,
            takeaways=version.takeaways,
            private_note=version.private_note or "",
            shift_reasons={k: str(v) for k, v in (version.shift_reasons or {}).items() if v},
        )


def merge_patches(older: Mapping[str, Any], newer: Mapping[str, Any]) -> Patch:
    """One patch saying what both say, the newer winning (a draft collecting pages)."""
    merged: Patch = {**older, **newer}
    for key in ("ratings", "category_notes", "shift_reasons"):
        merged[key] = {**(older.get(key) or {}), **(newer.get(key) or {})}
    return merged


@dataclass(frozen=True)
class ScorecardForm:
    """What the scorecard modal needs for one panelist of one interview."""

    interview_id: int
    user_id: str
    candidate_name: str
    role: str
    language: str
    question_set: QuestionSet
    focus: tuple[str, ...]  # the panelist's focus category ids, in the set's order
    answers: Answers  # the last submitted version with any unsent draft over it
    version: int  # the current version number; 0 = not submitted yet
    # Once the debrief has started, for a panelist whose scorecard was in by then: their
    # category scores at that moment (category id -> mean). Saving now is a re-rating.
    before: Mapping[str, float] = field(default_factory=dict)

    @property
    def rerating(self) -> bool:
        return bool(self.before)

    @property
    def categories(self) -> list[Category]:
        """The panelist's focus categories first, then the others, each in the set's order."""
        cats = self.question_set.categories
        return [c for c in cats if c.id in self.focus] + [c for c in cats
                                                           if c.id not in self.focus]


# ---------------------------------------------------------------------------- rules


def scorecard_locked(interview: Interview) -> bool:
    """Edits are allowed until the hiring lead records the decision (or it is cancelled)."""
    return interview.status in (InterviewStatus.DECIDED, InterviewStatus.CANCELLED)


def can_view_panel_feedback(interview: Interview, user_id: str) -> bool:
    """A panelist once their own scorecard is in (an organiser on the panel too);
    organisers not on the panel always; nobody else."""
    panelist = interview.panelist_for(user_id)
    if panelist is not None:
        return panelist.scorecard is not None
    return is_organiser(interview, user_id)


def can_view_private_notes(interview: Interview, user_id: str) -> bool:
    return is_organiser(interview, user_id)


@dataclass(frozen=True)
class Problem:
    """A reason a page cannot be accepted, next to the field it is about."""

    block_id: str
    message: str  # catalog id
    values: Mapping[str, Any] = field(default_factory=dict)


def answer_problems(form: ScorecardForm, answers: Answers, *, categories: Sequence[str],
                    final: bool) -> list[Problem]:
    """What is missing or wrong. `categories` are those on the page being submitted; the
    final page also checks the overall fields and every focus category (a focus category
    on another page that lacks a rating is reported on the recommendation)."""
    qs = form.question_set
    valid = {str(p.value) for p in qs.scale} | {NOT_ASSESSED}
    problems: list[Problem] = []
    on_page = set(categories)
    for category in qs.categories:
        if category.id not in on_page:
            continue
        for question in category.questions:
            value = answers.ratings.get(question.id)
            if value is not None and value not in valid:
                problems.append(Problem(rating_block_id(question.id),
                                        N_("Choose a point on the scale or “Not assessed”.")))
    for category in qs.categories:
        if category.id not in form.focus or not (final or category.id in on_page):
            continue
        if any(answers.score(q.id) is not None for q in category.questions):
            continue
        block_id = (rating_block_id(category.questions[0].id) if category.id in on_page
                    else RECOMMENDATION_BLOCK)
        problems.append(Problem(block_id, N_("“{category}” is one of your focus areas: rate "
                                             "at least one of its questions."),
                                {"category": category.name}))
    problems += extreme_note_problems(qs, answers, categories)
    problems += shift_problems(form, answers, on_page=on_page, final=final)
    if final:
        if answers.recommendation not in RECOMMENDATION_KEYS:
            problems.append(Problem(RECOMMENDATION_BLOCK,
                                    N_("Choose your overall recommendation.")))
        if not answers.takeaways.strip():
            problems.append(Problem(TAKEAWAYS_BLOCK, N_("Write your key takeaways.")))
    return problems


# How much of a question's text the "note needed" error quotes.
QUESTION_IN_ERROR = 80
QUESTIONS_NAMED_IN_ERROR = 2  # and "+3" for the rest


def extreme_note_problems(qs: QuestionSet, answers: Answers,
                          categories: Sequence[str]) -> list[Problem]:
    """Where the set asks for it (`extreme_ratings_need_note`), a category of `categories`
    rated at either end of the scale with no note: the error sits on its note and names
    the questions."""
    if not qs.extreme_ratings_need_note:
        return []
    problems = []
    for category in qs.categories:
        if category.id not in categories or answers.category_notes.get(category.id, "").strip():
            continue
        extreme = [f"“{_shortened(q.text)}” ({score})" for q in category.questions
                   if (score := answers.score(q.id)) is not None and qs.is_extreme(score)]
        if extreme:
            named = ", ".join(extreme[:QUESTIONS_NAMED_IN_ERROR])
            if len(extreme) > QUESTIONS_NAMED_IN_ERROR:
                named += f", +{len(extreme) - QUESTIONS_NAMED_IN_ERROR}"
            problems.append(Problem(category_note_block_id(category.id),
                                    N_("Write the evidence for {questions} here: a rating at "
                                       "either end of the scale needs a note."),
                                    {"questions": named}))
    return problems


def _shortened(text: str) -> str:
    return text if len(text) <= QUESTION_IN_ERROR else text[:QUESTION_IN_ERROR - 1] + "…"


def shift_problems(form: ScorecardForm, answers: Answers, *, on_page: set[str],
                   final: bool) -> list[Problem]:
    """A re-rating that moves a category (on the page; on the final page, any) 2 points or
    more from the panelist's score when the debrief started, with no reason given."""
    problems: list[Problem] = []
    for category in form.question_set.categories:
        before = form.before.get(category.id)
        after = answers.category_mean(category)
        if before is None or after is None or not (final or category.id in on_page):
            continue
        if abs(after - before) < SHIFT_NEEDING_REASON - 1e-9:
            continue
        if answers.shift_reasons.get(category.id, "").strip():
            continue
        block_id = (shift_reason_block_id(category.id) if category.id in on_page
                    else RECOMMENDATION_BLOCK)
        problems.append(Problem(block_id, N_("You moved “{category}” from {before} to "
                                             "{after}: say why in one line."),
                                {"category": category.name, "before": before,
                                 "after": after}))
    return problems


def render_problems(t: Translator, problems: Iterable[Problem]) -> dict[str, str]:
    """Slack's `errors` map: one message per block, several joined; numbers in the
    language's own way."""
    errors: dict[str, str] = {}
    for problem in problems:
        values = {k: t.number(v) if isinstance(v, float) else v
                  for k, v in problem.values.items()}
        text = t._(problem.message, **values)
        errors[problem.block_id] = f"{errors[problem.block_id]} {text}" \
            if problem.block_id in errors else text
    return errors


# ---------------------------------------------------------------------------- loading


def _active_seat(user_id: str) -> list[Any]:
    """The conditions for the user's seat (on the interview the caller joins), not removed."""
    return [Panelist.user_id == user_id, Panelist.removed_at.is_(None)]


def _locked_seat(session: Session, team_id: str, interview_id: int | str, user_id: str,
                 opened_by: str | None) -> tuple[Interview, Panelist]:
    """For a submission: the interview (its panel not loaded: a panelist needs only their
    own seat) and the user's active seat with their current scorecard, or a refusal saying
    why not. On PostgreSQL the interview row is share-locked, so a decision or a
    cancellation and a submission wait for each other while the other panelists'
    submissions go on beside; the seat row is locked, so one person's two submissions take
    turns. (SQLite's write transactions take turns anyway.)"""
    interview = find_interview(session, team_id, interview_id, for_share=True)
    query = (select(Panelist)
             .where(Panelist.interview_id == interview.id, *_active_seat(user_id))
             .options(selectinload(Panelist.scorecard)
                      .selectinload(Scorecard.versions.and_(is_current_version()))))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Panelist)
    return interview, _check_seat(interview, session.scalars(query).first(), opened_by)


def _seat_and_draft(session: Session, team_id: str, interview_id: int | str, user_id: str,
                    opened_by: str | None) -> tuple[Interview, Panelist, ScorecardDraft | None]:
    """What _locked_seat finds, without the locks, and the seat's draft, in one statement
    (the scorecard's current version in a second, if there is one): the checks before a
    scorecard page's ack, where each statement cost ~0.7 ms of CPU in SQLAlchemy and a
    round trip."""
    number = interview_number(interview_id)
    row = session.execute(
        select(Interview, Panelist, ScorecardDraft)
        .outerjoin(Panelist, and_(Panelist.interview_id == Interview.id,
                                  *_active_seat(user_id)))
        .outerjoin(ScorecardDraft, ScorecardDraft.panelist_id == Panelist.id)
        .where(*live_interview(team_id, number))
        .options(joinedload(Panelist.scorecard)
                 .selectinload(Scorecard.versions.and_(is_current_version())))).first()
    if row is None:
        raise no_such_interview(number)
    interview, panelist, draft = row
    return interview, _check_seat(interview, panelist, opened_by), draft


def _check_seat(interview: Interview, panelist: Panelist | None,
                opened_by: str | None) -> Panelist:
    language = interview.language
    if panelist is None:
        raise InterviewRefused(N_("You are not on the panel of interview {id}."),
                               language=language, id=interview.id)
    if opened_by is not None and opened_by != panelist.user_id:
        # A submission of a form opened for someone else: each scorecard is its author's.
        raise InterviewRefused(N_("This scorecard form belongs to someone else; open your own "
                                  "with “Score candidate”."), language=language)
    if interview.status == InterviewStatus.CANCELLED:
        raise InterviewRefused(N_("Interview {id} was cancelled: its scorecards are locked."),
                               language=language, id=interview.id)
    if scorecard_locked(interview):
        raise InterviewRefused(N_("Scorecards of interview {id} are locked: the decision is "
                                  "recorded."), language=language, id=interview.id)
    return panelist


def _draft_of(session: Session, panelist: Panelist) -> ScorecardDraft | None:
    return session.scalars(
        select(ScorecardDraft).where(ScorecardDraft.panelist_id == panelist.id)).first()


def _form(session: Session, interview: Interview, panelist: Panelist,
          draft: ScorecardDraft | None) -> ScorecardForm:
    # The questions the interview asks first in each category, then its spares.
    qs = as_asked(question_set_of(interview), interview.questions_per_category)
    answers = Answers()
    version = 0
    if panelist.scorecard is not None:
        version = panelist.scorecard.current_version
        ratings = current_ratings(session, interview.id, panelist.id).get(panelist.id, {})
        answers = Answers.of_version(panelist.scorecard.current, ratings)
    if draft is not None:
        answers = answers.apply(draft.data or {})
    focus = tuple(c.id for c in qs.categories if c.id in (panelist.focus_categories or []))
    before = ratings_before_debrief(session, interview, panelist)
    return ScorecardForm(
        interview_id=interview.id, user_id=panelist.user_id,
        candidate_name=interview.candidate.name, role=interview.candidate.role,
        language=interview.language, question_set=qs, focus=focus, answers=answers,
        version=version, before=category_means(before) if before else {})


def rerate_round(services: Services, team_id: str, interview_id: int | str,
                 user_id: str) -> int:
    """"Re-rate after the discussion" on a debrief's summary: the round of it whose
    scorecard the user re-rates (the summary's own, else their latest). Raises NotFound, or
    InterviewRefused for anyone not on its panel."""
    with reading(services.db) as session:
        interview = find_interview(session, team_id, interview_id)
        debrief = debrief_of(session, interview)
        seats = seats_of(debrief.rounds, user_id)
        if not seats:
            raise InterviewRefused(N_("Only the panel of interview {id} re-rates after the "
                                      "discussion: you are not on it."),
                                   language=interview.language, id=interview.id)
        own = next((p for p in seats if p.interview_id == interview.id), seats[-1])
        return own.interview_id


def load_form(services: Services, team_id: str, interview_id: int | str, user_id: str,
              *, opened_by: str | None = None) -> ScorecardForm:
    """The form for the user's scorecard, prefilled with their last answers. Raises
    NotFound or InterviewRefused (not on the panel, someone else's form, locked)."""
    with reading(services.db) as session:
        return _form(session, *_seat_and_draft(session, team_id, interview_id, user_id,
                                                opened_by))


def save_draft(services: Services, team_id: str, interview_id: int, user_id: str,
               patch: Mapping[str, Any], *, opened_by: str | None = None) -> None:
    """Keep a page's answers until the final submit (the modal's pages come and go)."""

    def save() -> None:
        with transaction(services.db) as session:
            _, panelist, draft = _seat_and_draft(session, team_id, interview_id, user_id,
                                                 opened_by)
            if draft is None:
                draft = ScorecardDraft(panelist_id=panelist.id, data={})
                session.add(draft)
            draft.data = merge_patches(draft.data or {}, patch)
            draft.updated_at = services.clock()

    try:
        save()
    except IntegrityError:
        save()  # two pages saved at once both created the draft: this time it is found


# ---------------------------------------------------------------------------- submitting


@dataclass(frozen=True)
class ScorecardSummary:
    """One panelist's current scorecard as a reader may see it (private_note is None
    unless the reader may see it)."""

    user_id: str
    version: int
    submitted_at: datetime
    updated_at: datetime
    recommendation: str
    takeaways: str
    private_note: str | None
    category_notes: Mapping[str, str]
    ratings: Mapping[str, int | None]  # question id -> score, None = not assessed
    removed: bool  # taken off the panel after submitting: the scorecard stays, marked

    def category_mean(self, category: Category) -> float | None:
        scores = [s for q in category.questions
                  if (s := self.ratings.get(q.id)) is not None]
        return sum(scores) / len(scores) if scores else None


def _summary(panelist: Panelist, ratings: Ratings, *, with_private_note: bool,
             version: ScorecardVersion | None = None) -> ScorecardSummary:
    """The panelist's current scorecard (or `version` of it), `ratings` being its ratings."""
    scorecard = panelist.scorecard
    assert scorecard is not None
    version = version or scorecard.current
    return ScorecardSummary(
        user_id=panelist.user_id, version=version.number, submitted_at=scorecard.submitted_at,
        updated_at=scorecard.updated_at, recommendation=version.recommendation,
        takeaways=version.takeaways,
        private_note=version.private_note if with_private_note else None,
        category_notes=dict(version.category_notes or {}),
        ratings={q: score for q, (_, score) in ratings.items()},
        removed=panelist.removed_at is not None,
    )


@dataclass(frozen=True)
class SubmitResult:
    stored: bool  # False: a retried delivery of a submission already stored
    interview_id: int
    candidate_name: str
    role: str
    language: str
    question_set: QuestionSet
    scorecard: ScorecardSummary  # the author's own, private note included
    organisers: tuple[str, str] = ("", "")  # hiring lead, recruiter: their App Home changes

    @property
    def edited(self) -> bool:
        return self.scorecard.version > 1


def _version_by_view(session: Session, source_view_id: str) -> ScorecardVersion | None:
    return session.scalars(select(ScorecardVersion).where(
        ScorecardVersion.source_view_id == source_view_id)).first()


def submit_scorecard(services: Services, team_id: str, interview_id: int, user_id: str,
                     answers: Answers, source_view_id: str, *,
                     opened_by: str | None = None,
                     checked: ScorecardForm | None = None) -> SubmitResult:
    """Store the answers as the panelist's next scorecard version, in one transaction,
    and drop their draft. Idempotent on the submitted view's id: a retried delivery
    stores nothing and reports the version already stored. `checked`: the form (loaded
    moments ago) the answers were found complete against; the seat and the status are
    checked again under the lock either way. Raises InterviewRefused."""

    def store() -> SubmitResult:
        with transaction(services.db) as session:
            return _store(services, session, team_id, interview_id, user_id, answers,
                          source_view_id, opened_by, checked)

    try:
        return store()
    except IntegrityError:
        # PostgreSQL: a doubled delivery, or the same panelist's other form, committed first.
        # Once more: it finds the stored version, or stores the next number.
        log.info("scorecard submission %s collided; trying once more", source_view_id)
        return store()


def _store(services: Services, session: Session, team_id: str, interview_id: int,
           user_id: str, answers: Answers, source_view_id: str,
           opened_by: str | None, checked: ScorecardForm | None) -> SubmitResult:
    interview, panelist = _locked_seat(session, team_id, interview_id, user_id, opened_by)
    existing = _version_by_view(session, source_view_id)
    if existing is not None:
        if existing.scorecard.panelist_id != panelist.id:
            raise InterviewRefused(N_("This scorecard form belongs to someone else; open your "
                                      "own with “Score candidate”."), language=interview.language)
        stored = current_ratings(session, interview.id, panelist.id).get(panelist.id, {})
        return _result(interview, panelist, stored, stored=False)
    form = checked or _form(session, interview, panelist, _draft_of(session, panelist))
    qs = form.question_set
    if answer_problems(form, answers, categories=[c.id for c in qs.categories], final=True):
        raise InterviewRefused(N_("The scorecard is incomplete: open it again with “Score "
                                  "candidate” and fill in the marked fields."),
                               language=interview.language)
    now = services.clock()
    scorecard = panelist.scorecard
    if scorecard is None:
        scorecard = Scorecard(interview_id=interview.id, panelist=panelist, current_version=0,
                              submitted_at=now, updated_at=now)
        session.add(scorecard)
    number = scorecard.current_version + 1
    version = ScorecardVersion(
        number=number, recommendation=str(answers.recommendation),
        takeaways=answers.takeaways.strip()[:TEXT_MAX_LENGTH],
        private_note=answers.private_note.strip()[:TEXT_MAX_LENGTH] or None,
        category_notes={c.id: answers.category_notes[c.id].strip()[:TEXT_MAX_LENGTH]
                        for c in qs.categories if answers.category_notes.get(c.id, "").strip()},
        shift_reasons=_shift_reasons(form, answers),
        created_at=now, source_view_id=source_view_id)
    scorecard.versions.append(version)
    scorecard.current_version = number
    scorecard.updated_at = now
    session.execute(delete(ScorecardDraft).where(ScorecardDraft.panelist_id == panelist.id)
                    .execution_options(synchronize_session=False))
    log_event(session, interview, user_id, "scored" if number == 1 else "scorecard_edited",
              version=number, view_id=source_view_id)
    session.flush()
    # Unanswered questions leave no row; one INSERT for all (the ORM's unit of work cost
    # more than the rest of the submission).
    ratings = {q.id: (c.id, answers.score(q.id)) for c in qs.categories for q in c.questions
               if q.id in answers.ratings}
    if ratings:
        session.execute(insert(Rating), [
            {"version_id": version.id, "category_id": category_id, "question_id": question_id,
             "score": score} for question_id, (category_id, score) in ratings.items()])
    _after_submission(session, services, interview, user_id, number)
    return _result(interview, panelist, ratings, stored=True)


def _shift_reasons(form: ScorecardForm, answers: Answers) -> dict[str, str]:
    """The re-rating's reasons, one line each, for categories it rates (and only in a
    re-rating: a form with no "before" shows no reason fields)."""
    if not form.rerating:
        return {}
    return {c.id: " ".join(text.split())[:SHIFT_REASON_MAX_LENGTH]
            for c in form.question_set.categories
            if (text := answers.shift_reasons.get(c.id, "")).strip()
            and answers.category_mean(c) is not None}


def _after_submission(session: Session, services: Services, interview: Interview,
                      user_id: str, number: int) -> None:
    """What a stored scorecard asks of Slack: the author's confirmation DM at once; the
    plan's progress, a summary already posted and the App Homes of the author and the
    organisers once a burst has settled."""
    effects.scorecard_confirmation(session, services, interview.id, user_id, number)
    effects.refresh_plan(session, services, interview.id)
    effects.refresh_summary(session, services, interview.id)
    effects.refresh_calibration(session, services, interview.id)
    effects.refresh_homes(session, services, interview.team_id,
                          [user_id, interview.hiring_lead_id, interview.recruiter_id],
                          interview_id=interview.id, settle=True)


def stored_version(services: Services, interview_id: int, user_id: str,
                   number: int) -> SubmitResult | None:
    """Version `number` of the user's scorecard, as its author sees it (private note
    included); None once the interview or the scorecard is gone."""
    with reading(services.db) as session:
        interview = session.get(Interview, interview_id)
        if interview is None or interview.deleted_at is not None:
            return None
        panelist = session.scalars(select(Panelist).where(
            Panelist.interview_id == interview_id, Panelist.user_id == user_id)).first()
        if panelist is None or panelist.scorecard is None:
            return None
        version = next((v for v in panelist.scorecard.versions if v.number == number), None)
        if version is None:
            return None
        ratings = {r.question_id: (r.category_id, r.score) for r in version.ratings}
        return SubmitResult(
            stored=True, interview_id=interview.id, candidate_name=interview.candidate.name,
            role=interview.candidate.role, language=interview.language,
            question_set=question_set_of(interview),
            scorecard=_summary(panelist, ratings, with_private_note=True, version=version),
            organisers=(interview.hiring_lead_id, interview.recruiter_id))


def _result(interview: Interview, panelist: Panelist, ratings: Ratings, *,
            stored: bool) -> SubmitResult:
    return SubmitResult(
        stored=stored, interview_id=interview.id, candidate_name=interview.candidate.name,
        role=interview.candidate.role, language=interview.language,
        question_set=question_set_of(interview),
        scorecard=_summary(panelist, ratings, with_private_note=True),
        organisers=(interview.hiring_lead_id, interview.recruiter_id))


# ---------------------------------------------------------------------------- panel feedback


@dataclass(frozen=True)
class PanelFeedback:
    """The scorecards a reader may see: the others' once their own is in, everyone's for
    the organisers; private notes only for the organisers."""

    interview_id: int
    candidate_name: str
    role: str
    language: str
    question_set: QuestionSet
    viewer_id: str
    viewer_is_organiser: bool
    scorecards: list[ScorecardSummary]
    missing: list[str]  # active panelists whose scorecard is not in


def panel_feedback(services: Services, team_id: str, interview_id: int | str,
                   user_id: str) -> PanelFeedback:
    """What the reader may see; a panelist has seen the panel from now
    (bot/independence.py). Raises NotFound / InterviewRefused."""
    with transaction(services.db) as session:
        interview = get_interview(session, team_id, interview_id)
        if not can_view_panel_feedback(interview, user_id):
            if interview.panelist_for(user_id) is None:
                raise InterviewRefused(N_("You are not on the panel of interview {id}."),
                                       language=interview.language, id=interview.id)
            raise InterviewRefused(N_("Submit your own scorecard first: panelists rate "
                                      "independently, so the others' feedback opens once "
                                      "yours is in."), language=interview.language)
        mark_seen(session, seats_of([interview], user_id), services.clock(),
                  SeenBy.PANEL_FEEDBACK)
        organiser = is_organiser(interview, user_id)
        private = can_view_private_notes(interview, user_id)
        ratings = current_ratings(session, interview.id)
        shown = [p for p in interview.panelists if p.scorecard is not None
                 and (organiser or p.user_id != user_id)]
        return PanelFeedback(
            interview_id=interview.id, candidate_name=interview.candidate.name,
            role=interview.candidate.role, language=interview.language,
            question_set=question_set_of(interview), viewer_id=user_id,
            viewer_is_organiser=organiser,
            scorecards=[_summary(p, ratings.get(p.id, {}), with_private_note=private)
                        for p in shown],
            missing=[p.user_id for p in interview.active_panelists if p.scorecard is None])
