"""Every page type in a real browser: no console error, no axe violation (WCAG 2.2 A and AA),
no sideways scrolling on a phone; and the commissioner's journey by keyboard alone, on a
phone-sized and a desktop-sized window. Screenshots go to the artefact directory."""

import datetime as dt

import pytest

# The marker makes pytest-django create the test database (it sets up only the databases that
# marked tests need); the tests themselves read it only through the live server.
pytestmark = pytest.mark.django_db

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PAGES = {
    "overview": "/",
    "place": "/places/warwickshire-north/",
    "place-outcomes": "/places/warwickshire-north/outcomes/",
    "place-finance": "/places/warwickshire-north/finance/",
    "place-metrics": "/places/warwickshire-north/metrics/?category=workforce",
    "concerns": "/concerns/",
    "metrics": "/metrics/",
    "metric": "/metrics/syn-sickness-monthly/",
    "metric-documented": "/metrics/wf-headcount/",
    "boards": "/boards/",
    "boards-filtered": "/boards/?level=place&place=rugby",
    "board": "/boards/local-workforce-action-board/",
    "icons": "/about/icons/",
    "accessibility": "/accessibility/",
    "risks": "/boards/risks/",
    "risks-filtered": "/boards/risks/?status=identified&rating=unrated",
    "risk": "/boards/risks/risk-2019-1/",
    "commitments": "/boards/commitments/",
    "outcomes": "/outcomes/",
    "priority": "/outcomes/priorities/wn-prio-frailty/",
    "finance": "/finance/",
    "not-found": "/places/atlantis/",
    "structure": "/structure/",
    "boards-as-at": "/boards/?as_at=2019-09-01",
    "overview-as-at": "/?as_at=2019-09-01",
    "place-as-at": "/places/warwickshire-north/?as_at=2019-09-01",
    "bad-date": "/?as_at=2019-02-30",
    "board-replaced": "/boards/better-health-better-care-better-value-board/",
}


@pytest.fixture(scope="module")
def windows(browser, portal):
    """One signed-in browser window per width, kept for the module so that the browser caches
    the stylesheet and scripts between pages, as a person's browser would."""
    opened = {}
    for width, viewport in WIDTHS.items():
        # The portal's Content-Security-Policy is enforced: a violation is a console error.
        context = browser.new_context(viewport=viewport)
        context.add_cookies([portal["cookie"]])
        page = context.new_page()
        page.on("console", lambda m, page=page: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e, page=page: page.errors.append(str(e)))
        opened[width] = page
    yield opened
    for page in opened.values():
        page.context.close()


@pytest.fixture
def open_page(windows):
    """The window of a width, with its record of console errors started afresh."""

    def open_(width: str):
        page = windows[width]
        page.errors = []
        return page

    return open_


def axe_violations(page, axe_script) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (an added
    # <script> tag would be refused, having no nonce).
    page.evaluate(axe_script.read_text(encoding="utf-8"))
    # resultTypes: only violations are needed, which makes axe several times faster.
    result = page.evaluate(
        "(tags) => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{n['target']}: {n['failureSummary']}" for n in v["nodes"][:5])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_passes_axe(open_page, portal, artifacts, axe_script, name, width):
    page = open_page(width)
    response = page.goto(portal["url"] + PAGES[name])
    assert response.status == {"not-found": 404, "bad-date": 400}.get(name, 200)
    assert page.locator("header.nhsuk-header").is_visible()
    assert page.locator("h1").count() == 1
    page.screenshot(path=artifacts / f"{name}-{width}.jpg", full_page=True, quality=70)
    if width == "phone":
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
    # Check the data tables too: open every details element first.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = axe_violations(page, axe_script)
    assert violations == [], "\n".join(violations)
    refused = {"not-found": 404, "bad-date": 400}.get(name)
    expected = [f"the server responded with a status of {refused}"] if refused else []
    unexpected = [e for e in page.errors if not any(x in e for x in expected)]
    assert unexpected == [], unexpected


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"{key} never reached {selector}")


