"""`load_cw_ics`: the counts, cited facts checked against the extraction, idempotency, conflicts."""

from pathlib import Path

import pytest
from django.core.management import call_command

from governance.models import Board, Membership, Organisation, Person
from metrics.models import HighImpactChange, Metric, Observation, Series, Target
from places.models import DataQualityFlag, Document, Fact, Place, Priority, System

pytestmark = pytest.mark.django_db

DOCUMENTS = Path(__file__).resolve().parents[2] / "places" / "fixtures" / "documents"

# Facts copied from the extraction (../shared/data/cw_ics.json) with the document and line it
# cites, and the words as printed where the extraction gives them.
# (lookup, field, expected value, (document, line), as written)
SAMPLE = [
    (
        "system",
        "name",
        "Coventry and Warwickshire Health and Care Partnership",
        ("doc_001", 14),
        None,
    ),
    ("fact:system-population", "value", 1000000, ("doc_001", 55), "one million"),
    ("fact:system-count-places", "value", 4, ("doc_001", 49), "Four Places"),
    (
        "fact:system-count-primary-care-networks",
        "value",
        18,
        ("doc_002", 378),
        "eighteen Primary Care Networks (PCNs)",
    ),
    ("fact:system-count-gp-practices", "value", 127, ("doc_002", 378), "127 GP practices"),
    (
        "fact:system-count-clinical-commissioning-groups",
        "value",
        3,
        ("doc_001", 10),
        "three Coventry and Warwickshire Clinical Commissioning Groups",
    ),
    (
        "fact:system-count-health-and-wellbeing-boards",
        "value",
        2,
        ("doc_001", 49),
        "Two Health and Wellbeing Boards",
    ),
    ("fact:system-count-outcomes", "value", 3, ("doc_001", 49), "Three Outcomes"),
    ("fact:place-rugby-population-0", "value", 103443, ("doc_000", 48), "103,443"),
    (
        "fact:place-south-warwickshire-population-0",
        "value",
        270000,
        ("doc_000", 107),
        "circa 270,000",
    ),
    ("fact:place-warwickshire-north-population-0", "value", 192278, ("doc_000", 145), "192,278"),
    ("priority:cov-prio-frailty", "title", "Frailty", ("doc_000", 42), None),
    (
        "priority:rug-prio-ucc-st-cross",
        "title",
        "Urgent care centre provision on St Cross Site",
        ("doc_000", 94),
        None,
    ),
    (
        "priority:sw-prio-services-around-pcns",
        "title",
        "Developing services around PCNs",
        ("doc_000", 131),
        None,
    ),
    ("priority:wn-prio-frailty", "title", "Frailty", ("doc_000", 190), None),
    (
        "organisation:org_crccg",
        "name",
        "Coventry and Rugby Clinical Commissioning Group",
        ("doc_000", 75),
        None,
    ),
    (
        "organisation:org_swccg",
        "name",
        "South Warwickshire Clinical Commissioning Group",
        ("doc_004", 294),
        None,
    ),
    (
        "organisation:org_uhcw",
        "name",
        "University Hospitals of Coventry and Warwickshire",
        ("doc_000", 76),
        None,
    ),
    ("organisation:org_geh", "name", "George Eliot Hospital NHS Trust", ("doc_000", 169), None),
    (
        "organisation:org_cwpt",
        "name",
        "Coventry and Warwickshire Partnership NHS Trust",
        ("doc_001", 214),
        None,
    ),
    ("observation:wf-headcount:UHCW", "value", 9013, ("doc_002", 506), "9013"),
    ("observation:wf-vacancy:UHCW", "value", 13.02, ("doc_002", 509), "13.02%"),
    ("observation:wf-headcount:GEH", "value", 2446, ("doc_002", 506), "2446"),
    ("observation:wf-vacancy:GEH", "value", 9.7, ("doc_002", 509), "9.7"),
    ("observation:wf-headcount:SWFT", "value", 4856, ("doc_002", 506), "4856"),
    ("observation:wf-vacancy:SWFT", "value", 5.8, ("doc_002", 509), "5.8%"),
    ("observation:wf-headcount:CWPT", "value", 3625, ("doc_002", 506), "3625"),
    ("observation:wf-vacancy:CWPT", "value", 13.4, ("doc_002", 509), "13.40%"),
    ("target:bcf-nea:2019/20", "value", 60067, ("doc_004", 7), "60,067"),
    ("target:bcf-dtoc:2019/20", "value", 44.4, ("doc_004", 17), "44.4"),
    ("target:bcf-residential-admissions:2019/20", "value", 606, ("doc_004", 27), "606"),
    ("target:bcf-reablement:2019/20", "value", 90, ("doc_004", 33), "90% in 2019/20"),
    ("target:bcf-reablement:2018/19", "value", 89, ("doc_004", 33), "89% in 2018/19"),
    ("observation:bcf-reablement:WCC", "value", 96.8, ("doc_004", 33), "96.8%"),
    ("hicm:1", "name", "Early discharge planning", ("doc_004", 63), None),
    ("hicm:4", "name", "Home first / (D2A) discharge to assess", ("doc_004", 66), None),
    ("hicm:7", "name", "Focus on choice", ("doc_004", 69), None),
    ("board:board_wnpe", "name", "Warwickshire North Place Executive", ("doc_000", 152), None),
    ("board:board_peg", "name", "Partnership Executive Group", ("doc_002", 531), None),
    (
        "board:board_coventry_place_executive",
        "name",
        "Coventry Place executive",
        ("doc_001", 246),
        None,
    ),
]


