"""Block Kit as terminal text (bot/render.py): what the demo shows of each message and modal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.demo.render import Renderer, visible, width_of, wrap

USERS = {"UPIA": "Pia Põld", "ULEAD": "Lauri Lepik"}
CHANNELS = {"C0001": "hiring"}


def plain(**kwargs: Any) -> Renderer:
    return Renderer(users=USERS, channels=CHANNELS, width=60, **kwargs)


def styled(**kwargs: Any) -> Renderer:
    return plain(color=True, **kwargs)


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


# --- mrkdwn --------------------------------------------------------------------------------


def test_emphasis_is_dropped_in_plain_text_and_styled_on_a_terminal() -> None:
    text = "*Candidate:* Mari · _What to listen for_ · ~old~"
    assert plain().mrkdwn(text) == "Candidate: Mari · What to listen for · old"
    assert styled().mrkdwn(text) == (
        "\x1b[1mCandidate:\x1b[22m Mari · \x1b[3mWhat to listen for\x1b[23m · "
        "\x1b[9mold\x1b[29m")


def test_asterisks_inside_words_or_code_are_not_emphasis() -> None:
    assert plain().mrkdwn("2*3*4 and `*literal*` and snake_case_name") == (
        "2*3*4 and `*literal*` and snake_case_name")


def test_mentions_channels_and_specials_read_as_slack_shows_them() -> None:
    r = plain()
    assert r.mrkdwn("<@UPIA> and <@UNKNOWN> in <#C0001>") == "@Pia Põld and @UNKNOWN in #hiring"
    assert r.mrkdwn("<#C0009|other-channel> <!here> <!channel>") == "#other-channel @here @channel"
    assert r.mrkdwn("<!subteam^S1|@hiring-team>") == "@hiring-team"


def test_a_date_token_shows_its_fallback() -> None:
    token = "<!date^1795690800^{date_short_pretty} {time}|Nov 26, 2026, 1:00 PM &amp; on>"
    assert plain().mrkdwn(f"*Debrief:* {token}") == "Debrief: Nov 26, 2026, 1:00 PM & on"


def test_links_show_label_and_address() -> None:
    r = plain()
    assert r.mrkdwn("<https://ats.example.com/c/42|CV>") == "CV (https://ats.example.com/c/42)"
    assert r.mrkdwn("<https://example.com>") == "https://example.com"
    assert r.mrkdwn("<https://x.example?a=1&amp;b=2|x &amp; y>") == (
        "x & y (https://x.example?a=1&b=2)")


def test_escaped_text_comes_back_as_typed_and_is_not_a_mention() -> None:
    typed = "&lt;!channel&gt; &amp; &lt;b&gt; *hi*"
    assert plain().mrkdwn(typed) == "<!channel> & <b> hi"


# --- wrapping --------------------------------------------------------------------------------


def test_styles_take_no_room_and_wide_characters_take_two() -> None:
    assert width_of("\x1b[1mbold\x1b[22m") == 4
    assert width_of("日本") == 4
    lines = wrap("\x1b[1maaaa\x1b[22m bbbb cccc", 10)
    assert [visible(line) for line in lines] == ["aaaa bbbb", "cccc"]


def test_wrapping_keeps_the_indent_and_bullets_hang() -> None:
    assert wrap("  [value] more words", 12, "    ") == ["  [value]", "    more", "    words"]
    lines = plain().paragraphs("• a bullet that is long enough to wrap around", 20)
    assert lines == ["• a bullet that is", "  long enough to", "  wrap around"]


def test_long_paragraphs_are_cut_when_asked() -> None:
    text = " ".join(["word"] * 60)
    assert len(plain().paragraphs(text, 40)) > 3
    cut = plain(paragraph_lines=2).paragraphs(text, 40)
    assert len(cut) == 2 and cut[-1].endswith(" …") and width_of(cut[-1]) <= 40


def test_quotes_get_a_bar_on_every_line() -> None:
    lines = plain().paragraphs("*1.* Question?\n> _What to listen for:_\n> " + "star " * 20, 40)
    assert lines[0] == "1. Question?"
    assert lines[1] == "▌ What to listen for:"
    assert all(line.startswith("▌ ") for line in lines[2:]) and len(lines) > 3


# --- blocks ----------------------------------------------------------------------------------


def test_header_is_underlined() -> None:
    block = {"type": "header", "text": {"type": "plain_text", "text": "Interview plan: *Mari*"}}
    assert plain().blocks([block]) == ["Interview plan: *Mari*", "======================"]
    assert styled().blocks([block]) == ["\x1b[1;4mInterview plan: *Mari*\x1b[22;24m"]


def test_fields_sit_in_two_columns() -> None:
    block = {"type": "section", "fields": [
        {"type": "mrkdwn", "text": "*Role:*\nAgent"},
        {"type": "mrkdwn", "text": "*Lead:*\n<@ULEAD>"},
        {"type": "plain_text", "text": "Odd one"}]}
    lines = plain().blocks([block])
    assert lines[0].startswith("Role:") and lines[0].index("Lead:") == 31
    assert lines[1].startswith("Agent") and lines[1].endswith("@Lauri Lepik")
    assert lines[2] == "Odd one"


def test_context_is_dimmed_divider_is_a_rule_buttons_are_bracketed() -> None:
    blocks = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "*1 of 3* in"},
                                         {"type": "plain_text", "text": "Interview 1"}]},
        {"type": "divider"},
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Score candidate"},
             "action_id": "score_candidate", "style": "primary"},
            {"type": "button", "text": {"type": "plain_text", "text": "Start debrief"},
             "action_id": "start_debrief"}]},
    ]
    assert plain().blocks(blocks) == [
        "1 of 3 in  Interview 1", "─" * 60, "[ Score candidate ]  [ Start debrief ]"]
    context, _, buttons = styled().blocks(blocks)
    assert context == "\x1b[2m1 of 3 in  Interview 1\x1b[22m"  # no bold inside the dimming
    assert buttons.startswith("\x1b[1;32m[ Score candidate ]")


def test_a_section_accessory_sits_at_the_right() -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "Open"},
              "action_id": "open"}
    line = plain().blocks([section("Scorecard due", accessory=button)])[0]
    assert line.startswith("Scorecard due") and line.endswith("[ Open ]") and len(line) == 60


def test_sections_and_headers_get_room_like_in_slack() -> None:
    blocks = [section("one"), section("two"),
              {"type": "header", "text": {"type": "plain_text", "text": "Next"}}]
    assert plain().blocks(blocks) == ["one", "", "two", "", "Next", "===="]


def test_unknown_blocks_are_named_not_dropped() -> None:
    assert plain().blocks([{"type": "video"}]) == ["[video block]"]


# --- modals ----------------------------------------------------------------------------------


SCALE = [option("1", "1 · Poor: no concrete example at all"), option("4", "4 · Good"),
         option("na", "Not assessed")]


def scorecard_view() -> dict[str, Any]:
    def question(block_id: str, label: str, **element: Any) -> dict[str, Any]:
        return {"type": "input", "block_id": block_id, "optional": True,
                "label": {"type": "plain_text", "text": label},
                "hint": {"type": "plain_text", "text": "Look for *STAR*."},
                "element": {"type": "static_select", "action_id": "rating",
                            "options": SCALE, **element}}

    return {
        "id": "V1", "type": "modal", "callback_id": "scorecard",
        "title": {"type": "plain_text", "text": "Scorecard"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            question("q:a", "Question A?", initial_option=SCALE[1]),
            question("q:b", "Question B?"),
            {"type": "input", "block_id": "recommendation",
             "label": {"type": "plain_text", "text": "Overall recommendation"},
             "element": {"type": "radio_buttons", "action_id": "rating", "options": [
                 option("no_hire", "No hire"), option("hire", "Hire")]}},
            {"type": "input", "block_id": "panel",
             "label": {"type": "plain_text", "text": "Panelists"},
             "element": {"type": "multi_users_select", "action_id": "panel"}},
            {"type": "input", "block_id": "starts_at",
             "label": {"type": "plain_text", "text": "Start"},
             "element": {"type": "datetimepicker", "action_id": "starts_at",
                         "initial_date_time": int(datetime(2026, 1, 5, 8, 0,
                                                           tzinfo=UTC).timestamp())}},
            {"type": "input", "block_id": "takeaways",
             "label": {"type": "plain_text", "text": "Key takeaways"},
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                         "placeholder": {"type": "plain_text", "text": "Strengths"}}},
        ],
        "state": {"values": {}},
    }


def test_inputs_show_label_value_options_and_hint() -> None:
    lines = Renderer(users=USERS, width=80, tz="Europe/Tallinn").blocks(
        scorecard_view()["blocks"])
    assert lines[0] == "Question A? (optional): [4 · Good]"
    assert lines[1] == "  options: 1 · Poor: no concrete example a… | 4 · Good | Not assessed"
    assert lines[2] == "  Look for *STAR*."  # plain text hints stay as written
    assert lines[3:6] == ["Question B? (optional): [ ]", "  options as above",
                          "  Look for *STAR*."]
    assert lines[6] == "Overall recommendation: ( ) No hire  ( ) Hire"
    assert lines[7] == "Panelists: [ ]"
    assert lines[8] == "Start: [2026-01-05 10:00 (Europe/Tallinn)]"  # the reader's zone
    assert lines[9] == "Key takeaways: [ ] Strengths"


def test_what_the_user_entered_replaces_the_initial_values() -> None:
    state = {"values": {
        "q:a": {"rating": {"type": "static_select",
                           "selected_option": {"value": "na", "text": {"text": "x"}}}},
        "recommendation": {"rating": {"type": "radio_buttons",
                                      "selected_option": {"value": "hire"}}},
        "panel": {"panel": {"type": "multi_users_select", "selected_users": ["UPIA", "UX"]}},
        "takeaways": {"text": {"type": "plain_text_input", "value": "Calm.\nConcrete."}},
    }}
    lines = plain(tz="UTC").blocks(scorecard_view()["blocks"], state=state)
    assert lines[0] == "Question A? (optional): [Not assessed]"
    assert "Overall recommendation: ( ) No hire  (•) Hire" in lines
    assert "Panelists: [@Pia Põld, @UX]" in lines
    assert "Key takeaways: [Calm. ⏎ Concrete.]" in lines


def test_a_long_label_puts_the_value_on_the_next_line() -> None:
    block = {"type": "input", "block_id": "x", "label": {"type": "plain_text", "text": "q " * 28},
             "element": {"type": "plain_text_input", "action_id": "x", "initial_value": "yes"}}
    lines = plain().blocks([block])
    assert lines[-1] == "  [yes]" and len(lines) == 2


def test_a_view_is_framed_with_its_title_and_buttons() -> None:
    text = plain().view(scorecard_view(), title="modal for @Pia")
    lines = text.splitlines()
    assert lines[0] == "┏━ Scorecard · modal for @Pia"
    assert all(line.startswith("┃ ") for line in lines[1:-1])
    assert lines[-2].endswith("[ Cancel ]  [ Submit ]") and len(lines[-2]) == 60
    assert lines[-1] == "┗━"


def test_a_message_is_framed_and_falls_back_to_its_text() -> None:
    text = plain().message({"text": "Hello <@UPIA>", "blocks": []}, title="DM to @Pia")
    assert text.splitlines() == ["┌─ DM to @Pia", "│ Hello @Pia Põld", "└─"]


def test_styles_never_leak_into_the_frame() -> None:
    long_bold = "*" + " ".join(["bold"] * 30) + "*"
    text = styled().message({"blocks": [section(long_bold)]}, title="t")
    for line in text.splitlines()[1:-1]:
        border, _, rest = line.partition("\x1b[22m")  # the dimmed border ends first
        assert border == "\x1b[2m│ "
        assert rest.startswith("\x1b[1m")  # each line reopens the bold itself
        assert rest.endswith(("\x1b[0m", "\x1b[22m"))


# --- the debrief agenda as a table ---------------------------------------------------------


def agenda(rows: list[tuple[str, str, list[str], str]]) -> list[dict[str, Any]]:
    return [section(f"*{n}. {name}* — {verdict}\n" + " · ".join(stats) + (f"\n{note}" if note
                                                                          else ""),
                    block_id=f"agenda:{name}")
            for n, (name, verdict, stats, note) in enumerate(rows, start=1)]


ROWS = [
    ("Behavioural", "Split", ["mean 3.5 (Good)", "range 2.0 – 5.0", "no agreement", "2 raters"],
     "Rated high: <@UPIA> 5.0"),
    ("Customer service questions", "Consensus",
     ["mean 4.0 (Good)", "range 4.0 – 4.0", "very strong agreement", "2 raters"], ""),
    ("Company", "Too few ratings", ["Nobody rated this category."], ""),
]


def test_the_agenda_is_a_table_with_aligned_columns() -> None:
    lines = Renderer(users=USERS, width=140).blocks([section("*Agenda*"), *agenda(ROWS)])
    assert lines == [
        "Agenda",
        "",
        "1. Behavioural                 Split            mean 3.5 (Good)  range 2.0 – 5.0  "
        "no agreement           2 raters",
        "     Rated high: @Pia Põld 5.0",
        "2. Customer service questions  Consensus        mean 4.0 (Good)  range 4.0 – 4.0  "
        "very strong agreement  2 raters",
        # A row with fewer cells lets its last one run on.
        "3. Company                     Too few ratings  Nobody rated this category.",
    ]


def test_a_narrow_table_moves_the_figures_under_the_name_still_aligned() -> None:
    assert Renderer(width=60).blocks(agenda(ROWS)) == [
        "1. Behavioural                 Split",
        "     mean 3.5 (Good)  range 2.0 – 5.0  no agreement",
        "     2 raters",
        "     Rated high: @UPIA 5.0",
        "2. Customer service questions  Consensus",
        "     mean 4.0 (Good)  range 4.0 – 4.0  very strong agreement",
        "     2 raters",
        "3. Company                     Too few ratings",
        "     Nobody rated this category.",
    ]


def test_a_lone_agenda_row_is_an_ordinary_section() -> None:
    lines = Renderer(width=100).blocks(agenda(ROWS[:1]))
    assert lines[0] == "1. Behavioural — Split"
