"""Exporting a candidate's loop (every round; asked for by any round's number): a CSV with
one row per rating (the current version of every scorecard) for spreadsheets, and a JSON
file of the candidate and each interview (every version, every decision, the event log)
for archives and other tools.

The builders are pure (the rounds loaded with their children, and the names to show);
`export_for` checks who asks (the hiring lead and the recruiter only) and
bot/export/publish.py sends both files to the requester's DM with files_upload_v2.

Text a person typed that a spreadsheet would run as a formula (starting with = + - @, tab
or carriage return) is prefixed with an apostrophe in the CSV (OWASP's advice against CSV
injection); the JSON keeps every text exactly as typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.core.question_sets import QuestionSet
from bot.errors import InterviewRefused, NotFound
from bot.i18n import N_
from bot.independence import owes_own_scorecard
from bot.interviews import (
    get_interview,
    live_rounds,
    log_event,
    question_set_of,
    require_organiser,
)
from bot.outbox import effects
from bot.people import display_names
from bot.services import Services
from models import (
    Event,
    Interview,
    InterviewStatus,
    Panelist,
    Scorecard,
    ScorecardVersion,
    transaction,
)

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "interview_id", "round", "candidate_name", "role", "question_set", "language",
    "panelist_id", "panelist_name", "panelist_removed", "scorecard_version", "submitted_at",
    "updated_at", "recommendation", "category_id", "category_name", "question_id",
    "question_text", "score", "score_label", "rating_note",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SCHEMA_VERSION = 2  # 2: the candidate, then each of their interviews


@dataclass(frozen=True)
class ExportFiles:
    interview_ids: tuple[int, ...]  # every round, in order
    language: str  # the latest round's
    csv: str
    json: str

    def filename(self, fmt: str) -> str:
        if len(self.interview_ids) == 1:
            return f"interview-{self.interview_ids[0]}.{fmt}"
        return f"interviews-{'-'.join(str(i) for i in self.interview_ids)}.{fmt}"

    def content(self, fmt: str) -> str:
        return self.csv if fmt == "csv" else self.json


# ---------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Loaded:
    """A round as an export shows it: everything loaded, and its event log."""

    interview: Interview
    events: list[Event]


def load_loop(session: Session, interview_id: int, team_id: str | None = None
              ) -> list[Loaded]:
    """Every live round of the candidate of interview `interview_id`, with everything an
    export shows (no lazy loads afterwards); empty when there is no such interview.
    team_id None (the shell): any workspace's."""
    query = select(Interview.candidate_id).where(Interview.id == interview_id,
                                                 Interview.deleted_at.is_(None))
    if team_id is not None:
        query = query.where(Interview.team_id == team_id)
    candidate_id = session.scalar(query)
    if candidate_id is None:
        return []
    rounds = session.scalars(
        select(Interview)
        .where(Interview.candidate_id == candidate_id, Interview.deleted_at.is_(None))
        .order_by(Interview.round_number)
        .options(
            selectinload(Interview.panelists).selectinload(Panelist.scorecard)
            .selectinload(Scorecard.versions).selectinload(ScorecardVersion.ratings),
            selectinload(Interview.decisions),
        ))
    return [Loaded(r, interview_events(session, r.id)) for r in rounds]


def interview_events(session: Session, interview_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.interview_id == interview_id)
                                .order_by(Event.id)))


# ---------------------------------------------------------------------------- the builders


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _category_name(qs: QuestionSet, category_id: str) -> str:
    try:
        return qs.category(category_id).name
    except KeyError:
        return ""


def _question_text(qs: QuestionSet, question_id: str) -> str:
    try:
        return qs.question(question_id)[1].text
    except KeyError:
        return ""


def _score_label(qs: QuestionSet, score: int | None) -> str:
    if score is None:
        return "not assessed"
    try:
        return qs.scale_point(score).label
    except KeyError:
        return ""


