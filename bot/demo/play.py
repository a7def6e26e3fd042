"""`interview-bot demo`: a whole interview, played against a local Slack stand-in.

No Slack workspace, no tokens, no `.env`: the demo makes up a signing secret and a bot
token, starts the local Slack Web API (bot.demo.slack_fake.FakeSlack) with five people and a
#hiring channel, builds the real app from settings made in-process, serves it over HTTP on
a free port, upgrades a database (a temporary SQLite file unless --database-url says
otherwise) and starts the real reminder scheduler. Then it plays the interview the way
Slack would, with signed requests to the app's real /slack/events endpoint
(bot.demo.slack_fake.SlackSimulator): the recruiter runs `/interview new`, three panelists in
three time zones score, a reminder fires, the hiring lead starts the debrief, a panelist
re-rates after the discussion (a move of 2 points, with its reason) and the hiring lead
records the decision.

Every step checks what it expects at the stand-in (the message posted, the modal opened)
and in the database, and the demo stops at the first step that fails, saying which, with
exit status 1. Everything the app sent to Slack is shown as terminal text (bot.demo.render).
The narration is English; everything from the app is in the question set's language.

Time: the app's clock (services.clock) is real time plus an offset the demo moves, so "an
hour after the interview" needs no waiting. The reminder is sent by the real
ReminderScheduler: after the clock jumps, the demo re-arms its alarm (a process that had
simply waited would find the row due at that moment) and waits for the DM.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.demo.render import Renderer
from bot.demo.slack_fake import FakeSlack, Response, SlackSimulator
from bot.demo.slack_fake.simulator import build_state
from bot.services import Services
from bot.settings import SettingsError, load_settings
from models import (
    Interview,
    InterviewStatus,
    Panelist,
    Reminder,
    ReminderStatus,
    Scorecard,
    transaction,
)

LANGUAGES = ("en", "et", "fi")
QUESTION_SET_ID = "customer-service"
CANDIDATE = "Mari Maasikas"
TEAM_ID = "T0DEMO"
CHANNEL_ID, CHANNEL_NAME = "C0HIRING", "hiring"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    username: str
    tz: str
    job: str

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def city(self) -> str:
        return self.tz.rsplit("/", 1)[-1].replace("_", " ")


RITA = Person("URITA", "Rita Rebane", "rita", "Europe/Tallinn", "recruiter")
LAURI = Person("ULAURI", "Lauri Lepik", "lauri", "Europe/Helsinki", "hiring lead")
PIA = Person("UPIA", "Pia Põld", "pia", "Europe/Tallinn", "panelist")
PEETER = Person("UPEETER", "Peeter Park", "peeter", "America/New_York", "panelist")
AIKO = Person("UAIKO", "Aiko Tanaka", "aiko", "Asia/Tokyo", "panelist")
PEOPLE = (RITA, LAURI, PIA, PEETER, AIKO)
PANEL = (PIA, PEETER, AIKO)
SECOND_PANEL = (PIA, AIKO)  # the work sample, with --second-round

# What each panelist gives every question of a category, for the categories that are their
# focus (they mark the others "Not assessed"). With the shipped set's focus assignment, Pia
# and Peeter both have behavioural (5 against 2: a split) and customer service (4 and 4:
# consensus).
SCORES: Mapping[str, Mapping[str, int]] = {
    PIA.id: {"customer-service": 4, "behavioural": 5, "situational": 4, "personal": 4,
             "company": 4},
    PEETER.id: {"customer-service": 4, "behavioural": 2, "situational": 3, "personal": 3,
                "company": 3},
    AIKO.id: {"customer-service": 4, "behavioural": 3, "situational": 4, "personal": 5,
              "company": 4},
}
RECOMMENDATIONS: Mapping[str, str] = {PIA.id: "strong_hire", PEETER.id: "no_hire",
                                      AIKO.id: "hire"}


@dataclass(frozen=True)
class Typed:
    """What the people type into the app, in the demo's language (it is their text, not
    the app's)."""

    role: str
    takeaways: Mapping[str, str]
    reason: str
    # The category notes a 1 or a 5 needs (the shipped set asks for the evidence).
    evidence: Mapping[str, Mapping[str, str]]
    rerate_reason: str  # Peeter's, for moving behavioural from 2 to 4 after the discussion


