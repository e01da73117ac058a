"""The COPY path for CSV uploads on PostgreSQL gives exactly what the row-by-row path gives.

A clean file takes the COPY path; anything else falls back to the row-by-row path, whose
messages name the row and column. Hypothesis writes files out of awkward cells and checks that
the two paths agree on every one: the same rows written, or the same errors and nothing written.
"""

import io

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.imports import ImportFailed, observations_import
from metrics.imports import copy as import_copy
from metrics.imports import services as importers
from metrics.models import ImportBatch, Observation, ObservationChange, Series
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db

MONTHLY = "test-copy-monthly"
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def metrics_for_uploads(monkeypatch):
    """A monthly metric with limits and an annual one; recomputes are not run here."""
    monkeypatch.setattr(importers, "_recompute", lambda result: None)
    MetricFactory(code=MONTHLY, frequency="monthly", minimum=0, maximum=1000)
    MetricFactory(code="test-copy-annual", frequency="annual")


@pytest.fixture
def attempts(monkeypatch):
    """Each COPY attempt: True when it staged the file, False when it fell back."""
    seen = []
    real = import_copy.copy_stage

    def spy(*args, **kwargs):
        try:
            real(*args, **kwargs)
        except import_copy.NotClean:
            seen.append(False)
            raise
        seen.append(True)

    monkeypatch.setattr(import_copy, "copy_stage", spy)
    return seen


class _Undo(Exception):
    pass


def outcome(data: bytes, *, copy: bool, monkeypatch) -> tuple:
    """What importing ``data`` does, undone afterwards: the rows written, or the errors."""
    with monkeypatch.context() as patch:
        if not copy:
            patch.setattr(importers, "_copy_possible", lambda stream, file_name: False)
        try:
            with transaction.atomic():
                try:
                    result = observations_import(file=io.BytesIO(data), file_name="up.csv")
                except ImportFailed as exc:
                    return ("refused", tuple(map(tuple, (e.values() for e in exc.errors))))
                written = (
                    result.rows,
                    result.created,
                    result.updated,
                    result.unchanged,
                    result.series_created,
                    sorted(
                        Observation.objects.filter(batch=result.batch).values_list(
                            "series__metric__code",
                            "series__subject_type",
                            "series__place__slug",
                            "series__organisation__key",
                            "series__system__key",
                            "period_start",
                            "period_end",
                            "value",
                            "note",
                            "provenance",
                        ),
                        key=repr,
                    ),
                    sorted(
                        ObservationChange.objects.filter(batch=result.batch).values_list(
                            "series__metric__code",
                            "period_start",
                            "before_value",
                            "before_provenance",
                            "after_value",
                        ),
                        key=repr,
                    ),
                )
                raise _Undo
        except _Undo:
            return ("written", written)


def csv_bytes(*lines: str, header: str = "metric,subject_type,subject,period,value,note") -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


CLEAN = csv_bytes(
    f"{MONTHLY},place,coventry,2020-01,12, first month ",
    f"{MONTHLY.upper()},Place ,Rugby,2020-02,1e2,",
    f" {MONTHLY},system,coventry-and-warwickshire,2020-03, .5 ,",
    f"{MONTHLY},organisation,UHCW,2020-04,+7.,tab\tinside",
    "test-copy-annual,place,warwickshire-north,2019/20,-3.25,",
    "test-copy-annual,organisation,WCC,2020/21,4,back\\slash",
)


def test_a_clean_file_takes_the_copy_path_and_writes_what_the_row_path_writes(
    attempts, monkeypatch
):
    by_copy = outcome(CLEAN, copy=True, monkeypatch=monkeypatch)
    assert attempts == ([True] if POSTGRES else [])
    by_rows = outcome(CLEAN, copy=False, monkeypatch=monkeypatch)
    assert by_copy == by_rows
    assert by_copy[0] == "written"
    rows, created, updated, unchanged, series_created, observations, changes = by_copy[1]
    assert (rows, created, updated, unchanged) == (6, 6, 0, 0)
    assert series_created == 6
    notes = {o[8] for o in observations}
    assert notes == {"first month", "", "tab\tinside", "back\\slash"}
    # Every row is new: the observations say so; the change log records only changes.
    assert changes == []


