"""The interview plan in the channel, and the replies to the recruiter about it.

The plan carries no questions (they go to the panelists in their kits). Layout, and why it
fits Slack's 50 blocks and 3000 characters a section for the largest set (12 panelists, 10
categories): header, details (a second section only if long typed text needs it), the note
(clipped), the panel (one line a panelist: at most max(2·10, 12) = 20 category names of at
most 60 characters in all, under 2,000 characters; more sections if ever needed), progress,
buttons with the organisers' "…" menu, footer: 7 to 9 blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from slack_sdk.models.blocks import Block, Option, OverflowMenuElement

from bot.core.question_sets import QuestionSet
from bot.i18n import N_, Translator, length_text
from bot.slack.blocks import (
    Message,
    actions,
    chunk_lines,
    clip,
    context,
    header,
    plain,
    section,
    to_dicts,
)
from bot.slack.buttons import (
    add_round_button,
    post_plan_button,
    score_candidate_button,
    start_debrief_button,
)
from bot.slack.mrkdwn import channel, date_token, escape, link, user
from models import DecisionOutcome, Interview, InterviewStatus, Panelist

if TYPE_CHECKING:
    from bot.plan.service import KitsSent, LoopView, Published, UnpostedPlan

URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
LINK_MARKUP_LIMIT = 2500  # a longer link is shown as text (its section holds 3000)
NOTE_IN_PLAN = 600  # the note is clipped here; the kits carry it whole
LINK_LABEL = 60

STATUS_WORDS: Mapping[InterviewStatus, str] = {
    InterviewStatus.SCHEDULED: N_("Scheduled"),
    InterviewStatus.DEBRIEF: N_("Debrief under way"),
    InterviewStatus.DECIDED: N_("Decided"),
    InterviewStatus.CANCELLED: N_("Cancelled"),
}

DECISION_WORDS: Mapping[DecisionOutcome, str] = {
    DecisionOutcome.HIRE: N_("Hire"),
    DecisionOutcome.NO_HIRE: N_("No hire"),
    DecisionOutcome.HOLD: N_("Hold"),
}


# ---------------------------------------------------------------------------- shared pieces


def when(t: Translator, moment: datetime, tz: str) -> str:
    """A date token: each reader sees their own time zone."""
    return date_token(moment, fallback=t.datetime(moment, tz))


def interview_times(t: Translator, interview: Interview, tz: str) -> str:
    minutes = round((interview.ends_at - interview.starts_at).total_seconds() / 60)
    end = date_token(interview.ends_at, fallback=t.datetime(interview.ends_at, tz), fmt="{time}")
    return t._("*Interview:* {start} – {end} ({length})", start=when(t, interview.starts_at, tz),
               end=end, length=length_text(t, minutes))


def candidate_line(t: Translator, interview: Interview) -> str:
    return t._("*Candidate:* {name} · *Role:* {role}", name=escape(interview.candidate.name),
               role=escape(interview.candidate.role))


def link_lines(t: Translator, interview: Interview) -> list[str]:
    if not interview.candidate.link:
        return []
    url = interview.candidate.link
    label = clip(url.split("://", 1)[-1], LINK_LABEL)
    # Characters that would end or confuse Slack's <url|label> are percent-encoded.
    safe = quote(url, safe=URL_SAFE)
    shown = link(safe, label) if len(safe) < LINK_MARKUP_LIMIT else escaped(url, 200)
    return [t._("*Candidate link:* {link}", link=shown)]


def note_blocks(t: Translator, interview: Interview, limit: int) -> list[Block]:
    """The recruiter's note in its own section, at most `limit` characters once escaped."""
    if not interview.note:
        return []
    label = t._("*Note:*")
    return [section(f"{label} {escaped(interview.note, limit - len(label) - 1)}")]


def escaped(raw: str, limit: int) -> str:
    """Typed text escaped for mrkdwn and clipped to `limit` without cutting an entity."""
    return clip(escape(raw), limit)




def focus_names(qs: QuestionSet, category_ids: Sequence[str]) -> list[str]:
    names = []
    for category_id in category_ids:
        try:
            names.append(qs.category(category_id).name)
        except KeyError:  # a category the frozen set no longer has: show its id
            names.append(category_id)
    return names




# ---------------------------------------------------------------------------- the plan