TYPED: Mapping[str, Typed] = {
    "en": Typed(
        role="Customer support agent",
        takeaways={
            PIA.id: "Owned a billing outage end to end; clear STAR stories.",
            PEETER.id: "Friendly, but the behavioural answers stayed vague: no concrete example.",
            AIKO.id: "Calm and structured in the role-play; knows our products.",
        },
        reason="Strong STAR evidence; we talked through the behavioural split and Pia's "
               "example settled it.",
        evidence={
            PIA.id: {"behavioural": "Billing outage: took the calls, found the cause with IT, "
                                    "called every customer back the same day."},
            AIKO.id: {"personal": "Handled the stress question with a real example from her "
                                  "last job and what she changed afterwards."},
        },
        rerate_reason="Pia's billing-outage story was the concrete STAR example I had missed.",
    ),
    "et": Typed(
        role="Klienditeenindaja",
        takeaways={
            PIA.id: "Lahendas arveldustõrke algusest lõpuni; selged STAR-lood.",
            PEETER.id: "Sõbralik, kuid käitumisküsimuste vastused jäid ebamääraseks: "
                       "ühtki konkreetset näidet.",
            AIKO.id: "Rollimängus rahulik ja süsteemne; tunneb meie tooteid.",
        },
        reason="Tugevad STAR-näited; arutasime käitumisküsimuste lahknevust ja Pia näide "
               "veenis meid.",
        evidence={
            PIA.id: {"behavioural": "Arveldustõrge: võttis kõned vastu, leidis IT-ga põhjuse "
                                    "ja helistas samal päeval igale kliendile tagasi."},
            AIKO.id: {"personal": "Vastas stressiküsimusele päris näitega eelmiselt "
                                  "töökohalt ja rääkis, mida ta pärast muutis."},
        },
        rerate_reason="Pia arveldustõrke lugu oli konkreetne STAR-näide, mis mul kahe silma "
                      "vahele jäi.",
    ),
    "fi": Typed(
        role="Asiakaspalvelija",
        takeaways={
            PIA.id: "Hoiti laskutuskatkon alusta loppuun; selkeät STAR-esimerkit.",
            PEETER.id: "Ystävällinen, mutta käyttäytymiskysymysten vastaukset jäivät "
                       "epämääräisiksi: ei konkreettista esimerkkiä.",
            AIKO.id: "Rauhallinen ja jäsentynyt roolileikissä; tuntee tuotteemme.",
        },
        reason="Vahvat STAR-esimerkit; kävimme käyttäytymiskysymysten erimielisyyden läpi, "
               "ja Pian esimerkki ratkaisi asian.",
        evidence={
            PIA.id: {"behavioural": "Laskutuskatko: otti puhelut vastaan, selvitti syyn IT:n "
                                    "kanssa ja soitti samana päivänä jokaiselle asiakkaalle."},
            AIKO.id: {"personal": "Vastasi stressikysymykseen oikealla esimerkillä edellisestä "
                                  "työstään ja kertoi, mitä muutti sen jälkeen."},
        },
        rerate_reason="Pian laskutuskatkotarina oli se konkreettinen STAR-esimerkki, jonka "
                      "olin ohittanut.",
    ),
}


@dataclass(frozen=True)
class DemoOptions:
    language: str = "en"
    database_url: str | None = None  # None: a temporary SQLite file, removed at the end
    quiet: bool = False  # only the steps and their checks
    full: bool = False  # long paragraphs in full (otherwise cut after a few lines)
    color: bool = False
    width: int = 100
    timeout: float = 10.0  # seconds to wait for each expected effect
    second_round: bool = False  # a work sample after the panel: one loop, one debrief


_REFUSED = object()  # Slack refused a call while a step waited


class StepFailed(Exception):
    """A step did not get what it expected."""


class DemoClock:
    """The app's clock: real time plus an offset the demo moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = max(self.offset, moment - datetime.now(UTC))


def run_demo(options: DemoOptions, out: TextIO,
             prepare: Callable[[FakeSlack], None] | None = None) -> int:
    """Play the demo; 0 when every step succeeded, 1 otherwise. `prepare` may change the
    stand-in before the app starts (tests use it to break things on purpose)."""
    if options.language not in LANGUAGES:
        print(f"demo: unknown language {options.language!r} (one of {', '.join(LANGUAGES)})",
              file=out)
        return 2
    started = time.monotonic()
    try:
        with running_app(options, prepare) as stage:
            play = Play(stage, options, out)
            play.introduce()
            failed = play.run()
    except SettingsError as error:
        print("Demo could not start: " + "; ".join(error.problems), file=out)
        return 1
    except StartFailed as error:
        print(f"Demo could not start: {error}", file=out)
        return 1
    if failed:
        return 1
    kept = (f"the database is kept at {options.database_url}" if options.database_url
            else "the temporary database is removed")
    print(f"\nDemo finished: every step succeeded. ({len(play.steps)} steps in "
          f"{time.monotonic() - started:.1f} s; {kept}.)", file=out)
    return 0


# --- the app against the stand-in ---------------------------------------------------------------


class StartFailed(Exception):
    """The app could not be set up (the database is unreachable, say)."""


@dataclass
class Stage:
    fake: FakeSlack
    slack: SlackSimulator
    services: Services
    clock: DemoClock
    scheduler: Any  # bot.scheduler.ReminderScheduler
    url: str
    database_url: str


def populate(fake: FakeSlack) -> None:
    for person in PEOPLE:
        fake.add_user(person.id, name=person.username, real_name=person.name, tz=person.tz)
    fake.add_channel(CHANNEL_ID, name=CHANNEL_NAME, members=[p.id for p in PEOPLE])


@contextmanager
def running_app(options: DemoOptions,
                prepare: Callable[[FakeSlack], None] | None = None) -> Iterator[Stage]:
    """The stand-in, the app on a free port, the reminder scheduler; all stopped, and the
    temporary directory removed, on the way out."""
    from bot.app import StartupError, build_services, check_database, create_app, stop_services
    from bot.migrate import upgrade
    from bot.scheduler import ReminderScheduler
    from bot.web import make_wsgi_app, start_http_server

    workdir: Path | None = None
    database_url = options.database_url
    if database_url is None:
        workdir = Path(tempfile.mkdtemp(prefix="interview-bot-demo-"))
        database_url = f"sqlite:///{workdir / 'demo.sqlite3'}"
    signing_secret = secrets.token_hex(20)
    fake = FakeSlack(team_id=TEAM_ID, bot_token="xoxb-demo-" + secrets.token_hex(12))
    server = services = scheduler = None
    try:
        fake.start()
        populate(fake)
        if prepare is not None:
            prepare(fake)
        # Only these settings: the demo ignores .env and the environment on purpose.
        settings = load_settings({
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_API_URL": fake.url,
            "DATABASE_URL": database_url,
            "DEFAULT_LANGUAGE": options.language,
        }, env_file=None)
        services = build_services(settings)
        clock = DemoClock()
        services.clock = clock
        try:
            check_database(services.engine)
        except StartupError as error:
            raise StartFailed(str(error)) from None
        upgrade(services.engine)
        app = create_app(services)
        wsgi = make_wsgi_app(app, services.engine, signing_secret,
                             answering=services.side_effects.answering)
        server, _ = start_http_server(wsgi, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        scheduler = ReminderScheduler(services)
        scheduler.start()
        slack = SlackSimulator(url, signing_secret, fake, team_id=TEAM_ID)
        yield Stage(fake, slack, services, clock, scheduler, url, database_url)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if scheduler is not None:
            scheduler.shutdown()
        if services is not None:
            stop_services(services)  # listeners and side effects in flight
        fake.stop()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


# --- what the app sent ------------------------------------------------------------------------


@dataclass
class Sent:
    """One thing the app did in Slack, read back from the stand-in's call log."""

    method: str
    where: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    reader_tz: str = "UTC"
    changed: bool = True  # for updates: did anything visible change

    @property
    def kind(self) -> tuple[str, str]:
        return self.method, self.text