@pytest.mark.skipif(not POSTGRES, reason="the COPY path is PostgreSQL's")
@pytest.mark.parametrize("cut", range(1, 40))
def test_crlf_lines_take_the_copy_path_wherever_the_reads_split_them(cut, attempts, monkeypatch):
    """Spreadsheets write CRLF; a read may end between the CR and the LF of a line."""
    data = CLEAN.replace(b"\n", b"\r\n")
    monkeypatch.setattr(import_copy, "_READ_SIZE", cut)
    by_copy = outcome(data, copy=True, monkeypatch=monkeypatch)
    assert attempts == [True]
    assert by_copy == outcome(CLEAN, copy=False, monkeypatch=monkeypatch)


@pytest.mark.skipif(not POSTGRES, reason="the COPY path is PostgreSQL's")
@pytest.mark.parametrize("cut", [1, 2, 3, 7, 1 << 20])
def test_a_lone_carriage_return_falls_back_wherever_it_is(cut, attempts, monkeypatch):
    monkeypatch.setattr(import_copy, "_READ_SIZE", cut)
    for data in (CLEAN.replace(b"\n", b"\r", 1), CLEAN[:-1] + b"\r"):
        outcome(data, copy=True, monkeypatch=monkeypatch)
    assert attempts == [False, False]


def test_updates_and_unchanged_rows_agree(attempts, monkeypatch):
    observations_import(file=io.BytesIO(CLEAN), file_name="first.csv")
    again = csv_bytes(
        f"{MONTHLY},place,coventry,2020-01,13,",
        f"{MONTHLY},place,rugby,2020-02,100,",
    )
    by_copy = outcome(again, copy=True, monkeypatch=monkeypatch)
    assert by_copy == outcome(again, copy=False, monkeypatch=monkeypatch)
    assert by_copy[1][1:4] == (0, 1, 1)
    assert attempts[-1:] == ([True] if POSTGRES else [])


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([f'{MONTHLY},place,coventry,2020-01,5,"a, quoted note"'], id="quotes"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,", "\\.", "x"], id="end-marker"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,", "", "x"], id="blank-line"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,\rnext"], id="lone-cr"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,caf\xe9"], id="latin-1"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,nul\x00"], id="nul"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,1e400,"], id="overflow"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,1e-400,"], id="underflow"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,1001,"], id="above-maximum"),
        pytest.param([f"{MONTHLY},place,coventry,2020/21,5,"], id="wrong-frequency"),
        pytest.param([f"{MONTHLY},place,nowhere,2020-01,5,"], id="unknown-subject"),
        pytest.param(
            [f"{MONTHLY},place,coventry,2020-01,5,", f"{MONTHLY},place,Coventry,2020-01,6,"],
            id="duplicate",
        ),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,\xa0"], id="unicode-space"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,,"], id="ragged"),
        pytest.param([",,,,,"], id="empty-cells"),
        pytest.param(["wf-headcount,organisation,UHCW,2019-08-31,9999,"], id="documented"),
    ],
)
def test_anything_not_clean_falls_back_and_agrees(lines, attempts, monkeypatch):
    text = "\n".join(("metric,subject_type,subject,period,value,note", *lines))
    data = text.encode("latin-1" if "caf\xe9" in text else "utf-8")
    by_copy = outcome(data, copy=True, monkeypatch=monkeypatch)
    assert by_copy == outcome(data, copy=False, monkeypatch=monkeypatch)
    assert attempts == ([False] if POSTGRES else [])


FIVE = "metric,subject_type,subject,period,value"