def resolve(lookup: str):
    kind, _, rest = lookup.partition(":")
    if kind == "system":
        return System.objects.get()
    if kind == "fact":
        return Fact.objects.get(key=rest)
    if kind == "priority":
        return Priority.objects.get(key=rest)
    if kind == "organisation":
        return Organisation.objects.get(key=rest)
    if kind == "board":
        return Board.objects.get(key=rest)
    if kind == "hicm":
        return HighImpactChange.objects.get(number=int(rest))
    code, subject = rest.split(":")
    if kind == "observation":
        return Observation.objects.get(
            series__metric__code=code, series__organisation__abbreviation=subject
        )
    # BCF targets are set for Warwickshire, recorded against the county council.
    return Target.objects.get(
        series__metric__code=code, period_label=subject, series__organisation__abbreviation="WCC"
    )


def cited_line(document_key: str, line: int) -> str:
    name = Document.objects.get(key=document_key).file_name
    return (DOCUMENTS / name).read_text(encoding="utf-8").splitlines()[line - 1]


def test_counts_loaded():
    system = System.objects.get()
    assert system.places.count() == 4
    assert set(Place.objects.values_list("slug", flat=True)) == {
        "coventry",
        "rugby",
        "south-warwickshire",
        "warwickshire-north",
    }
    assert Organisation.objects.count() == 44
    assert Board.objects.count() == 65
    assert Person.objects.count() == 8
    assert Priority.objects.count() == 21
    assert HighImpactChange.objects.count() == 8
    assert DataQualityFlag.objects.count() == 32
    assert set(Metric.objects.filter(category="bcf").values_list("code", flat=True)) == {
        "bcf-nea",
        "bcf-dtoc",
        "bcf-residential-admissions",
        "bcf-reablement",
    }
    # The workforce table: four providers × four measures.
    workforce = Observation.objects.filter(series__metric__category="workforce")
    assert workforce.count() == 16
    assert set(workforce.values_list("series__organisation__abbreviation", flat=True)) == {
        "UHCW",
        "GEH",
        "SWFT",
        "CWPT",
    }
    assert Fact.objects.get(key="system-count-gp-practices").value == 127


def test_headline_populations_of_places():
    populations = {
        f.place.slug: (f.value, f.qualifier)
        for f in Fact.objects.filter(is_headline=True, kind="population", place__isnull=False)
    }
    assert populations == {
        "rugby": (103443, ""),
        "warwickshire-north": (192278, ""),
        "south-warwickshire": (270000, "circa"),
    }