SHOWN_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.delete",
                 "views.open", "views.push", "views.update", "response_url",
                 "files.completeUploadExternal", "files.delete")


class Transcript:
    """Reads the stand-in's call log after each step and shows what is new: messages and
    updates in full the first time their kind appears (one line after that), modals as one
    line (the demo shows each as it is filled in), refusals as errors."""

    def __init__(self, stage: Stage, renderer: Renderer, out: TextIO, quiet: bool) -> None:
        self.fake = stage.fake
        self.renderer = renderer
        self.out = out
        self.quiet = quiet
        self.read = 0
        self.kinds_shown: set[tuple[str, str]] = set()
        self.latest: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.refusals: list[str] = []
        self.actor: Person | None = None  # who acted last: ephemerals and replies are theirs

    def show_new(self, actor: Person | None,
                 full: Callable[[Sent], bool] | None = None) -> list[Sent]:
        self.actor = actor or self.actor
        calls = self.fake.calls()
        new, self.read = calls[self.read:], len(calls)
        sent = []
        homes: list[str] = []  # App Home refreshes come in bursts: one line for a burst
        for call in new:
            if call["method"] == "views.publish" and call["response"].get("ok"):
                owner = self._person(str((call["params"] or {}).get("user_id", "")))
                homes += [owner] if owner not in homes else []
                continue
            self._homes_updated(homes)
            if not call["response"] or not call["response"].get("ok"):
                error = (call["response"] or {}).get("error", "no answer")
                self.refusals.append(f"{call['method']}: {error}")
                self._line(f"✗ Slack refused {call['method']}: {error}")
                continue
            if call["method"] not in SHOWN_METHODS:
                continue
            item = self._describe(call, self.actor)
            sent.append(item)
            # Updates show only what changed, so they are always worth showing in full.
            first_of_kind = item.kind not in self.kinds_shown or item.method == "chat.update"
            self._show(item, full(item) if full else first_of_kind)
            self.kinds_shown.add(item.kind)
        self._homes_updated(homes)
        return sent

    def _homes_updated(self, homes: list[str]) -> None:
        if homes:
            self._line("→ refreshes the App Home of " + ", ".join(homes))
            homes.clear()

    def _describe(self, call: dict[str, Any], actor: Person | None) -> Sent:
        method, params, response = call["method"], call["params"] or {}, call["response"]
        if method in ("views.open", "views.push", "views.update"):
            view = response.get("view", {})
            owner = self._person(self.fake.view(view["id"]).get("user", "")) if view else ""
            title = self.renderer.text(view.get("title"))
            verb = {"views.open": "opens", "views.push": "pushes",
                    "views.update": "updates"}[method]
            return Sent(method, f"{verb} the modal “{title}” for {owner}", title)
        if method == "response_url":
            who = self._person(actor.id) if actor else "the person who acted"
            where = (f"#{CHANNEL_NAME}" if params.get("response_type") == "in_channel"
                     else f"only {who} sees it (ephemeral)")
            return Sent(method, where, params.get("text", ""), params.get("blocks") or [],
                        actor.tz if actor else "UTC")
        if method.startswith("files."):
            return self._file(method, params, response)
        if method == "chat.postEphemeral":
            user = str(params.get("user", ""))
            return Sent(method, f"only {self._person(user)} sees it, in "
                        f"{self._channel(str(params.get('channel')))} (ephemeral)",
                        str(params.get("text", "")), params.get("blocks") or [],
                        self._tz(user))
        channel, ts = str(response.get("channel", "")), str(response.get("ts", ""))
        message = response.get("message") or {}
        blocks = message.get("blocks") or params.get("blocks") or []
        text = str(message.get("text") or params.get("text") or "")
        where, tz = self._channel(channel), self._reader_tz(channel)
        if method == "chat.delete":
            self.latest.pop((channel, ts), None)
            return Sent(method, f"deletes a message in {where}", changed=False)
        if params.get("thread_ts") or message.get("thread_ts") not in (None, ts):
            where += ", in the thread"
        if method == "chat.update":
            before = self.latest.get((channel, ts), [])
            self.latest[(channel, ts)] = blocks
            changed = [b for b in blocks if _content(b) not in [_content(o) for o in before]]
            return Sent(method, f"updates “{text}” in {where}", text, changed, tz,
                        changed=bool(changed))
        self.latest[(channel, ts)] = blocks
        return Sent(method, where, text, blocks, tz)

    def _file(self, method: str, params: dict[str, Any], response: dict[str, Any]) -> Sent:
        """An upload or a deletion, in one line: a picture cannot be printed, its alt text
        can."""
        if method == "files.delete":
            return Sent(method, "deletes the earlier picture", str(params.get("file", "")),
                        changed=False)
        channel = str(params.get("channel_id") or params.get("channels") or "")
        where = self._channel(channel) + (", in the thread" if params.get("thread_ts") else "")
        uploaded = {f["id"]: f for f in self.fake.files()}
        shown = []
        for item in response.get("files") or []:
            found = uploaded.get(item.get("id"), {})
            shown.append(f"“{item.get('title')}” ({len(found.get('content') or b'') // 1024} KB"
                         f", alt text: {found.get('alt_txt') or 'none'})")
        return Sent(method, f"uploads a picture to {where}", "; ".join(shown), changed=False)

    def _show(self, item: Sent, full: bool) -> None:
        if self.quiet:
            return
        if item.method.startswith("views.") or not item.changed or not full:
            summary = item.where if item.method.startswith("views.") or \
                item.method == "chat.update" else f"{item.where}: {item.text}"
            if item.method == "chat.update" and not item.changed:
                summary += " (nothing visible changed)"
            self._line("→ " + summary)
            return
        renderer = replace(self.renderer, tz=item.reader_tz)
        title = (item.where + " · interview-bot" if item.method != "chat.update"
                 else item.where + ": now shows")
        print(_indent(renderer.message({"text": item.text, "blocks": item.blocks},
                                       title=title)), file=self.out)

    def _line(self, text: str) -> None:
        if not self.quiet or text.startswith("✗"):
            print("   " + text, file=self.out)

    def _person(self, user_id: str) -> str:
        user = self.fake.user(user_id)
        return "@" + (user["real_name"] if user else user_id)

    def _tz(self, user_id: str) -> str:
        user = self.fake.user(user_id)
        return str(user["tz"]) if user else "UTC"

    def _channel(self, channel_id: str) -> str:
        channel = self.fake.channel(channel_id)
        if channel is None:
            return channel_id
        if channel["is_im"]:
            user = channel.get("user", "")
            return f"DM to {self._person(user)} ({self._tz(user)})"
        return "#" + channel["name"]

    def _reader_tz(self, channel_id: str) -> str:
        channel = self.fake.channel(channel_id)
        return self._tz(channel.get("user", "")) if channel and channel["is_im"] else "UTC"