def plan_message(t: Translator, interview: Interview, qs: QuestionSet, tz: str,
                 loop: LoopView | None = None) -> Message:
    """The plan as the channel sees it. `tz` is only for the fallback text of date tokens;
    `loop` places the round in its candidate's loop (other rounds linked, never scored)."""
    panel = interview.active_panelists
    looped = loop is not None and len(loop.rounds) > 1
    details = [
        candidate_line(t, interview),
        *([rounds_line(t, loop, tz)] if loop is not None and looped else []),
        interview_times(t, interview, tz),
        debrief_line(t, interview, loop, tz),
        t._("*Hiring lead:* {lead}", lead=user(interview.hiring_lead_id)),
        t._("*Question set:* {name}", name=escape(qs.name)),
        *link_lines(t, interview),
    ]
    # Translators: header of the plan message, max 100 characters before the name
    title = t._("Interview plan: {candidate}", candidate=interview.candidate.name)
    if looped:
        # Translators: header of the plan message, max 100 characters before the name
        title = t._("Interview plan: {candidate}, round {n}",
                    candidate=interview.candidate.name, n=interview.round_number)
    blocks: list[Block] = [header(title),
                           *[section(text) for text in chunk_lines(details)],
                           *note_blocks(t, interview, NOTE_IN_PLAN)]
    panel_lines = [t._("*Panel and focus*")] + [
        t._("{panelist} — {focus}", panelist=user(p.user_id),
            focus=", ".join(escape(n) for n in focus_names(qs, p.focus_categories)))
        for p in panel
    ]
    blocks += [section(text) for text in chunk_lines(panel_lines)]
    progress = plan_progress(t, panel)
    blocks.append(context(f"*{progress}* · {status_text(t, interview, loop)}"))
    # The buttons stay after the decision (a late "Score candidate" is told the scorecards
    # are locked); the organisers' "…" menu (reschedule, panel, cancel, delete) stays too.
    buttons = [] if interview.status == InterviewStatus.CANCELLED else [
        score_candidate_button(t, interview.id), start_debrief_button(t, interview.id)]
    if loop is None or loop.latest:
        buttons.append(add_round_button(t, interview.id))
    blocks.append(actions(*buttons, plan_menu(t, interview.id), block_id="plan_actions"))
    blocks.append(context(t._("Interview {id} · set up by {recruiter} · the questions are in "
                              "each panelist's interview kit (DM)", id=interview.id,
                              recruiter=user(interview.recruiter_id))))
    text = t._("Interview plan: {candidate} ({role})", candidate=escape(interview.candidate.name),
               role=escape(interview.candidate.role))
    return Message(text=text, blocks=to_dicts(blocks))


def rounds_line(t: Translator, loop: LoopView, tz: str) -> str:
    """"*Rounds:* <link|Round 1>, 3 Dec (Decided) · *Round 2*, 10 Dec (this one)"."""
    parts = []
    for other in loop.rounds:
        name = t._("Round {n}", n=other.round_number)
        day = date_token(other.starts_at, fallback=t.datetime(other.starts_at, tz),
                         fmt="{date_short}")
        if other.round_number == loop.round_number:
            parts.append(t._("*{round}*, {when} (this one)", round=name, when=day))
            continue
        shown = link(quote(other.permalink, safe=URL_SAFE), name) if other.permalink else name
        parts.append(t._("{round}, {when} ({status})", round=shown, when=day,
                         status=t._(STATUS_WORDS[other.status])))
    return t._("*Rounds:* {rounds}", rounds=" · ".join(parts))


def debrief_line(t: Translator, interview: Interview, loop: LoopView | None, tz: str) -> str:
    at = when(t, interview.debrief_at, tz)
    if loop is None or loop.covered < 2 or interview.status == InterviewStatus.CANCELLED:
        return t._("*Debrief:* {when}", when=at)
    if loop.holder_id == interview.id:
        return t._("*Debrief:* {when}, one for all {n} rounds", when=at, n=loop.covered)
    return t._("*Debrief:* {when}, one for all {n} rounds, with interview {holder}", when=at,
               n=loop.covered, holder=loop.holder_id)


def plan_progress(t: Translator, panel: list[Panelist]) -> str:
    """Progress as "2 of 3 scorecards in: @Pia, @Peeter": who is in, never their scores."""
    done = [user(p.user_id) for p in panel if p.scorecard is not None]
    if not done:
        return t.ngettext("{done} of {n} scorecard in", "{done} of {n} scorecards in",
                          len(panel), done=0)
    return t.ngettext("{done} of {n} scorecard in: {names}", "{done} of {n} scorecards in: "
                      "{names}", len(panel), done=len(done), names=", ".join(done))


def status_text(t: Translator, interview: Interview, loop: LoopView | None = None) -> str:
    decision = interview.decision or (loop.decision if loop is not None else None)
    if interview.status == InterviewStatus.DECIDED and decision is not None:
        return t._("Decided: {decision}", decision=t._(DECISION_WORDS[decision]))
    return t._(STATUS_WORDS[interview.status])


# ---------------------------------------------------------------------------- replies


def kits_line(t: Translator, kits: KitsSent) -> str:
    line = t.ngettext("{n} panelist has the interview kit in a DM.",
                      "{n} panelists have the interview kit in a DM.", len(kits.sent))
    if kits.failed:
        line += " " + t._("I could not DM the kit to {people}.",
                          people=", ".join(user(u) for u in kits.failed))
    return line


