from bot.slack.blocks import chunk_lines, clip


def test_clip_keeps_short_text_and_marks_a_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("abcdefghij", 5) == "abcd…"


def test_clip_never_leaves_half_an_escape_or_a_mention() -> None:
    assert clip("Tom &amp; Jerry", 8) == "Tom …"
    assert clip("ask <@U12345> now", 10) == "ask …"
    assert clip("Tom &amp; Jerry", 11) == "Tom &amp; …"


def test_chunk_lines_packs_lines_within_the_limit() -> None:
    chunks = chunk_lines(["a" * 6, "b" * 6, "c" * 6], limit=13)
    assert chunks == ["aaaaaa\nbbbbbb", "cccccc"]
    assert all(len(c) <= 13 for c in chunk_lines(["x" * 40, "y"], limit=13))
