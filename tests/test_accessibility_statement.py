"""The accessibility statement says what the browser tests check, no more: each kind of page
it claims is opened by a test in tests/e2e, and a page no test opens is a known issue."""

import html as html_lib
from pathlib import Path

E2E = Path(__file__).resolve().parent / "e2e"


def statement(client) -> str:
    return html_lib.unescape(client.get("/accessibility/").content.decode())


def e2e_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in E2E.glob("test_*.py"))


def test_each_page_the_statement_claims_is_opened_by_a_browser_test(db, client):
    text = statement(client)
    tests = e2e_source()
    # (words of the statement, a URL or step the browser tests take for it)
    claims = [
        ("the overview", '"overview": "/"'),
        ("commitments", "/boards/commitments/"),
        ("risks", "/boards/risks/"),
        ("finance", "/finance/"),
        ("this statement", "/accessibility/"),
        ("linking a priority", "/outcomes/priorities/"),
        ("adding, changing and ending a seat", "secretary-end"),
        ("API token", "analyst-token-created"),
        ("the board pack", "meeting-pack"),
        ("the attendance", "meeting-attendance-form"),
        ("the structure as at a date", '"overview-as-at": "/?as_at='),
        ("a Place and the governance map drawn for a date", '"place-as-at": "/places/'),
        ("a date in a web address that is not a date", '"bad-date": "/?as_at='),
        ("the system switcher", "switcher-en-place"),
        ("register of interests", "interests-ended"),
    ]
    for words, step in claims:
        assert words in text and step in tests, (words, step)


def test_the_known_issues_name_no_page_the_browser_tests_open(db, client):
    text = statement(client)
    known = text[text.index('id="known-issues"') :]
    tests = e2e_source()
    # Each was once a known issue, until a browser test opened it.
    for words, step in [("register of interests", "/interests/")]:
        assert step in tests and words not in known, words