def created_message(t: Translator, interview_id: int, channel_id: str, kits: KitsSent) -> Message:
    """To the recruiter: the interview exists and its plan is posted."""
    text = t._("Interview {id} is set up: the plan is in {channel}.", id=interview_id,
               channel=channel(channel_id))
    blocks = [section(f"{text}\n{kits_line(t, kits)}"),
              context(t._("Change of plans? `/interview reschedule {id}` or "
                          "`/interview cancel {id}`.", id=interview_id))]
    return Message(text=text, blocks=to_dicts(blocks))


def needs_invite_message(t: Translator, interview_id: int, channel_id: str,
                         kits: KitsSent | None = None) -> Message:
    """To the recruiter: the bot is not in the plan's channel and cannot join it by itself
    (a private channel)."""
    text = t._("Interview {id} is saved, but I am not in {channel}, so I cannot post its "
               "plan there yet.", id=interview_id, channel=channel(channel_id))
    steps = t._("Invite me there with `/invite @interview-bot`, then press *Post plan*. "
                "Nothing you typed is lost.")
    body = f"{text}\n{steps}"
    if kits is not None:
        body += "\n" + kits_line(t, kits)
    blocks = [section(body), actions(post_plan_button(t, interview_id))]
    return Message(text=text, blocks=to_dicts(blocks))


def plan_failed_message(t: Translator, interview_id: int, channel_id: str, error: str,
                        kits: KitsSent | None = None) -> Message:
    text = t._("Interview {id} is saved, but Slack did not take its plan for {channel} "
               "({error}). Press *Post plan* to try again.", id=interview_id,
               channel=channel(channel_id), error=escape(error))
    body = text if kits is None else f"{text}\n{kits_line(t, kits)}"
    blocks = [section(body), actions(post_plan_button(t, interview_id))]
    return Message(text=text, blocks=to_dicts(blocks))


def setup_reply(t: Translator, published: Published) -> Message:
    """To the recruiter once a new interview went out: where the plan is, or what to do."""
    interview_id, channel_id = published.interview_id, published.channel_id
    if published.failed:
        return plan_failed_message(t, interview_id, channel_id, published.error or "error",
                                   published.kits)
    if published.needs_invite:
        return needs_invite_message(t, interview_id, channel_id, published.kits)
    return created_message(t, interview_id, channel_id, published.kits)


def plan_posted_message(t: Translator, interview_id: int, channel_id: str,
                        *, already: bool = False) -> Message:
    if already:
        text = t._("The plan of interview {id} is already in {channel}.", id=interview_id,
                   channel=channel(channel_id))
    else:
        text = t._("Posted the plan of interview {id} in {channel}.", id=interview_id,
                   channel=channel(channel_id))
    return Message(text=text, blocks=to_dicts([section(text)]))


def unposted_plans_message(t: Translator, plans: Sequence[UnpostedPlan]) -> Message:
    """When the recruiter runs `/interview new` again: interviews whose plan is waiting."""
    text = t.ngettext("{n} of your interviews has a plan that is not posted yet.",
                      "{n} of your interviews have plans that are not posted yet.", len(plans))
    blocks: list[Block] = [section(text)]
    for plan in plans:
        blocks.append(section(
            t._("Interview {id}: {candidate}, plan for {channel}", id=plan.interview_id,
                candidate=escape(plan.candidate_name), channel=channel(plan.channel_id)),
            accessory=post_plan_button(t, plan.interview_id)))
    blocks.append(context(t._("A private channel needs me first: `/invite @interview-bot`.")))
    return Message(text=text, blocks=to_dicts(blocks))


PLAN_MENU = "plan_menu"


def plan_menu(t: Translator, interview_id: int) -> OverflowMenuElement:
    """The "…" menu on the plan (Slack allows 2 to 5 options); organisers only, checked
    when an option is chosen. Values: "<action>:<interview id>"."""
    options = [
        # Translators: menu option, max 40 characters
        ("reschedule", t._("Reschedule")),
        # Translators: menu option, max 40 characters
        ("add_panelist", t._("Add a panelist")),
        # Translators: menu option, max 40 characters
        ("remove_panelist", t._("Remove a panelist")),
        # Translators: menu option, max 40 characters
        ("cancel", t._("Cancel the interview")),
        # Translators: menu option, max 40 characters
        ("delete", t._("Delete candidate data")),
    ]
    return OverflowMenuElement(
        action_id=PLAN_MENU,
        options=[Option(value=f"{key}:{interview_id}", text=plain(label))
                 for key, label in options],
    )


def parse_menu_value(value: str) -> tuple[str, str]:
    """("reschedule", "12") from "reschedule:12"."""
    action, _, raw_id = (value or "").partition(":")
    return action, raw_id


def deleted_message(t: Translator, interview_id: int) -> Message:
    """What the plan, the kits and the summary become once the candidate data is gone."""
    text = t._("Interview {id}: the candidate's data was deleted.", id=interview_id)
    return Message(text=text, blocks=to_dicts([section(text)]))