def ratings_csv(rounds: Sequence[Interview], names: Mapping[str, str] | None = None) -> str:
    """One row per rating of the current version of each scorecard: round by round, in
    panel order (removed panelists' scorecards too, marked), then the set's question
    order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for interview in rounds:
        _round_rows(writer, interview, names or {})
    return out.getvalue()


def _round_rows(writer: Any, interview: Interview, names: Mapping[str, str]) -> None:
    qs = question_set_of(interview)
    order = {q.id: i for i, (_, q) in enumerate(
        (c, q) for c in qs.categories for q in c.questions)}
    for panelist in interview.panelists:
        card = panelist.scorecard
        if card is None:
            continue
        version = card.current
        for rating in sorted(version.ratings,
                             key=lambda r: (order.get(r.question_id, len(order)), r.id)):
            writer.writerow([_cell(v) for v in (
                interview.id, interview.round_number, interview.candidate.name,
                interview.candidate.role,
                interview.question_set_id,
                interview.language, panelist.user_id, names.get(panelist.user_id, ""),
                "yes" if panelist.removed_at else "no", version.number,
                _iso(card.submitted_at), _iso(card.updated_at), version.recommendation,
                rating.category_id, _category_name(qs, rating.category_id), rating.question_id,
                _question_text(qs, rating.question_id),
                "" if rating.score is None else rating.score, _score_label(qs, rating.score),
                rating.note or "")])


def loop_document(rounds: Sequence[Loaded],
                  names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The candidate and every round as JSON-able data."""
    candidate = rounds[0].interview.candidate
    return {
        "schema_version": SCHEMA_VERSION,
        "candidate": {"id": candidate.id, "team_id": candidate.team_id,
                      "name": candidate.name, "role": candidate.role, "link": candidate.link,
                      "debrief_per_round": candidate.debrief_per_round,
                      "created_at": _iso(candidate.created_at)},
        "interviews": [interview_document(r.interview, r.events, names) for r in rounds],
    }


