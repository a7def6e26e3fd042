"""A local Slack for tests and the demo: a fake Web API over real HTTP, and a simulator that sends
the app signed requests the way Slack does."""

from bot.demo.slack_fake.server import FakeSlack
from bot.demo.slack_fake.simulator import Response, SlackSimulator

__all__ = ["FakeSlack", "Response", "SlackSimulator"]