@pytest.mark.parametrize(("lookup", "field", "expected", "cited", "as_written"), SAMPLE)
def test_fact_matches_extraction_with_its_source(lookup, field, expected, cited, as_written):
    obj = resolve(lookup)
    assert getattr(obj, field) == expected
    assert (obj.source_document.key, obj.source_line) == cited
    if as_written:
        # The cited line of the document really prints the figure.
        assert as_written.split(" in ")[0].lower() in cited_line(*cited).lower()


def test_sample_is_large_enough():
    assert len(SAMPLE) >= 25


def test_every_citation_points_at_a_line_of_its_document():
    documents = {d.pk: d.line_count for d in Document.objects.all()}
    for model in (Fact, Priority, Organisation, Board, Membership, Target, Observation):
        for doc_id, line in model.objects.exclude(source_document=None).values_list(
            "source_document_id", "source_line"
        ):
            assert 1 <= line <= documents[doc_id], (model.__name__, doc_id, line)


def test_second_load_changes_nothing():
    models = (Fact, Priority, Organisation, Board, Membership, Person, Series, Target, Observation)
    before = {m.__name__: m.objects.count() for m in models}
    stamps = list(Membership.objects.order_by("pk").values_list("pk", "modified_at"))

    call_command("load_cw_ics", verbosity=0)

    assert {m.__name__: m.objects.count() for m in models} == before
    assert list(Membership.objects.order_by("pk").values_list("pk", "modified_at")) == stamps
    assert Membership.history.filter(history_type="~").count() == 0


def test_reload_keeps_a_secretarys_change_to_a_loaded_seat():
    seat = Membership.objects.filter(origin_key__isnull=False).first()
    seat.label = "Chief executive"
    seat.save(update_fields=["label"])

    call_command("load_cw_ics", verbosity=0)

    seat.refresh_from_db()
    assert seat.label == "Chief executive"


def test_conflicting_chair_statements_are_both_kept_with_sources():
    board = Board.objects.get(key="board_partnership_board")
    chair = board.statements.get(kind="chair")
    conflict = board.statements.get(kind="conflict")
    assert "rotational" in chair.text
    assert (chair.source_document.key, chair.source_line) == ("doc_002", 527)
    assert "independent chair" in conflict.text
    assert (conflict.source_document.key, conflict.source_line) == ("doc_004", 248)


def test_conflicting_life_expectancy_comparators_are_both_kept():
    flag = DataQualityFlag.objects.get(key="dq-national-life-expectancy")
    assert "82.5" in flag.issue and "83.1" in flag.issue
    national = [
        (fig["value"], f.source_document.key, f.source_line)
        for f in Fact.objects.exclude(figures=[])
        for fig in f.figures
        if "national" in fig.get("label", "") and fig.get("unit") == "years"
    ]
    assert (83.1, "doc_002", 193) in national
    assert any(doc == "doc_000" for _, doc, _ in national)


def test_seats_name_the_organisation_and_leave_the_person_empty():
    wnpe = Board.objects.get(slug="warwickshire-north-place-executive")
    seats = wnpe.memberships.all()
    assert {s.on_behalf_of.abbreviation or s.on_behalf_of.name for s in seats} >= {
        "CWPT",
        "WCC",
        "WNCCG",
        "GEH",
    }
    assert all(s.person is None and s.person_not_named for s in seats)
    cwpt = seats.get(on_behalf_of__abbreviation="CWPT")
    assert (cwpt.source_document.key, cwpt.source_line) == ("doc_000", 166)


def test_named_chair_and_stated_chair_organisation():
    stp = Board.objects.get(key="board_stp_board")
    chair = stp.memberships.get(role="chair")
    assert chair.person.name == "Prof Andrew Hardy"
    coventry = Board.objects.get(key="board_coventry_place_executive")
    assert coventry.memberships.get(role="chair").on_behalf_of.abbreviation == "CRCCG"
    assert coventry.memberships.get(role="vice_chair").on_behalf_of.name == "Coventry City Council"