def _content(block: Mapping[str, Any]) -> dict[str, Any]:
    """A block without its id: builders leave ids to Slack, which makes up new ones."""
    return {k: v for k, v in block.items() if k != "block_id"}


def _indent(text: str, prefix: str = "   ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


# --- the play -----------------------------------------------------------------------------------


class Play:
    def __init__(self, stage: Stage, options: DemoOptions, out: TextIO) -> None:
        self.stage = stage
        self.fake, self.slack, self.services = stage.fake, stage.slack, stage.services
        self.options = options
        self.out = out
        self.language = options.language
        self.typed = TYPED[options.language]
        self.renderer = Renderer(
            users={p.id: p.name for p in PEOPLE}, channels={CHANNEL_ID: CHANNEL_NAME},
            color=options.color, width=options.width - 3,
            paragraph_lines=None if options.full else 3)
        self.transcript = Transcript(stage, self.renderer, out, options.quiet)
        question_set = self.services.question_sets.get(QUESTION_SET_ID, self.language)
        if question_set is None:
            raise ValueError(f"the shipped set {QUESTION_SET_ID}.{self.language} is missing")
        self.question_set = question_set
        self.setup_view: dict[str, Any] = {}
        self.interview_id = 0
        self.plan_ts = ""
        self.summary_ts = ""
        # The round whose plan holds the debrief: the second one, when it is played.
        self.debrief_id = 0
        self.debrief_plan_ts = ""
        self.steps: list[tuple[str, Callable[[], None]]] = [
            (f"{RITA.first} ({RITA.job}, {RITA.city}) runs `/interview new {CANDIDATE}` "
             f"in #{CHANNEL_NAME}", self.run_new_command),
            (f"{RITA.first} fills in the form and presses the submit button",
             self.submit_setup),
            (f"The interview takes place; right after it, {PIA.first} ({PIA.city}) scores "
             "from her interview kit", self.pia_scores),
            ("An hour after the interview the reminder scheduler fires", self.reminder_fires),
            (f"{PEETER.first} ({PEETER.city}) scores from his reminder", self.peeter_scores),
            (f"{AIKO.first} ({AIKO.city}) scores from the plan in #{CHANNEL_NAME}",
             self.aiko_scores),
            (f"{LAURI.first} ({LAURI.job}, {LAURI.city}) starts the debrief from the plan",
             self.start_debrief),
            (f"After the discussion {PEETER.first} re-rates from the summary",
             self.peeter_rerates),
            (f"{LAURI.first} records the decision from the summary", self.record_decision),
        ]
        if options.second_round:
            self.steps[6:6] = [
                (f"{LAURI.first} wants a work sample too: “Add a round” on the plan",
                 self.add_round),
                (f"The second round takes place; {PIA.first} and {AIKO.first} score from "
                 "their new kits", self.second_round_scores),
            ]

    # --- narration ---------------------------------------------------------------------

    def say(self, text: str = "", *, always: bool = False) -> None:
        if always or not self.options.quiet:
            print(text, file=self.out)

    def check(self, text: str) -> None:
        self.say(f"   ✓ {text}", always=True)

    def introduce(self) -> None:
        s = self.stage
        names = ", ".join(f"{p.first} ({p.job}, {p.tz})" for p in PEOPLE)
        database = ("temporary, removed at the end" if self.options.database_url is None
                    else "kept")
        self.say(self.renderer.styles.bold("interview-bot demo") +
                 f": a whole structured interview against a local Slack stand-in "
                 f"(language: {self.language})", always=True)
        self.say(f"   app       {s.url}  (the real app; Slack's requests are signed)")
        self.say(f"   Slack     {s.fake.url}  (local stand-in, no workspace, no tokens)")
        self.say(f"   database  {s.database_url}  ({database})")
        self.say(f"   people    {names}")
        self.say(f"   candidate {CANDIDATE}, question set “{self.question_set.name}” "
                 f"({self.question_set.question_count} questions in "
                 f"{len(self.question_set.categories)} categories)")

    def run(self) -> bool:
        """Every step in turn; True when one failed (it is reported)."""
        for number, (title, action) in enumerate(self.steps, start=1):
            self.say()
            self.say(self.renderer.styles.bold(f"━━ {number}/{len(self.steps)} {title}"),
                     always=True)
            try:
                action()
                if self.transcript.refusals:
                    raise StepFailed("Slack refused: " + "; ".join(self.transcript.refusals))
            except (StepFailed, AssertionError) as error:
                self._report(number, title, str(error))
                return True
            except Exception as error:  # anything else is a failure of the step, too
                self._report(number, title, f"{type(error).__name__}: {error}")
                return True
        # The side effects after the acks are done: nothing Slack refused since?
        self.services.listener_executor.shutdown(wait=True)
        self.services.side_effects.shutdown(wait=True)
        self.transcript.show_new(None)
        if self.transcript.refusals:
            self.say(f"\nDemo failed after the last step: Slack refused "
                     f"{'; '.join(self.transcript.refusals)}", always=True)
            return True
        return False

    def _report(self, number: int, title: str, reason: str) -> None:
        self.transcript.show_new(None)  # what the app did before it went wrong
        first = reason.strip().splitlines()[0] if reason.strip() else "no reason given"
        self.say(f"   ✗ {first}", always=True)
        self.say(f"\nDemo failed at step {number}/{len(self.steps)} ({title}): {first}",
                 always=True)

    def shown(self, actor: Person, full: Callable[[Sent], bool] | None = None) -> list[Sent]:
        return self.transcript.show_new(actor, full)

    # --- Slack, played -----------------------------------------------------------------

    def request(self, actor: Person, what: str, send: Callable[[], Response]) -> Response:
        self.transcript.actor = actor
        response = send()
        self.say(f"   ↳ signed POST /slack/events: {what} → {response.status} "
                 f"({response.elapsed * 1000:.0f} ms)")
        if response.status != 200:
            raise StepFailed(f"the app answered {what} with HTTP {response.status}: "
                             f"{response.body[:200]}")
        return response

    def _kit_dms(self, user_id: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.dms(user_id) if _buttons(m, "score_candidate")]

    def wait(self, what: str, predicate: Callable[[], Any]) -> Any:
        """What `predicate` finds, or StepFailed: at once when Slack refused a call meanwhile
        (what was waited for will not come), else after the timeout."""
        def found_or_refused() -> Any:
            return predicate() or (_REFUSED if self._refused_unshown() else None)

        try:
            found = self.fake.wait_for(found_or_refused, timeout=self.options.timeout)
        except AssertionError:
            raise StepFailed(f"{what}: not there after {self.options.timeout:g} s") from None
        if found is _REFUSED:
            self.transcript.show_new(None)
            raise StepFailed("Slack refused: " + "; ".join(self.transcript.refusals))
        return found

    def _refused_unshown(self) -> bool:
        return any(not (call["response"] or {}).get("ok")
                   for call in self.fake.calls()[self.transcript.read:])

    def open_modal(self, person: Person, callback_id: str, what: str,
                   click: Callable[[], Response]) -> dict[str, Any]:
        before = {v["id"] for v in self.fake.view_stack(person.id)}
        self.request(person, what, click)

        def opened() -> dict[str, Any] | None:
            stack = self.fake.view_stack(person.id)
            top = stack[-1] if stack else None
            if top and top["callback_id"] == callback_id and top["id"] not in before:
                return top
            return None

        view = self.wait(f"the {callback_id} modal for {person.first}", opened)
        self.shown(person)
        return view

    def submit(self, person: Person, view: dict[str, Any], values: dict[str, Any],
               *, show: bool) -> None:
        if show:
            renderer = replace(self.renderer, tz=person.tz)
            self.say(_indent(renderer.view(view, title=f"modal for @{person.name}, "
                                           "as submitted", state=build_state(view, values))))
        response = self.request(person, f"view_submission “{view['callback_id']}” from "
                                f"{person.first}",
                                lambda: self.slack.submit(person.id, view["id"], values))
        reply = response.json()
        if reply and reply.get("response_action") == "errors":
            raise StepFailed(f"the modal came back with errors: {reply.get('errors')}")
        if self.fake.view_stack(person.id):
            raise StepFailed(f"{person.first}'s modal did not close")

    # --- reading the app's state ---------------------------------------------------------

    def interview(self) -> Interview:
        with transaction(self.services.db) as session:
            interview = session.get(Interview, self.interview_id)
            if interview is None:
                raise StepFailed(f"interview {self.interview_id} is not in the database")
            session.expunge(interview)
            return interview

    def focus_of(self, person: Person, interview_id: int) -> list[str]:
        with transaction(self.services.db) as session:
            panelist = session.scalars(select(Panelist).where(
                Panelist.interview_id == interview_id,
                Panelist.user_id == person.id)).one()
            return list(panelist.focus_categories)

    def scorecards_in(self) -> int:
        with transaction(self.services.db) as session:
            return len(list(session.scalars(select(Scorecard).where(
                Scorecard.interview_id == self.interview_id))))

    def reminders(self, kind: str) -> dict[str, Reminder]:
        with transaction(self.services.db) as session:
            rows = list(session.scalars(select(Reminder).where(
                Reminder.interview_id == self.interview_id, Reminder.kind == kind)))
            for row in rows:
                session.expunge(row)
            return {row.recipient_id: row for row in rows}

    def plan_edits(self, plan_ts: str | None = None) -> int:
        return len(self.fake.message(CHANNEL_ID, plan_ts or self.plan_ts)["edits"])

    def category_name(self, category_id: str) -> str:
        return self.question_set.category(category_id).name

    def local(self, moment: datetime, person: Person) -> str:
        return f"{moment.astimezone(ZoneInfo(person.tz)):%a %d %b %H:%M} {person.city} time"

    # --- the steps ---------------------------------------------------------------------

    def run_new_command(self) -> None:
        self.setup_view = self.open_modal(
            RITA, "new_interview", f"slash command /interview new {CANDIDATE}",
            lambda: self.slack.command(RITA.id, f"new {CANDIDATE}", channel_id=CHANNEL_ID))
        self.shown(RITA)
        candidate = next((b for b in self.setup_view["blocks"]
                          if b.get("block_id") == "candidate"), None)
        if not candidate or candidate["element"].get("initial_value") != CANDIDATE:
            raise StepFailed("the setup modal is not prefilled with the candidate's name")
        self.check("the setup modal is open, the candidate's name already filled in")

    def submit_setup(self) -> None:
        view = self.setup_view
        values = {
            "role": self.typed.role,
            "question_set": f"{QUESTION_SET_ID}:{self.language}",
            "panel": [p.id for p in PANEL],
            "hiring_lead": LAURI.id,
        }  # the rest as the modal suggests: tomorrow's next full hour, 60 minutes, ...
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        starts = datetime.fromtimestamp(inputs["starts_at"]["initial_date_time"], UTC)
        self.say(f"   {RITA.first} keeps the suggested times: the interview "
                 f"{self.local(starts, RITA)}, the debrief a day later")
        self.submit(RITA, view, values, show=True)
        plan = self.wait("the interview plan in #hiring", lambda: [
            m for m in self.fake.messages(CHANNEL_ID) if _buttons(m, "score_candidate")])[0]
        self.plan_ts = self.debrief_plan_ts = plan["ts"]
        self.interview_id = self.debrief_id = int(_buttons(plan, "score_candidate")[0]["value"])
        self.wait(f"{RITA.first} told where the plan went",
                  lambda: self.fake.ephemerals(RITA.id))
        for person in PANEL:
            self.wait(f"{person.first}'s interview kit", partial(self._kit_dms, person.id))
        self.shown(RITA)
        interview = self.interview()
        if interview.language != self.language or interview.question_set_id != QUESTION_SET_ID:
            raise StepFailed("the interview does not use the chosen question set")
        focus = {p.first: len(self.focus_of(p, self.interview_id)) for p in PANEL}
        self.check(f"interview {self.interview_id} created; the plan is in #{CHANNEL_NAME}; "
                   f"each panelist has a kit with their focus categories "
                   f"({', '.join(f'{n} {c}' for n, c in focus.items())})")

    def score(self, person: Person, where: str, click: Callable[[], Response], *,
              show_modal: bool, interview_id: int | None = None,
              plan_ts: str | None = None) -> None:
        """`person` scores the interview (round 1 unless `interview_id`, its plan at
        `plan_ts`)."""
        plan_ts = plan_ts or self.plan_ts
        edits = self.plan_edits(plan_ts)
        dms = len(self.fake.dms(person.id))
        view = self.open_modal(person, "scorecard", f"{person.first} clicks “Score candidate” "
                               f"({where})", click)
        focus = self.focus_of(person, interview_id or self.interview_id)
        values: dict[str, Any] = {}
        for category in self.question_set.categories:
            score = SCORES[person.id][category.id] if category.id in focus else None
            values.update({f"q:{q.id}": "na" if score is None else str(score)
                           for q in category.questions})
        for category_id, note in self.typed.evidence.get(person.id, {}).items():
            if category_id in focus:
                values[f"note:{category_id}"] = note
        values["recommendation"] = RECOMMENDATIONS[person.id]
        values["takeaways"] = self.typed.takeaways[person.id]
        rated = " · ".join(f"{self.category_name(c)} {SCORES[person.id][c]}" for c in focus)
        self.say(f"   {person.first} rates every question of their focus categories: {rated}; "
                 f"the rest “Not assessed”; recommends "
                 f"{self.question_set.recommendation.label(RECOMMENDATIONS[person.id])}")
        self.submit(person, view, values, show=show_modal)
        self.wait(f"{person.first}'s scorecard receipt (DM)",
                  lambda: len(self.fake.dms(person.id)) > dms)
        self.wait("the plan's progress updated", lambda: self.plan_edits(plan_ts) > edits)
        self.shown(person)

    def pia_scores(self) -> None:
        interview = self.interview()
        self.stage.clock.move_to(interview.ends_at + timedelta(minutes=5))
        self.say(f"   ⏱ the app's clock moves to 5 minutes after the interview's end "
                 f"({self.local(self.stage.clock(), PIA)})")
        self.score(PIA, "in her kit DM",
                   lambda: self.slack.click(PIA.id, "score_candidate", channel=PIA.id),
                   show_modal=True)
        self.check(f"{PIA.first}'s scorecard is in ({self.scorecards_in()} of {len(PANEL)}); "
                   "she got her scores back by DM; the plan shows the progress, no scores")

    def reminder_fires(self) -> None:
        interview = self.interview()
        first_after = timedelta(minutes=self.services.settings.reminder_first_after_minutes)
        due = interview.ends_at + first_after
        self.stage.clock.move_to(due + timedelta(minutes=1))
        self.say(f"   ⏱ the app's clock moves to {self.local(self.stage.clock(), RITA)}; the "
                 "first reminders are due; the scheduler's alarm is re-armed for the new time")
        dms = {p.id: len(self.fake.dms(p.id)) for p in PANEL}
        self.stage.scheduler.rearm()
        rows = self.wait("the first reminders handled", lambda: (
            lambda found: found if len(found) == len(PANEL) and all(
                r.status != ReminderStatus.PENDING for r in found.values()) else None
        )(self.reminders("first")))
        for person in (PEETER, AIKO):
            self.wait(f"{person.first}'s reminder DM",
                      partial(lambda user: len(self.fake.dms(user)) > dms[user], person.id))
        self.shown(LAURI, full=lambda item: True)
        statuses = {p.first: rows[p.id].status for p in PANEL}
        if statuses != {PIA.first: ReminderStatus.SKIPPED, PEETER.first: ReminderStatus.SENT,
                        AIKO.first: ReminderStatus.SENT}:
            raise StepFailed(f"unexpected reminder outcomes: {statuses}")
        if len(self.fake.dms(PIA.id)) != dms[PIA.id]:
            raise StepFailed(f"{PIA.first} was reminded although her scorecard is in")
        self.check(f"{PEETER.first} and {AIKO.first} were reminded, each with the debrief time "
                   f"in their own zone; {PIA.first} was not ({rows[PIA.id].last_error})")

    def peeter_scores(self) -> None:
        self.score(PEETER, "in the reminder DM",
                   lambda: self.slack.click(PEETER.id, "score_candidate", channel=PEETER.id),
                   show_modal=False)
        self.check(f"{self.scorecards_in()} of {len(PANEL)} scorecards in")

    def aiko_scores(self) -> None:
        self.score(AIKO, f"in the plan in #{CHANNEL_NAME}",
                   lambda: self.slack.click(AIKO.id, "score_candidate", channel=CHANNEL_ID,
                                            ts=self.plan_ts),
                   show_modal=False)
        if self.scorecards_in() != len(PANEL):
            raise StepFailed("not every scorecard is in")
        self.check(f"all {len(PANEL)} scorecards are in")

    def add_round(self) -> None:
        view = self.open_modal(LAURI, "new_interview", f"{LAURI.first} clicks “Add a round”",
                               lambda: self.slack.click(LAURI.id, "add_round",
                                                        channel=CHANNEL_ID, ts=self.plan_ts))
        if any(b.get("block_id") == "candidate" for b in view["blocks"]):
            raise StepFailed("the next round's form asks for the candidate again")
        kits = {p.id: len(self._kit_dms(p.id)) for p in SECOND_PANEL}
        values = {"question_set": f"{QUESTION_SET_ID}:{self.language}",
                  "panel": [p.id for p in SECOND_PANEL]}
        self.say(f"   {LAURI.first} picks {PIA.first} and {AIKO.first} and keeps the "
                 "suggested times; the channel and the hiring lead come from round 1")
        self.submit(LAURI, view, values, show=True)
        plan = self.wait("the second round's plan in #hiring", lambda: [
            m for m in self.fake.messages(CHANNEL_ID) if _buttons(m, "score_candidate")
            and _buttons(m, "score_candidate")[0]["value"] != str(self.interview_id)])[0]
        self.debrief_plan_ts = plan["ts"]
        self.debrief_id = int(_buttons(plan, "score_candidate")[0]["value"])
        for person in SECOND_PANEL:
            self.wait(f"{person.first}'s second kit", partial(
                lambda user: len(self._kit_dms(user)) > kits[user], person.id))
        link = f"/p{self.plan_ts.replace('.', '')}"
        if link not in str(plan["blocks"]):
            raise StepFailed("the second round's plan does not link the first one's")
        self.wait("round 1's plan pointing at the loop's debrief", lambda: str(
            self.debrief_id) in str(self.fake.message(CHANNEL_ID, self.plan_ts)["blocks"]))
        self.shown(LAURI)
        self.check(f"round 2 is interview {self.debrief_id}, for the same candidate; its "
                   "plan links round 1's; one debrief, on round 2's plan, covers both rounds")

    def second_round_scores(self) -> None:
        with transaction(self.services.db) as session:
            ends_at = session.get_one(Interview, self.debrief_id).ends_at
        self.stage.clock.move_to(ends_at + timedelta(minutes=5))
        self.say(f"   ⏱ the app's clock moves to 5 minutes after round 2 "
                 f"({self.local(self.stage.clock(), PIA)})")
        for person in SECOND_PANEL:
            click = partial(self.slack.click, person.id, "score_candidate", channel=person.id)
            self.score(person, "in the second round's kit", click, show_modal=False,
                       interview_id=self.debrief_id, plan_ts=self.debrief_plan_ts)
        self.check(f"{PIA.first} and {AIKO.first} scored round 2")

    def start_debrief(self) -> None:
        edits = self.plan_edits()
        self.request(LAURI, f"{LAURI.first} clicks “Start debrief”",
                     lambda: self.slack.click(LAURI.id, "start_debrief", channel=CHANNEL_ID,
                                              ts=self.debrief_plan_ts))
        summary = self.wait("the debrief summary in the plan's thread",
                            lambda: self.said_in_thread())[0]
        self.summary_ts = summary["ts"]
        self.wait("the interview in debrief",
                  lambda: self.interview().status == InterviewStatus.DEBRIEF)
        self.wait("the plan showing the debrief", lambda: self.plan_edits() > edits)
        self.shown(LAURI)
        self.wait("the dot plot next to the summary", lambda: self.fake.files(CHANNEL_ID))
        agenda = [b["block_id"].split(":", 1)[1] for b in summary["blocks"]
                  if str(b.get("block_id", "")).startswith("agenda:")]
        if not agenda or agenda[0] != "behavioural" or "customer-service" not in agenda:
            raise StepFailed(f"the agenda does not lead with the split category: {agenda}")
        evidence = self.typed.evidence[PIA.id]["behavioural"]
        if evidence not in json.dumps(summary["blocks"], ensure_ascii=False):
            raise StepFailed(f"{PIA.first}'s evidence for her 5s is not under the split")
        self.check(f"the summary is in the plan's thread; the split category "
                   f"(“{self.category_name('behavioural')}”: {PIA.first} 5, {PEETER.first} 2) "
                   f"leads the agenda, with {PIA.first}'s evidence for her 5s; "
                   f"“{self.category_name('customer-service')}” is in consensus; the numbers "
                   "before the talk are on top, the dot plot in the thread")

    def said_in_thread(self) -> list[dict[str, Any]]:
        """The messages in the debrief's thread, not counting shared pictures."""
        return self.fake.thread(CHANNEL_ID, self.debrief_plan_ts, shares=False)

    def peeter_rerates(self) -> None:
        """Peeter moves behavioural from 2 to 4: the modal asks why, he says why, and the
        summary shows before → after with his reason."""
        self.stage.clock.move_to(self.stage.clock() + timedelta(minutes=30))
        self.say("   ⏱ the panel talks the behavioural split through; half an hour later:")
        view = self.open_modal(PEETER, "scorecard",
                               f"{PEETER.first} clicks “Re-rate after the discussion”",
                               lambda: self.slack.click(PEETER.id, "rerate",
                                                        channel=CHANNEL_ID,
                                                        ts=self.summary_ts))
        behavioural = self.question_set.category("behavioural")
        values: dict[str, Any] = {f"q:{q.id}": "4" for q in behavioural.questions}
        self.say(f"   {PEETER.first} moves every “{behavioural.name}” question from 2 to 4 and "
                 "submits")
        response = self.request(PEETER, f"view_submission “scorecard” from {PEETER.first}",
                                lambda: self.slack.submit(PEETER.id, view["id"], values))
        errors = (response.json() or {}).get("errors") or {}
        if "shift:behavioural" not in errors:
            raise StepFailed(f"a move of 2 points was taken without a reason: {errors}")
        self.say(f"   ↳ the modal stays open, next to the reason field: "
                 f"“{errors['shift:behavioural']}”")
        values["shift:behavioural"] = self.typed.rerate_reason
        self.say(f"   {PEETER.first} writes: “{self.typed.rerate_reason}”")
        self.submit(PEETER, view, values, show=False)
        self.wait("the summary showing before → after", lambda: self.typed.rerate_reason in str(
            self.fake.message(CHANNEL_ID, self.summary_ts)["blocks"]))
        self.shown(PEETER, full=lambda item: item.method == "chat.update")  # not his receipt
        self.check(f"{PEETER.first}'s re-rating is in with its reason; the summary shows "
                   f"“{behavioural.name}” before → after (2.0 → 4.0); the agenda's figures "
                   "stay those of the independent ratings")

    def record_decision(self) -> None:
        edits = self.plan_edits()
        view = self.open_modal(LAURI, "record_decision",
                               f"{LAURI.first} clicks “Record decision”",
                               lambda: self.slack.click(LAURI.id, "record_decision",
                                                        channel=CHANNEL_ID,
                                                        ts=self.summary_ts))
        self.submit(LAURI, view, {"outcome": "hire", "reason": self.typed.reason}, show=True)
        self.wait("the decision in the plan's thread",
                  lambda: len(self.said_in_thread()) >= 2)
        self.wait("the interview decided",
                  lambda: self.interview().status == InterviewStatus.DECIDED)
        self.wait("the plan showing the outcome", lambda: self.plan_edits() > edits)
        self.shown(LAURI)
        pending = [r for kind in ("last", "debrief", "debrief_lead")
                   for r in self.reminders(kind).values() if r.status == ReminderStatus.PENDING]
        if pending:
            raise StepFailed(f"{len(pending)} reminders are still pending after the decision")
        with transaction(self.services.db) as session:
            decision = session.get_one(Interview, self.debrief_id).decision
        outcome = str(decision).replace("_", " ").capitalize()
        self.check(f"decision recorded: {outcome} by {LAURI.first}; the panel is "
                   "told in the thread; scorecards are locked; no reminders left")


def _buttons(message: Mapping[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b.get("type") == "actions"
            for e in b.get("elements", []) if e.get("action_id") == action_id]

