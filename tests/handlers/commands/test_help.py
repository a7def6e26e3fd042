from handlers.commands.interview import SUBCOMMANDS
from tests.conftest import RECRUITER, World


def _text(response) -> str:
    body = response.json()
    return "\n".join(b.get("text", {}).get("text", "") for b in body["blocks"] if "text" in b)


def test_help_is_ephemeral_and_lists_every_subcommand_with_an_example(world: World) -> None:
    response = world.slack.command(RECRUITER, "help")
    assert response.status == 200
    assert response.json()["response_type"] == "ephemeral"
    text = _text(response)
    for name in SUBCOMMANDS:
        assert f"`/interview {name}" in text, name


def test_unknown_subcommand_gets_help_saying_what_was_not_understood(world: World) -> None:
    response = world.slack.command(RECRUITER, "frobnicate <!channel>")
    text = _text(response)
    assert "I don't know `frobnicate`" in text
    assert "`/interview new" in text


def test_forged_signature_is_refused(world: World) -> None:
    response = world.slack.send_raw(b"command=/interview&text=help",
                                    "application/x-www-form-urlencoded", signature="v0=forged")
    assert response.status == 401
