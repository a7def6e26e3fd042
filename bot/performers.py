"""Which function performs each kind of side effect (bot/outbox/effects.py): PERFORMERS.

Each lives in its capability's publish step. A performer reads the database as it is now
and talks to Slack; it raises what Slack raises: the outbox (bot/outbox/runner.py) tries
again after a transient failure and keeps a permanent one as failed. One whose interview
is gone (deleted meanwhile) does nothing. Each may run twice (a process dying between
Slack's answer and the row's delete), so none does harm the second time.
"""

from __future__ import annotations

from bot.debrief.publish import announce_decision, post_summary, refresh_posted_summary
from bot.export.publish import send_export
from bot.home.publish import refresh_home
from bot.lifecycle.publish import erase_messages, notice, removed_from_panel, thread_note
from bot.outbox import effects
from bot.outbox.runner import Effect
from bot.plan.publish import kit, post_plan, refresh_plan
from bot.report.publish import refresh_calibration, send_report
from bot.scorecards.publish import confirm_scorecard, store_acked_scorecard
from bot.setup.publish import publish_new

PERFORMERS: dict[str, Effect] = {
    effects.SCORECARD_CONFIRMATION: confirm_scorecard,
    effects.REFRESH_PLAN: refresh_plan,
    effects.REFRESH_SUMMARY: refresh_posted_summary,
    effects.REFRESH_HOME: refresh_home,
    effects.PUBLISH_NEW_INTERVIEW: publish_new,
    effects.POST_PLAN: post_plan,
    effects.POST_SUMMARY: post_summary,
    effects.ANNOUNCE_DECISION: announce_decision,
    effects.SEND_KIT: kit,
    effects.THREAD_NOTE: thread_note,
    effects.REMOVED_FROM_PANEL: removed_from_panel,
    effects.ERASE_MESSAGES: erase_messages,
    effects.NOTICE: notice,
    effects.SEND_EXPORT: send_export,
    effects.SEND_REPORT: send_report,
    effects.REFRESH_CALIBRATION: refresh_calibration,
    effects.STORE_ACKED_SCORECARD: store_acked_scorecard,
}
