from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_SIGNING_SECRET": "s3cret-value"}


def test_defaults_fill_everything_optional() -> None:
    settings = load_settings(GOOD, env_file=None)
    assert settings.port == 3000
    assert settings.database_url == "sqlite:///interview-bot.sqlite3"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.socket_mode
    assert settings.default_language == "en"


def test_every_problem_is_listed_at_once_with_where_to_find_it() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"PORT": "seventy", "DATABASE_URL": "mysql://x/y"}, env_file=None)
    text = "\n".join(caught.value.problems)
    assert "SLACK_BOT_TOKEN is missing: find it under OAuth & Permissions" in text
    assert "SLACK_SIGNING_SECRET is missing: find it under Basic Information" in text
    assert "PORT is not valid" in text
    assert "DATABASE_URL is not valid (must be a sqlite or postgresql URL)" in text
    assert len(caught.value.problems) == 4


def test_secrets_never_appear_in_errors() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                **GOOD,
                "SLACK_BOT_TOKEN": "xoxp-user-token-secret",
                "SLACK_APP_TOKEN": "bad-app-secret",
            },
            env_file=None,
        )
    text = str(caught.value)
    assert "xoxp-user-token-secret" not in text and "bad-app-secret" not in text
    assert "SLACK_BOT_TOKEN is not valid (does not look like a bot token)" in text


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=abc\nPORT=4000\n")
    settings = load_settings({"PORT": "5000"}, env_file=env)
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-file"
    assert settings.port == 5000
    assert "xoxb-from-file" not in repr(settings)


def test_app_token_turns_on_socket_mode_and_api_url_gets_a_slash() -> None:
    settings = load_settings(
        {**GOOD, "SLACK_APP_TOKEN": "xapp-1-x", "SLACK_API_URL": "http://127.0.0.1:9/api"},
        env_file=None,
    )
    assert settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"


def test_refreshes_settle_half_a_second_unless_told_otherwise() -> None:
    assert load_settings(GOOD, env_file=None).refresh_settle_seconds == 0.5
    assert load_settings({**GOOD, "REFRESH_SETTLE_SECONDS": "0"},
                         env_file=None).refresh_settle_seconds == 0
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "REFRESH_SETTLE_SECONDS": "-1"}, env_file=None)
    assert caught.value.problems == [
        "REFRESH_SETTLE_SECONDS is not valid (Input should be greater than or equal to 0): "
        "seconds a plan, summary or organiser's App Home waits before it is re-rendered, so "
        "a burst of scorecards updates it once, e.g. 0.5; 0 for at once"]


def test_question_set_publishers_are_slack_user_ids() -> None:
    settings = load_settings({**GOOD, "QUESTION_SET_PUBLISHERS": "U012AB3CD, W0ABC"},
                             env_file=None)
    assert settings.publishers == frozenset({"U012AB3CD", "W0ABC"})
    assert load_settings(GOOD, env_file=None).publishers == frozenset()
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "QUESTION_SET_PUBLISHERS": "rita@example.com"}, env_file=None)
    (problem,) = caught.value.problems
    assert problem.startswith("QUESTION_SET_PUBLISHERS is not valid")
    assert "Slack user ids (U…), separated by commas" in problem
