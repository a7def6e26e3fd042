"""callback_id `new_interview`: the setup modal is submitted.

Before the ack: validation (its errors appear next to the fields and the modal keeps what
was typed). Then the ack closes the modal, and the interview is created once per view (a
retried or doubled delivery finds the first one's interview and does nothing more); only
the delivery that created it posts the plan, DMs the kits and tells the recruiter.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.blocks.base import Message
from bot.blocks.plan import setup_reply
from bot.blocks.setup_modal import NewInterviewModal, SetupMetadata, decode_metadata
from bot.i18n import translator
from bot.mrkdwn import escape
from bot.new_interview import create_interview, validate
from bot.plan import publish_new_interview
from bot.services import Services
from handlers.payload import team_id_of

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.view("new_interview")
    def new_interview(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        user_id = body["user"]["id"]
        team_id = team_id_of(body)
        t = translator(services.settings.default_language)
        form = NewInterviewModal.read((view.get("state") or {}).get("values"))
        errors = validate(services, form, t, user_id)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        meta = decode_metadata(view.get("private_metadata"))
        try:
            created = create_interview(services, team_id=team_id, recruiter_id=user_id,
                                       form=form, source_view_id=view["id"])
        except Exception:  # the modal is closed: the recruiter must hear about it
            log.exception("interview from view %s not created", view["id"])
            text = t._("Sorry, I could not save the interview with {candidate}; nothing was "
                       "created. Please run `/interview new` again.",
                       candidate=escape(form.candidate_name.strip()))
            tell_recruiter(client, meta, user_id, Message(text=text))
            return
        if not created.created:
            log.info("view %s delivered again: interview %s exists", view["id"],
                     created.interview_id)
            return
        published = publish_new_interview(services, created.interview_id, user_id)
        message = setup_reply(translator(published.language), published)
        tell_recruiter(client, meta, user_id, message)


def tell_recruiter(client: WebClient, meta: SetupMetadata, user_id: str,
                   message: Message) -> None:
    """Ephemeral where the command was run: through its response_url (works even in a
    private channel the bot is not in), else chat.postEphemeral, else a DM."""
    if meta.response_url:
        try:
            reply = WebhookClient(meta.response_url).send(
                text=message.text, blocks=message.blocks or None, response_type="ephemeral")
            if reply.status_code == 200:
                return
            log.info("response_url answered %s; trying an ephemeral", reply.status_code)
        except OSError as failure:
            log.info("response_url failed (%s); trying an ephemeral", failure)
    blocks = message.blocks or None
    if meta.channel_id and not meta.channel_id.startswith("D"):
        try:
            client.chat_postEphemeral(channel=meta.channel_id, user=user_id, text=message.text,
                                      blocks=blocks)
            return
        except SlackApiError as failure:
            log.info("ephemeral failed (%s); sending a DM", failure.response.get("error"))
    client.chat_postMessage(channel=user_id, text=message.text, blocks=blocks)