@pytest.mark.parametrize(
    ("lines", "clean"),
    [
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5"], True, id="clean"),
        pytest.param(
            [f"{MONTHLY},place,coventry,2020-01,5", f"{MONTHLY},Place,Coventry,2020-02,6"],
            True,
            id="two-spellings",
        ),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,5,x"], False, id="six-cells"),
        pytest.param([f"{MONTHLY},coventry,2020-01,5"], False, id="four-cells"),
        pytest.param([f"{MONTHLY},place,coventry,x,2020-01,5"], False, id="comma-in-subject"),
        pytest.param(["5"], False, id="one-cell"),
        pytest.param([f"{MONTHLY},place,coventry,2020-01,1001"], False, id="above-maximum"),
        pytest.param(
            [f"{MONTHLY},place,coventry,2020-01,5", f"{MONTHLY},place,coventry,2020-01,6"],
            False,
            id="duplicate",
        ),
    ],
)
def test_the_template_columns_in_order_agree_with_the_row_path(lines, clean, attempts, monkeypatch):
    """A file of exactly the template's five columns, in its order, is read by a path of its
    own: it agrees with the row-by-row path, and takes it for anything not clean."""
    data = csv_bytes(*lines, header=FIVE)
    by_copy = outcome(data, copy=True, monkeypatch=monkeypatch)
    assert by_copy == outcome(data, copy=False, monkeypatch=monkeypatch)
    assert by_copy[0] == ("written" if clean else "refused")
    assert attempts == ([clean] if POSTGRES else [])


def test_a_fall_back_leaves_no_trace_of_the_copy_attempt(monkeypatch):
    before = (Observation.objects.count(), ImportBatch.objects.count(), Series.objects.count())
    data = csv_bytes(f"{MONTHLY},place,coventry,2020-01,5,", f"{MONTHLY},place,rugby,2020-01,x,")
    with pytest.raises(ImportFailed) as failed:
        observations_import(file=io.BytesIO(data), file_name="bad.csv")
    assert failed.value.errors == [{"row": 3, "column": "value", "message": "'x' is not a number"}]
    assert (
        Observation.objects.count(),
        ImportBatch.objects.count(),
        Series.objects.count(),
    ) == before
    # The savepoint took the COPY path's temporary tables with it: the next import works.
    result = observations_import(file=io.BytesIO(CLEAN), file_name="good.csv")
    assert result.created == 6


def test_only_csv_on_postgresql_is_offered_the_copy_path():
    offered = importers._copy_possible
    assert offered(io.BytesIO(CLEAN), "up.csv") is POSTGRES
    assert offered(io.BytesIO(b"PK\x03\x04rest"), "up.csv") is False
    assert offered(io.BytesIO(CLEAN), "up.xlsx") is False
    assert offered(io.BytesIO(b"\xff\xfem\x00"), "up.csv") is False
    assert offered(io.BytesIO(b""), "up.csv") is False


CELLS = {
    "metric": [MONTHLY, MONTHLY.upper(), f" {MONTHLY} ", "test-copy-annual", "nope", ""],
    "subject_type": ["place", "Place", " place", "organisation", "system", "trust", ""],
    "subject": ["coventry", "RUGBY", " rugby ", "UHCW", "OoH", "coventry-and-warwickshire", "x"],
    "period": ["2020-01", "2020-02", " 2020-03 ", "2019/20", "2020-13", "2020-01-31", "x"],
    "value": [
        *("1", " 2.5 ", "1e3", ".5", "5.", "+3", "-1", "1.e2", "2000", ""),
        *("abc", "1,5", "nan", "Infinity", "1_0", "0x10", "1-2", "1e400", "--1", "e5"),
    ],
    "note": ["", " padded ", "x", "\t", "back\\slash", "a;b"],
}


@st.composite
def uploads(draw) -> bytes:
    # With a note, or the template's five columns in its order (read by a path of its own).
    columns = list(CELLS) if draw(st.booleans()) else list(CELLS)[:5]
    rows = draw(
        st.lists(
            st.tuples(*(st.sampled_from(CELLS[column]) for column in columns)),
            min_size=1,
            max_size=8,
        )
    )
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(columns)] + [",".join(row) for row in rows]
    return (ending.join(lines) + draw(st.sampled_from(["", ending]))).encode()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=uploads())
def test_both_paths_agree_on_generated_uploads(data, monkeypatch):
    assert outcome(data, copy=True, monkeypatch=monkeypatch) == outcome(
        data, copy=False, monkeypatch=monkeypatch
    )
