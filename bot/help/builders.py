"""The help message for `/interview help`."""

from __future__ import annotations

from functools import cache

from bot.i18n import Translator
from bot.slack.blocks import Message, context, header, section, to_dicts
from bot.slack.mrkdwn import escape


def subcommand_lines(t: Translator) -> list[tuple[str, str]]:
    return [
        ("/interview new Mari Maasikas", t._("Set up a panel interview (the name is optional).")),
        ("/interview list", t._("Your scorecards to write, interviews and debriefs.")),
        ("/interview summary 12", t._("The consensus summary of interview 12, just for you.")),
        ("/interview debrief 12", t._("Post the debrief summary of interview 12 now.")),
        ("/interview reschedule 12", t._("Move interview 12, its debrief and its reminders.")),
        ("/interview cancel 12", t._("Cancel interview 12 and its reminders.")),
        ("/interview export 12", t._("Get interview 12's candidate, every round, as CSV and "
                                     "JSON files in a DM.")),
        ("/interview delete 12", t._("Delete the candidate's data of interview 12, every "
                                     "round.")),
        ("/interview report 90", t._("Interviewer calibration over the interviews you "
                                     "organised in the last 90 days, in a DM.")),
        ("/interview sets", t._("The workspace's question sets: preview, download as YAML, "
                                "upload your own.")),
        ("/interview help", t._("Show this help.")),
    ]


def help_message(t: Translator, not_understood: str | None = None) -> Message:
    """The blocks are shared between requests (built once per language): not to be changed."""
    plain = standard_help(t)
    if not not_understood:
        return plain
    sorry = section(t._("Sorry, I don't know `{word}`. Here is what I can do:",
                        word=escape(not_understood)))
    return Message(text=plain.text, blocks=[*to_dicts([sorry]), *plain.blocks])


@cache  # the same for everyone in a language: ~0.1 ms, a fifth of `/interview help`'s CPU
def standard_help(t: Translator) -> Message:
    lines = "\n".join(f"`{example}`  {what}" for example, what in subcommand_lines(t))
    blocks = [header(t._("Structured panel interviews")), section(lines),
              context(t._("Panelists score independently; nobody sees others' scores "
                          "before their own scorecard is in."))]
    return Message(text=t._("interview-bot help"), blocks=to_dicts(blocks))