def interview_document(interview: Interview, events: list[Event],
                       names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One round as JSON-able data: every version of every scorecard, every decision, the
    event log and the question set as it was used."""
    names = names or {}
    return {
        "interview": {
            "id": interview.id,
            "round": interview.round_number,
            "team_id": interview.team_id,
            "note": interview.note,
            "question_set_id": interview.question_set_id,
            "language": interview.language,
            "channel_id": interview.channel_id,
            "recruiter_id": interview.recruiter_id,
            "hiring_lead_id": interview.hiring_lead_id,
            "starts_at": _iso(interview.starts_at),
            "ends_at": _iso(interview.ends_at),
            "debrief_at": _iso(interview.debrief_at),
            "status": interview.status.value,
            "created_at": _iso(interview.created_at),
            "decision": None if interview.decision is None else {
                "outcome": interview.decision.value, "reason": interview.decision_reason,
                "decided_by": interview.decided_by, "decided_at": _iso(interview.decided_at)},
        },
        "decisions": [
            {"outcome": d.outcome.value, "reason": d.reason, "decided_by": d.decided_by,
             "decided_at": _iso(d.decided_at)} for d in interview.decisions],
        "panel": [_panelist(p, names) for p in interview.panelists],
        "question_set": interview.question_set,
        "events": [
            {"kind": e.kind, "actor_id": e.actor_id, "created_at": _iso(e.created_at),
             "detail": e.detail} for e in events],
    }


def _panelist(panelist: Panelist, names: Mapping[str, str]) -> dict[str, Any]:
    card = panelist.scorecard
    return {
        "user_id": panelist.user_id,
        "name": names.get(panelist.user_id),
        "position": panelist.position,
        "focus_categories": list(panelist.focus_categories or []),
        "added_at": _iso(panelist.added_at),
        "removed_at": _iso(panelist.removed_at),
        "scorecard": None if card is None else {
            "current_version": card.current_version,
            "submitted_at": _iso(card.submitted_at),
            "updated_at": _iso(card.updated_at),
            "versions": [
                {"number": v.number, "created_at": _iso(v.created_at),
                 "recommendation": v.recommendation, "takeaways": v.takeaways,
                 "private_note": v.private_note, "category_notes": dict(v.category_notes or {}),
                 "ratings": [{"category_id": r.category_id, "question_id": r.question_id,
                              "score": r.score, "note": r.note} for r in v.ratings]}
                for v in card.versions],
        },
    }


def build_files(rounds: Sequence[Loaded],
                names: Mapping[str, str] | None = None) -> ExportFiles:
    document = loop_document(rounds, names)
    return ExportFiles(tuple(r.interview.id for r in rounds), rounds[-1].interview.language,
                       ratings_csv([r.interview for r in rounds], names),
                       json.dumps(document, ensure_ascii=False, indent=2) + "\n")


# ---------------------------------------------------------------------------- Slack


def export_for(services: Services, team_id: str, interview_id: int | str,
               user_id: str) -> ExportFiles:
    """The candidate's files, for the hiring lead or the recruiter of the round asked for
    (NotFound / NotAllowed else)."""
    from bot.interviews import parse_interview_id

    number = interview_id if isinstance(interview_id, int) else parse_interview_id(interview_id)
    with transaction(services.db) as session:
        rounds = load_loop(session, number, team_id)
        asked = next((r.interview for r in rounds if r.interview.id == number), None)
        if asked is None:
            raise NotFound(N_("There is no interview {id} in this workspace."), id=number)
        require_organiser(asked, user_id)
    # Everything is loaded: build outside the transaction, names from the (cached) directory.
    names = display_names(services.users, list(dict.fromkeys(
        p.user_id for r in rounds for p in r.interview.panelists)))
    return build_files(rounds, names)




EXPORT_REQUESTED = "export_requested"
# A second `/interview export` of the same interview by the same person within this long
# (Slack's replay window is 5 minutes) sends nothing more: the files are in their DM.
REPEAT_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class ExportRequest:
    interview_id: int
    language: str
    sent_before: datetime | None  # a request of the same files this recently: no new ones


def request_export(services: Services, team_id: str, interview_id: int | str, user_id: str,
                   response_url: str | None) -> ExportRequest:
    """`/interview export <id>`: for the hiring lead or the recruiter (NotFound /
    NotAllowed else), the files are asked for (bot/performers.py sends them to their DM),
    unless they asked for them within REPEAT_WINDOW."""
    with transaction(services.db) as session:
        interview = get_interview(session, team_id, interview_id, for_update=True)
        require_organiser(interview, user_id)
        _require_own_scorecard(session, interview, user_id)
        now = services.clock()
        earlier = session.scalars(
            select(Event.created_at).where(Event.interview_id == interview.id,
                                           Event.kind == EXPORT_REQUESTED,
                                           Event.actor_id == user_id,
                                           Event.created_at > now - REPEAT_WINDOW)
            .order_by(Event.id.desc()).limit(1)).first()
        if earlier is None:
            log_event(session, interview, user_id, EXPORT_REQUESTED).created_at = now
            effects.send_export(session, services, team_id, interview.id, user_id,
                                response_url)
        return ExportRequest(interview.id, interview.language, earlier)


def _require_own_scorecard(session: Session, interview: Interview, user_id: str) -> None:
    """An organiser on the panel is held to the panelists' rule until the decision: the
    files hold every rating."""
    if interview.status is InterviewStatus.DECIDED:
        return
    if owes_own_scorecard(live_rounds(session, interview.candidate_id), user_id) is not None:
        raise InterviewRefused(N_("Submit your own scorecard first: panelists rate "
                                  "independently, so the others' feedback opens once yours "
                                  "is in."), language=interview.language)


def export_from_database(database_url: str, interview_id: int | str, fmt: str) -> str:
    """`interview-bot export <id> --format csv|json`: the file's content, straight from the
    database (any workspace: whoever runs the shell command runs the database). Raises
    NotFound for an unknown or malformed id."""
    from bot.interviews import parse_interview_id
    from models import create_db_engine, make_session_factory

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    number = interview_id if isinstance(interview_id, int) else parse_interview_id(interview_id)
    engine = create_db_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            rounds = load_loop(session, number)
            if not rounds:
                raise NotFound(N_("There is no interview {id} in this workspace."), id=number)
            files = build_files(rounds)
    finally:
        engine.dispose()
    return files.content(fmt)