@pytest.mark.parametrize("width", WIDTHS)
def test_commissioner_journey_by_keyboard(open_page, portal, artifacts, width):
    """From the overview, find a Place with a metric in special-cause concern, open its chart,
    read why in words, open the data table, and see which board owns it and who sits on it."""
    page = open_page(width)
    page.goto(portal["url"] + "/")
    concerns = page.locator("#concerns")
    assert concerns.is_visible()
    assert "George Eliot Hospital NHS Trust" in concerns.inner_text()

    # Tab to the Place the concern list names, and open it.
    tab_to(page, '#concerns a[href="/places/warwickshire-north/"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/places/warwickshire-north/")
    assert page.locator("h1").inner_text() == "Warwickshire North"

    # The Place's concern list says why in words; tab to the chart and open it.
    item = page.locator("#maincontent li", has_text="Sickness % — George Eliot Hospital").first
    assert "above the upper process limit" in item.inner_text()
    href = item.locator("a").first.get_attribute("href")
    anchor = href.split("#")[1]
    tab_to(page, f'a[href="{href}"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/metrics/syn-sickness-monthly/**")
    page.screenshot(path=artifacts / f"journey-metric-{width}.jpg", quality=70)

    section = page.locator(f'section[aria-labelledby="{anchor}"]')
    assert section.locator("h3").inner_text() == "George Eliot Hospital NHS Trust"
    finding = section.locator(".spc-finding").inner_text()
    assert "Special cause concern: the latest value" in finding
    assert section.locator("svg.spc-chart").is_visible()
    assert "synthetic (illustrative)" in section.inner_text()

    # Open the data table with the keyboard.
    tab_to(page, f'section[aria-labelledby="{anchor}"] summary')
    page.keyboard.press("Enter")
    table = section.locator("details table")
    table.wait_for(state="visible")
    assert section.locator("details").get_attribute("open") is not None
    assert table.locator("caption").inner_text().startswith("Sickness % for George Eliot")
    assert table.locator("tbody tr").count() == 48

    # Which board owns the metric, and who sits on it: back up the page to the owner board.
    owner = page.locator("#owner")
    assert owner.inner_text() == "Who sits on the Local Workforce Action Board"
    assert page.get_by_text("Not named in the source, for Primary Care").is_visible()
    tab_to(page, '#maincontent dd a[href="/boards/local-workforce-action-board/"]', backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/boards/local-workforce-action-board/")
    assert "Local Workforce Action Board" in page.locator("h1").inner_text()
    assert "Primary Care" in page.locator("#maincontent").inner_text()
    page.screenshot(path=artifacts / f"journey-board-{width}.jpg", quality=70)
    assert page.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_commissioner_reads_a_place_through_contents_and_folds(
    open_page, portal, artifacts, axe_script, width
):
    """The overview and a Place open short, with a contents list and folded sections that
    open; a metric with too few points shows its value and how many points SPC needs, with no
    icon or chart; a metric with enough points shows its chart."""
    page = open_page(width)
    page.goto(portal["url"] + "/")
    contents = page.locator("nav.nhsuk-contents-list")
    assert contents.locator('a[href="#matrix"]').is_visible()
    matrix = page.locator("#matrix-table")
    assert matrix.get_attribute("open") is None
    assert not matrix.locator("table").is_visible()
    matrix.locator("summary").click()
    assert matrix.locator("table").is_visible()
    check_page(page, axe_script, artifacts, f"fold-overview-{width}")

    page.goto(portal["url"] + "/places/rugby/")
    assert page.locator("h1").inner_text() == "Rugby"
    contents = page.locator("nav.nhsuk-contents-list")
    contents.locator('a[href="#hicm"]').click()
    page.wait_for_url("**/places/rugby/#hicm")
    hicm = page.locator("#hicm + details")
    assert not hicm.locator("table").is_visible()
    hicm.locator("summary").click()
    assert hicm.locator("table").is_visible()
    # The workforce tiles are folded; opened, a single value has no SPC icon.
    fold = page.locator("details.portal-fold", has_text="Workforce").first
    assert not fold.locator(".spc-tile").first.is_visible()
    fold.locator("summary").click()
    tile = fold.locator(".spc-tile", has_text="Headcount").first
    assert tile.is_visible()
    assert tile.locator("svg.spc-icon").count() == 0
    assert "SPC needs at least 12 points" in tile.inner_text()
    check_page(page, axe_script, artifacts, f"fold-place-{width}")

    # A metric with one value: its value, the points needed, no icon and no SPC chart.
    page.goto(portal["url"] + "/metrics/bcf-reablement/")
    section = page.locator("section.spc-series", has_text="Warwickshire County Council")
    assert "96.8%" in section.inner_text()
    too_few = section.locator(".spc-too-few")
    assert "11 more points needed" in too_few.inner_text()
    assert section.locator("svg.spc-icon").count() == 0
    assert section.locator("svg.spc-chart").count() == 0
    check_page(page, axe_script, artifacts, f"too-few-{width}")

    # A metric with enough points: the chart and its icons.
    page.goto(portal["url"] + "/metrics/syn-sickness-monthly/")
    first = page.locator("section.spc-series").first
    assert first.locator("svg.spc-chart").is_visible()
    assert first.locator("svg.spc-icon").count() >= 1
    assert page.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_commissioner_pages_through_a_places_metrics(
    open_page, portal, artifacts, axe_script, width
):
    """A Place's page shows the first tiles of each category and links to the rest; the
    category's pages, in the NHS.UK pagination pattern, show every tile once."""
    from unittest import mock

    from django.core.cache import cache

    from assurance import selectors
    from assurance.selectors import place_metrics, place_snapshot_ids, with_snapshot_ids
    from places.models import Place

    place = with_snapshot_ids(Place.objects.filter(slug="warwickshire-north")).get()
    dashboard = place_metrics(place=place, snapshot_ids=place_snapshot_ids(place))
    group = max(dashboard["tiles"], key=lambda g: len(g["rows"]))
    every = sorted(r["chart_url"] for r in group["rows"])
    pages = -(-len(every) // 2)
    assert pages >= 3
    page = open_page(width)
    # Small pages (the server runs in this process): two tiles on the Place, two a page.
    with (
        mock.patch.object(selectors, "PLACE_TILES_PREVIEW", 2),
        mock.patch.object(selectors, "PLACE_TILES_PER_PAGE", 2),
    ):
        cache.clear()
        try:
            page.goto(portal["url"] + "/places/warwickshire-north/")
            page.locator("nav.nhsuk-contents-list").locator('a[href="#metrics"]').click()
            fold = page.locator("details.portal-fold", has_text=group["category"]).first
            fold.locator("summary").click()
            assert fold.locator(".spc-tile").count() == 2
            fold.get_by_role("link", name=f"All {len(every)} {group['category']} series").click()
            page.wait_for_url(f"**/places/warwickshire-north/metrics/?category={group['key']}")
            assert group["category"] in page.locator("h1").inner_text()
            seen = []
            for number in range(1, pages + 1):
                pagination = page.get_by_role("navigation", name=f"Pages of {group['category']}")
                current = pagination.locator('[aria-current="page"]')
                assert current.inner_text() == str(number)
                tiles = page.locator(".spc-tile h4 a")
                seen += [tiles.nth(i).get_attribute("href") for i in range(tiles.count())]
                if number in (1, pages):
                    check_page(page, axe_script, artifacts, f"place-metrics-{number}-{width}")
                if number < pages:
                    pagination.get_by_role("link", name="Next page").click()
                    page.wait_for_url(f"**page={number + 1}#tiles")
            assert pagination.get_by_role("link", name="Next page").count() == 0
            assert sorted(seen) == every
            # Back to the first page by its number, and to the Place by the breadcrumb.
            pagination.get_by_role("link", name="Page 1", exact=True).click()
            page.wait_for_url("**page=1#tiles")
            assert page.errors == []
        finally:
            cache.clear()


PRIORITY = "wn-prio-frailty"
SYSTEM = "coventry-and-warwickshire"
SECRETARY_BOARD = "warwickshire-north-place-executive"


@pytest.fixture(scope="module")
def secretary_page(signed_in, django_db_blocker):
    """A window signed in as a secretary of one of Warwickshire North's boards, who may link
    its priorities; what it links is removed again at the end, with its history."""
    from django.db import connections

    from assurance.models import PriorityMetric, PriorityOutcome
    from places.models import Priority

    with django_db_blocker.unblock():
        priority_id = Priority.objects.get(key=PRIORITY).pk
        connections.close_all()
    with signed_in(
        "e2e-wn-secretary",
        "board_secretary",
        board_slugs=[SECRETARY_BOARD],
        viewport=WIDTHS["desktop"],
    ) as page:
        yield page
        with django_db_blocker.unblock():
            for model in (PriorityOutcome, PriorityMetric):
                model.objects.filter(priority_id=priority_id).delete()
                model.history.filter(priority_id=priority_id).delete()
            connections.close_all()


def check_page(page, axe_script, artifacts, name: str) -> None:
    """One h1, no axe violation, no console error; a screenshot for the record."""
    assert page.locator("h1").count() == 1
    page.screenshot(path=artifacts / f"{name}.jpg", full_page=True, quality=70)
    violations = axe_violations(page, axe_script)
    assert violations == [], "\n".join(violations)
    assert page.errors == [], page.errors


def test_a_secretary_links_a_priority_and_removes_the_link(
    secretary_page, portal, artifacts, axe_script
):
    """The priority page's forms, their errors and the removal page pass axe on both widths;
    a link made there shows at once, and its removal is kept in the history."""
    page = secretary_page
    # Every link to the page, and every redirect back to it, names its system.
    path = f"/outcomes/priorities/{PRIORITY}/?system={SYSTEM}"
    url = portal["url"] + path
    page.goto(url)
    assert page.locator("#link-outcome").is_visible() and page.locator("#link-metric").is_visible()
    check_page(page, axe_script, artifacts, "priority-forms-desktop")

    # Sent without a choice or a reason: the error summary, focused, links to each field.
    page.locator("#link-outcome + form button").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    assert summary.locator("a").all_inner_texts() == [
        "Select the outcome this priority serves",
        "Enter the reason for linking it to the outcome",
    ]
    check_page(page, axe_script, artifacts, "priority-errors-desktop")
    summary.locator("a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "id_outcome-outcome_0"

    page.get_by_label("Lead a healthy, independent and fulfilled life").check()
    page.locator("#id_outcome-reason").fill("Frailty work keeps older people independent")
    page.locator("#link-outcome + form button").click()
    page.wait_for_url(url)
    outcomes = page.locator("#outcomes + ul")
    assert "Lead a healthy, independent and fulfilled life" in outcomes.inner_text()
    assert "Linked by e2e-wn-secretary" in outcomes.inner_text()

    page.locator("#id_metric-metric").select_option(index=1)
    chosen = page.locator("#id_metric-metric option").nth(1).inner_text()
    page.locator("#id_metric-reason").fill("Shows the frailty pathway's effect")
    page.locator("#link-metric + form button").click()
    page.wait_for_url(url)
    evidence = page.locator("#metrics + ul")
    assert chosen.split(" (")[0] in evidence.inner_text()
    assert "Shows the frailty pathway" in evidence.inner_text()
    check_page(page, axe_script, artifacts, "priority-linked-desktop")

    # The link shows in the Place's roll-up straight away.
    page.goto(portal["url"] + "/places/warwickshire-north/outcomes/")
    assert page.locator(f'#outcomes ~ section a[href="{path}"]').count()
    page.goto(url)

    page.set_viewport_size(WIDTHS["phone"])
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the priority page scrolls sideways by {overflow}px on a phone"
    check_page(page, axe_script, artifacts, "priority-linked-phone")

    page.get_by_role("link", name="Remove the link to Lead a healthy").click()
    page.wait_for_url(lambda target: f"/remove/?system={SYSTEM}" in target)
    check_page(page, axe_script, artifacts, "priority-remove-phone")
    page.get_by_role("button", name="Remove the link").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary a").all_inner_texts() == [
        "Enter the reason for removing the link"
    ]
    check_page(page, axe_script, artifacts, "priority-remove-errors-phone")
    page.locator("#id_reason").fill("Belongs under effective services")
    page.get_by_role("button", name="Remove the link").click()
    page.wait_for_url(url)
    history = page.locator("#history + ul").inner_text()
    assert "e2e-wn-secretary: removed the link to the outcome" in history
    assert "Belongs under effective services" in history
    assert "Not yet linked to an outcome" in page.locator("#outcomes + p").inner_text()
    page.set_viewport_size(WIDTHS["desktop"])


ANALYST = "e2e-analyst"
ANALYST_PASSWORD = "e2e-analyst-password-1"


@pytest.fixture(scope="module")
def analyst_account(portal, django_db_blocker):
    """An analyst who signs in with a password; removed again at the end, with their token."""
    from django.apps import apps
    from django.db import connections

    from governance.services import role_grant

    with django_db_blocker.unblock():
        user = role_grant(username=ANALYST, role="analyst").user
        user.set_password(ANALYST_PASSWORD)
        user.save(update_fields=["password"])
        connections.close_all()
    try:
        yield user
    finally:
        with django_db_blocker.unblock():
            if apps.is_installed("axes"):
                for name in ("AccessLog", "AccessAttempt", "AccessFailureLog"):
                    apps.get_model("axes", name).objects.filter(username=ANALYST).delete()
            user.delete()
            connections.close_all()


def test_analyst_journey(browser, portal, analyst_account, artifacts, axe_script):
    """An analyst signs in, creates a token on their account page, finds the API from its root
    with that token alone, and downloads a series as CSV."""
    context = browser.new_context(viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    # The token alone: a context with no session cookie.
    api = browser.new_context()
    try:
        page.goto(portal["url"] + "/me/")
        page.wait_for_url("**/accounts/login/**")
        page.locator("#id_username").fill(ANALYST)
        page.locator("#id_password").fill(ANALYST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/me/")
        assert "You have no API token" in page.locator("#maincontent").inner_text()
        check_page(page, axe_script, artifacts, "analyst-account")

        page.get_by_label("Token name").fill("e2e script")
        page.get_by_role("button", name="Create a token").click()
        page.wait_for_load_state()
        token = page.locator("#new-token").inner_text().strip()
        assert len(token) == 43
        assert "e2e script" in page.locator("#token-list").inner_text()
        assert "Not used yet" in page.locator("#token-list").inner_text()
        check_page(page, axe_script, artifacts, "analyst-token-created")

        auth = {"Authorization": f"Token {token}"}
        root = api.request.get(portal["url"] + "/api/v1/", headers=auth)
        assert root.status == 200, root.text()
        endpoints = root.json()
        assert {"series", "dashboards", "auth/token", "export/popolo.json"} <= set(endpoints)
        assert api.request.get(portal["url"] + "/api/v1/").status in (401, 403)

        series = api.request.get(
            endpoints["series"], headers=auth, params={"metric": "syn-dtoc-monthly"}
        ).json()["results"]
        assert series, "the series list is empty"
        chosen = series[0]
        csv = api.request.get(
            endpoints["series"],
            headers=auth,
            params={
                "metric": chosen["metric"],
                "subject_type": chosen["subject_type"],
                "subject": chosen["subject"],
                "format": "csv",
            },
        )
        assert csv.status == 200
        assert csv.headers["content-type"].startswith("text/csv")
        lines = csv.text().splitlines()
        assert lines[0].startswith("metric,subject_type,subject,period_start")
        assert len(lines) > 12

        # The account page now says when the token was last used.
        page.goto(portal["url"] + "/me/")
        assert "Not used yet" not in page.locator("#token-list").inner_text()
        page.get_by_role("button", name="Revoke “e2e script”").click()
        page.wait_for_url("**/me/")
        assert "“e2e script” is revoked" in page.locator("#maincontent").inner_text()
        assert "You have no API token" in page.locator("#maincontent").inner_text()
        check_page(page, axe_script, artifacts, "analyst-token-revoked")
        assert api.request.get(portal["url"] + "/api/v1/", headers=auth).status == 401
        assert page.errors == [], page.errors
    finally:
        api.close()
        context.close()


@pytest.fixture(scope="module")
def membership_secretary(browser, portal, django_db_blocker):
    """A secretary of the Warwickshire North Place Executive with a password (they sign in
    through the form), a browser window, and the board's seats put back as they were after.

    Module-scoped, like ``portal``, so that the user is committed (outside any test's
    transaction) and the server's thread can sign them in."""
    import secrets

    from django.apps import apps
    from django.contrib.sessions.models import Session
    from django.db import connections

    from governance.models import Membership, Person
    from governance.services import role_grant

    password = secrets.token_urlsafe(16)
    with django_db_blocker.unblock():
        user = role_grant(
            username="e2e-board-secretary", role="board_secretary", board_slugs=[SECRETARY_BOARD]
        ).user
        user.set_password(password)
        user.save(update_fields=["password"])
        seats = Membership.objects.filter(board__slug=SECRETARY_BOARD)
        before = {m["id"]: m for m in seats.values()}
    context = browser.new_context(viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        yield page, user.get_username(), password
    finally:
        context.close()
        with django_db_blocker.unblock():
            added = Membership.objects.filter(board__slug=SECRETARY_BOARD).exclude(pk__in=before)
            people = list(added.exclude(person=None).values_list("person_id", flat=True))
            Membership.history.filter(id__in=list(added.values_list("pk", flat=True))).delete()
            added.delete()
            for pk, values in before.items():
                Membership.objects.filter(pk=pk).update(**values)
            Membership.history.filter(id__in=list(before), history_user=user).delete()
            Person.history.filter(id__in=people).delete()
            Person.objects.filter(pk__in=people, created_by=user).delete()
            Session.objects.filter(
                session_key__in=[
                    s.session_key
                    for s in Session.objects.all()
                    if s.get_decoded().get("_auth_user_id") == str(user.pk)
                ]
            ).delete()
            if apps.is_installed("axes"):
                apps.get_model("axes", "AccessLog").objects.filter(
                    username=user.get_username()
                ).delete()
            user.delete()
            connections.close_all()


def test_a_secretary_keeps_a_board_right_and_sees_each_change_at_once(
    membership_secretary, portal, artifacts, axe_script
):
    """Sign in; add a member; change a seat loaded from the documents (no start date); end a
    seat; each change shows under "What changed" straight away. Every page passes axe."""
    page, username, password = membership_secretary
    board = portal["url"] + f"/boards/{SECRETARY_BOARD}/"

    page.goto(board)
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(board)
    check_page(page, axe_script, artifacts, "secretary-board")

    # Add a member.
    page.get_by_role("link", name="Add a member").click()
    page.wait_for_url("**/members/add/")
    check_page(page, axe_script, artifacts, "secretary-add")
    page.get_by_label("Or add a new person").fill("Dr Grace Example")
    page.get_by_label("Organisation represented").select_option(label="Warwickshire County Council")
    page.locator("#id_start_date_day").fill("1")
    page.locator("#id_start_date_month").fill("4")
    page.locator("#id_start_date_year").fill("2023")
    page.get_by_role("button", name="Add member").click()
    page.wait_for_url(board + "#members")
    assert "Added Dr Grace Example to the board." in page.locator(".portal-messages").inner_text()
    row = page.locator("#members-table tr", has_text="Dr Grace Example")
    assert f"Added by {username} on" in row.inner_text()

    # Change a seat loaded from the documents: its start date is not stated, and stays so.
    change = page.locator(
        "#members-table a", has_text="Change the Member seat for Warwickshire County Council"
    ).first
    hidden = change.inner_text()
    assert "(not named in the source)" in hidden
    change.click()
    page.wait_for_url("**/change/")
    assert "Not stated in the source" in page.locator("#id_start_date-hint").inner_text()
    check_page(page, axe_script, artifacts, "secretary-change")
    page.get_by_label("Title on the board (optional)").fill("Director of Public Health")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(board + "#members")
    assert "Saved the changes to the Member seat for Warwickshire County Council" in (
        page.locator(".portal-messages").inner_text()
    )

    # End a seat.
    end = page.locator("#members-table a", has_text="End the Member seat for").last
    ended_seat = " ".join(end.inner_text().split()).removeprefix("End ")
    end.click()
    page.wait_for_url("**/end/")
    check_page(page, axe_script, artifacts, "secretary-end")
    today = dt.date.today()
    page.locator("#id_end_date_day").fill(str(today.day))
    page.locator("#id_end_date_month").fill(str(today.month))
    page.locator("#id_end_date_year").fill(str(today.year))
    page.get_by_label("Resigned").check()
    page.get_by_role("button", name="End membership").click()
    page.wait_for_url(board + "#members")
    message = page.locator(".portal-messages").inner_text()
    assert f"Ended {ended_seat}." in message
    assert "vacant (Member)" not in message

    # What changed: by date recorded, the default, shows all three at once.
    page.get_by_role("link", name="What changed between two dates").click()
    page.wait_for_url("**/changes/")
    check_page(page, axe_script, artifacts, "secretary-changes")
    assert page.get_by_label("By date recorded").is_checked()
    tables = page.locator("table.nhsuk-table")
    added = tables.filter(has_text="Memberships recorded in these dates").inner_text()
    assert "Dr Grace Example" in added
    ended = tables.filter(has_text="whose end was recorded").inner_text()
    organisation = ended_seat.split(" seat for ", 1)[1].split(" (", 1)[0]
    assert organisation in ended and "Not named in the source" in ended
    other = tables.filter(has_text="Other changes to seats").inner_text()
    assert "Director of Public Health" in other and username in other


@pytest.fixture(scope="module")
def admin_page(signed_in):
    """A window signed in as an administrator, who records changes to the structure; the
    forms are only read and sent with errors here, so nothing is written."""
    with signed_in("e2e-structure-admin", "admin", viewport=WIDTHS["phone"]) as page:
        yield page


@pytest.mark.parametrize(
    "path",
    [
        "/structure/succession/?body=organisation",
        "/structure/succession/?body=board",
        "/structure/place-move/",
        "/structure/clusters/add/",
    ],
)
def test_an_admin_reads_the_structure_forms_and_their_errors(
    admin_page, portal, artifacts, axe_script, path
):
    """Each form of the changes to the structure, and its error summary when sent empty, pass
    axe at phone width."""
    page = admin_page
    name = path.strip("/").replace("/", "-").replace("?body=", "-")
    page.goto(portal["url"] + path)
    check_page(page, axe_script, artifacts, f"structure-form-{name}")
    page.get_by_role("button", name="Record the change").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error: ")
    check_page(page, axe_script, artifacts, f"structure-errors-{name}")
