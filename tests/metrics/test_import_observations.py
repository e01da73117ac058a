"""Observation imports (issue §3): good uploads, idempotency, updates and a corpus of bad files."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from metrics.imports import (
    MAX_ERRORS,
    ImportFailed,
    observations_import,
    period_parse,
    staging,
    validation,
)
from metrics.imports import services as importers
from metrics.models import ImportBatch, Observation, ObservationChange, Series
from places.models import Document
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db

UPLOADS = Path(__file__).resolve().parent / "uploads"
HEADER = "metric,subject_type,subject,period,value,note\n"
MONTHLY = "test-monthly-admissions"

# Each bad file in the corpus -> the error it must produce: (row, column, part of the message).
# Rows are spreadsheet rows: the header is row 1, the first data row is row 2; None is the file.
EXPECTED_ERRORS = {
    "empty.csv": (None, None, "The file is empty"),
    "header_only.csv": (None, None, "no data rows"),
    "first_row_empty.csv": (1, None, "the header must be the first row"),
    "missing_column.csv": (1, "value", "the column 'value' is missing"),
    "unknown_column.csv": (1, "unit", "unknown column 'unit'"),
    "duplicate_column.csv": (1, "period", "appears twice (columns D and F)"),
    "semicolons.csv": (1, None, "separated by semicolons"),
    "latin1.csv": (3, "note", "not UTF-8 (byte 0xE9 in 'Café figures')"),
    "utf16_no_bom.csv": (None, None, "UTF-16 without a byte-order mark"),
    "utf16_bom.csv": (None, None, "The file is UTF-16"),
    "ragged_short.csv": (3, "value", "the row has 4 cells but the header has 5"),
    "ragged_long.csv": (2, None, "the row has 6 cells but the header has 5"),
    "non_numeric.csv": (2, "value", "'twelve thousand' is not a number"),
    "percent_sign.csv": (2, "value", "leave out the % sign"),
    "empty_value.csv": (2, "value", "the value is empty"),
    "nan.csv": (2, "value", "'NaN' is not a finite number"),
    "inf.csv": (3, "value", "'inf' is not a finite number"),
    "out_of_range.csv": (2, "value", "120 is above the maximum 100 for bcf-reablement"),
    "below_minimum.csv": (2, "value", "-5 is below the minimum 0 for wf-headcount"),
    "unknown_metric.csv": (2, "metric", "unknown metric 'bcf-neaa' (did you mean 'bcf-nea'?)"),
    "unknown_subject.csv": (2, "subject", "no Place 'leamington'"),
    "wrong_subject_type.csv": (2, "subject_type", "'trust' is not a subject type"),
    "subject_of_other_type.csv": (2, "subject", "'UHCW' is an organisation"),
    "ambiguous_subject.csv": (2, "subject", "'OoH' names 2 organisations"),
    "bad_period.csv": (2, "period", "'2019-13' is not a month"),
    "future_period.csv": (2, "period", "'2199-01' is in the future"),
    "bad_financial_year.csv": (2, "period", "write 2019/20 for April 2019 to March 2020"),
    "period_not_annual.csv": (2, "period", "bcf-nea is an annual metric"),
    "period_not_point_in_time.csv": (2, "period", "wf-headcount is measured at a point in time"),
    "period_not_monthly.csv": (2, "period", f"{MONTHLY} is a monthly metric"),
    "duplicate_series_period.csv": (4, "period", "the same metric, subject and period as row 2"),
    "documented_overwrite.csv": (
        2,
        "value",
        "9999 would replace 9013, which is documented in 5-year plan, line 506; not replaced",
    ),
    "not_a_zip.xlsx": (None, None, "is not an Excel workbook (it is not a zip archive)"),
    "legacy.xls": (None, None, "old-style Excel workbook (.xls)"),
    "bad_cell.xlsx": (3, "value", "'n/a' is not a number"),
    "error_cell.xlsx": (2, "value", "'#DIV/0!' is not a number (a spreadsheet error)"),
    "date_for_month.xlsx": (2, "period", "format the cells as text"),
    "missing_column.xlsx": (1, "value", "the column 'value' is missing"),
    # Hostile files (made by make_corpus.py): refused before parsing, or cell by cell.
    "macro.xlsm": (None, None, "The workbook contains macros"),
    "encrypted.xlsx": (None, None, "The workbook is password-protected (encrypted)"),
    "zip_bomb.xlsx": (None, None, "is it a zip bomb?"),
    "xml_entities.xlsx": (None, None, "declares entities or a document type"),
    "zip_not_a_workbook.xlsx": (None, None, "a zip archive but not an Excel workbook"),
    "renamed_image.csv": (None, None, "The file is a PNG image (it is named 'renamed_image.csv')"),
    "renamed_image.xlsx": (None, None, "The file is a PNG image"),
    "nul_byte.csv": (None, None, "The file contains NUL bytes"),
    "control_character.csv": (2, "note", "the cell contains a control character (0x07)"),
    "long_cell.csv": (2, "note", "the cell has 10,000 characters; at most 1,000"),
    "long_cell.xlsx": (2, "subject", "the cell has 10,000 characters; at most 200"),
    "formula_note.csv": (2, "note", "the note starts with '=', so a spreadsheet would run it"),
    "formula_note.xlsx": (2, "note", "the note starts with '+'"),
    "formula_subject.csv": (2, "subject", "no Place \"@SUM(1+1)*cmd|' /C calc'!A0\""),
}
GOOD_FILES = {"good.csv", "good.xlsx", "good_bom_crlf.csv", "make_xlsx.py", "make_corpus.py"}


@pytest.fixture(autouse=True)
def monthly_metric():
    """A monthly metric: the fixture's metrics are annual or point in time."""
    return MetricFactory(code=MONTHLY, frequency="monthly", minimum=0)


@pytest.fixture(autouse=True)
def recomputed(monkeypatch):
    """Each call of recompute_after_commit, as the sorted series ids (the real one enqueues)."""
    calls = []
    monkeypatch.setattr(
        importers,
        "recompute_after_commit",
        lambda *, series_ids: calls.append(sorted(series_ids)),
    )
    return calls


@pytest.fixture(params=["default", "row-by-row", "generic"])
def writer(request, monkeypatch):
    """Run with the backend's paths, row by row, and with the portable writer: results agree.

    "default" takes the COPY path for clean CSV files on PostgreSQL; "row-by-row" reads every
    file with the row-by-row validator; "generic" also writes with portable SQL.
    """
    if request.param != "default":
        monkeypatch.setattr(importers, "_copy_possible", lambda stream, file_name: False)
    if request.param == "generic":
        monkeypatch.setattr(importers, "staging_writer", staging.GenericWriter)
    return request.param


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Observation, ObservationChange, ImportBatch, Series)
    }


def observation(code: str, start: str, **subject) -> Observation:
    return Observation.objects.select_related("batch").get(
        series__metric__code=code, period_start=dt.date.fromisoformat(start), **subject
    )


def upload(tmp_path: Path, text: str, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# Good files


@pytest.mark.parametrize("name", ["good.csv", "good.xlsx"])
def test_good_file_creates_observations(name, recomputed, writer):
    before = counts()
    result = observations_import(file=UPLOADS / name)

    assert (result.rows, result.created, result.updated, result.unchanged) == (7, 7, 0, 0)
    batch = result.batch
    assert (batch.file_name, batch.rows, batch.created, batch.updated, batch.unchanged) == (
        name,
        7,
        7,
        0,
        0,
    )
    assert batch.uploaded_by is None
    # bcf-nea for Coventry and the monthly metric's two series are new.
    assert result.series_created == 3
    after = counts()
    assert after["Observation"] - before["Observation"] == 7
    # A created observation is its own record (its batch says who and when): no change rows.
    assert after["ObservationChange"] == before["ObservationChange"]
    assert after["Series"] - before["Series"] == 3
    assert after["ImportBatch"] - before["ImportBatch"] == 1

    annual = observation("bcf-nea", "2019-04-01", series__place__slug="coventry")
    assert (annual.period_end, annual.value, annual.note) == (
        dt.date(2020, 3, 31),
        12034,
        "Provisional outturn",
    )
    assert (annual.provenance, annual.batch) == ("upload", batch)
    by_key = observation("bcf-reablement", "2019-04-01", series__organisation__key="org_wcc")
    assert by_key.value == 91.2
    point = observation("wf-headcount", "2020-03-31", series__organisation__key="org_uhcw")
    assert (point.period_end, point.value, point.note) == (
        dt.date(2020, 3, 31),
        9120,
        "Month-end extract, ESR",
    )
    # Abbreviations match whatever their case.
    assert (
        observation("wf-sickness", "2020-03-31", series__organisation__key="org_geh").value == 4.1
    )
    system = observation(MONTHLY, "2020-01-01", series__system__slug="coventry-and-warwickshire")
    assert (system.period_end, system.value, system.note) == (dt.date(2020, 1, 31), 1532, "")
    leap = observation(MONTHLY, "2020-02-01", series__place__slug="rugby")
    assert leap.period_end == dt.date(2020, 2, 29)

    assert not ObservationChange.objects.filter(batch=batch).exists()
    assert Observation.objects.filter(batch=batch).count() == 7
    assert recomputed == [sorted(result.series_ids)]
    assert len(result.series_ids) == 7


def test_csv_then_the_same_data_as_xlsx_changes_nothing(recomputed):
    observations_import(file=UPLOADS / "good.csv")
    result = observations_import(file=UPLOADS / "good.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 7)


def test_bom_crlf_blank_lines_header_case_and_non_ascii_note():
    result = observations_import(file=UPLOADS / "good_bom_crlf.csv")
    assert (result.rows, result.created) == (2, 2)
    first = observation(MONTHLY, "2020-01-01", series__place__slug="south-warwickshire")
    assert first.note == "Café — one, two"
    assert (
        observation(MONTHLY, "2020-02-01", series__place__slug="south-warwickshire").value == 295.5
    )


def test_an_uploaded_file_object_and_a_stream_that_cannot_seek():
    data = (UPLOADS / "good.csv").read_bytes()
    result = observations_import(
        file=SimpleUploadedFile("from-form.csv", data), file_name="from-form.csv"
    )
    assert (result.created, result.batch.file_name) == (7, "from-form.csv")

    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self.inner.readinto(buffer)

    again = observations_import(file=Pipe((UPLOADS / "good.xlsx").read_bytes()), file_name="x")
    assert (again.created, again.unchanged) == (0, 7)


def test_rows_from_the_api_take_the_same_path():
    rows = [
        {"metric": "bcf-nea", "subject_type": "place", "subject": "rugby", "period": "2019/20",
         "value": 4100},
        {"metric": MONTHLY, "subject_type": "place", "subject": "rugby", "period": "2020-03",
         "value": "12.5", "note": "from the API"},
    ]  # fmt: skip
    result = observations_import(rows=rows, file_name="api")
    assert (result.rows, result.created, result.batch.file_name) == (2, 2, "api")
    assert observation(MONTHLY, "2020-03-01", series__place__slug="rugby").note == "from the API"

    with pytest.raises(ImportFailed) as failed:
        observations_import(
            rows=[rows[0], {**rows[1], "value": None, "units": "%"}, "not a row"], file_name="api"
        )
    assert [(e["row"], e["column"]) for e in failed.value.errors] == [
        (3, "units"),
        (4, None),
    ]
    with pytest.raises(ImportFailed, match="There are no rows"):
        observations_import(rows=[])


def test_give_a_file_or_rows():
    with pytest.raises(TypeError):
        observations_import(file_name="nothing.csv")
    with pytest.raises(TypeError):
        observations_import(file=UPLOADS / "good.csv", rows=[])


def test_the_real_recompute_is_asked_to_run_after_the_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.undo()
    with django_capture_on_commit_callbacks() as callbacks:
        observations_import(file=UPLOADS / "good.csv")
    assert callbacks


def test_a_failure_while_streaming_is_raised_as_itself_and_writes_nothing(monkeypatch):
    stage = validation.Validator.stage

    def failing(self, raw):
        if raw.row == 3:
            raise RuntimeError("a bug")
        return stage(self, raw)

    monkeypatch.setattr(validation.Validator, "stage", failing)
    before = counts()
    with pytest.raises(RuntimeError, match="a bug"):
        observations_import(file=UPLOADS / "good.csv")
    assert counts() == before


# Idempotency and updates


def test_the_same_file_twice_changes_nothing_the_second_time(recomputed):
    first = observations_import(file=UPLOADS / "good.csv")
    stamps = dict(Observation.objects.values_list("id", "modified_at"))
    before = counts()

    second = observations_import(file=UPLOADS / "good.csv")

    assert (second.rows, second.created, second.updated, second.unchanged) == (7, 0, 0, 7)
    assert (second.batch.created, second.batch.updated, second.batch.unchanged) == (0, 0, 7)
    assert second.series_created == 0 and second.series_ids == ()
    after = counts()
    assert after["ObservationChange"] == before["ObservationChange"]
    assert after["Observation"] == before["Observation"]
    assert after["ImportBatch"] == before["ImportBatch"] + 1
    # Unchanged rows were not rewritten: same batch, same modification time.
    assert dict(Observation.objects.values_list("id", "modified_at")) == stamps
    assert set(Observation.objects.filter(provenance="upload").values_list("batch", flat=True)) == {
        first.batch.pk
    }
    assert len(recomputed) == 1


def test_changed_values_update_and_record_before_and_after(tmp_path, recomputed, writer):
    first = observations_import(file=UPLOADS / "good.csv")
    changed = (UPLOADS / "good.csv").read_text().replace(",12034,", ",12100,")
    changed = changed.replace(",9120,", ",9125,").replace(",4.1,", ",4.1,now with a note")
    result = observations_import(file=upload(tmp_path, changed))

    assert (result.created, result.updated, result.unchanged) == (0, 3, 4)
    annual = observation("bcf-nea", "2019-04-01", series__place__slug="coventry")
    assert (annual.value, annual.batch, annual.provenance) == (12100, result.batch, "upload")
    untouched = observation(MONTHLY, "2020-02-01", series__place__slug="rugby")
    assert untouched.batch == first.batch
    noted = observation("wf-sickness", "2020-03-31", series__organisation__key="org_geh")
    assert (noted.value, noted.note) == (4.1, "now with a note")

    changes = {
        (c.series.metric.code, c.before_value, c.before_provenance, c.after_value)
        for c in ObservationChange.objects.filter(batch=result.batch).select_related(
            "series__metric"
        )
    }
    assert changes == {
        ("bcf-nea", 12034, "upload", 12100),
        ("wf-headcount", 9120, "upload", 9125),
        ("wf-sickness", 4.1, "upload", 4.1),
    }
    headcount = observation("wf-headcount", "2020-03-31", series__organisation__key="org_uhcw")
    assert recomputed[-1] == sorted({annual.series_id, noted.series_id, headcount.series_id})


def test_synthetic_values_are_replaced_documented_equal_values_are_left(tmp_path, writer):
    series = Series.objects.get(metric__code="wf-headcount", organisation__key="org_swft")
    Observation.objects.create(
        series=series,
        period_start=dt.date(2020, 3, 31),
        period_end=dt.date(2020, 3, 31),
        value=5000,
        provenance="synthetic",
        note="illustrative",
    )
    Observation.objects.create(
        series=series,
        period_start=dt.date(2020, 4, 30),
        period_end=dt.date(2020, 4, 30),
        value=5010,
        provenance="synthetic",
    )
    documented = observation("wf-headcount", "2019-08-31", series__organisation__key="org_uhcw")
    text = (
        HEADER + "wf-headcount,organisation,SWFT,2020-03-31,4990,\n"
        "wf-headcount,organisation,SWFT,2020-04-30,5010,\n"
        # The documented value, as documented: nothing to replace.
        "wf-headcount,organisation,UHCW,2019-08-31,9013,a note\n"
    )
    result = observations_import(file=upload(tmp_path, text))

    # A synthetic value confirmed by an upload becomes an uploaded one.
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    replaced = observation("wf-headcount", "2020-03-31", series__organisation__key="org_swft")
    assert (replaced.value, replaced.provenance, replaced.note) == (4990, "upload", "")
    change = ObservationChange.objects.get(batch=result.batch, period_start=dt.date(2020, 3, 31))
    assert (change.before_value, change.before_provenance, change.after_value) == (
        5000,
        "synthetic",
        4990,
    )
    documented.refresh_from_db()
    assert (documented.provenance, documented.note, documented.batch) == ("document", "", None)


def test_more_rows_than_a_staging_batch(tmp_path, writer):
    places = ["coventry", "rugby", "south-warwickshire", "warwickshire-north"]
    months = [f"{1900 + k // 12}-{k % 12 + 1:02d}" for k in range(1400)]
    lines = [f"{MONTHLY},place,{p},{m},{i}\n" for p in places for i, m in enumerate(months)]
    path = upload(tmp_path, HEADER.replace(",note", "") + "".join(lines))
    result = observations_import(file=path)
    assert (result.rows, result.created, result.series_created) == (5600, 5600, 4)

    path.write_text(path.read_text().replace("\n", "5\n").replace("value5\n", "value\n"))
    again = observations_import(file=path)
    assert (again.created, again.updated, again.unchanged) == (0, 5600, 0)
    assert ObservationChange.objects.filter(batch=again.batch).count() == 5600
    last = observation(MONTHLY, "2016-08-01", series__place__slug="rugby")
    assert (last.value, last.period_end) == (13995, dt.date(2016, 8, 31))


def test_a_period_that_has_begun_is_accepted_a_future_one_refused(tmp_path):
    today = dt.date.today()
    this_month = f"{today:%Y-%m}"
    nxt = today.replace(day=28) + dt.timedelta(days=4)
    next_month = f"{nxt:%Y-%m}"
    path = upload(tmp_path, HEADER + f"{MONTHLY},place,rugby,{this_month},5,\n")
    assert observations_import(file=path).created == 1
    before = counts()
    path = upload(tmp_path, HEADER + f"{MONTHLY},place,rugby,{next_month},5,\n")
    with pytest.raises(ImportFailed) as failed:
        observations_import(file=path)
    assert failed.value.errors == [
        {
            "row": 2,
            "column": "period",
            "message": f"'{next_month}' is in the future: observations are for periods that "
            "have begun",
        }
    ]
    assert counts() == before


# Bad files


def test_the_corpus_is_all_covered():
    assert {p.name for p in UPLOADS.iterdir()} == set(EXPECTED_ERRORS) | GOOD_FILES
    assert len(EXPECTED_ERRORS) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_bad_file_is_refused_whole(name, recomputed):
    row, column, fragment = EXPECTED_ERRORS[name]
    before = counts()

    with pytest.raises(ImportFailed) as failed:
        observations_import(file=UPLOADS / name)

    errors = failed.value.errors
    assert any(
        e["row"] == row and e["column"] == column and fragment in e["message"] for e in errors
    ), errors
    assert all(set(e) == {"row", "column", "message"} for e in errors)
    assert counts() == before
    assert recomputed == []


def test_every_error_is_reported_with_its_row_and_column(tmp_path):
    text = HEADER + (
        "bcf-nea,place,coventry,2019/20,12034,\n"
        "nope,place,nowhere,2019-99,x,\n"
        "bcf-nea,place,coventry,2019/20,12034,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        observations_import(file=upload(tmp_path, text))
    assert [(e["row"], e["column"]) for e in failed.value.errors] == [
        (3, "metric"),
        (3, "subject"),
        (3, "period"),
        (3, "value"),
        (4, "period"),
    ]
    assert failed.value.total == 5
    assert isinstance(failed.value, ValidationError)
    assert "Row 3, column metric: unknown metric 'nope'" in failed.value.messages


def test_errors_are_capped_and_counted(tmp_path):
    text = HEADER + "".join(f"bcf-nea,place,coventry,2019/20,bad{i},\n" for i in range(150))
    with pytest.raises(ImportFailed) as failed:
        observations_import(file=upload(tmp_path, text))
    assert len(failed.value.errors) == MAX_ERRORS
    assert failed.value.total == 150
    assert failed.value.errors[-1]["row"] == MAX_ERRORS + 1
    assert failed.value.messages[-1] == "… and 50 more errors."


def test_duplicates_and_documented_values_are_counted_beyond_the_cap(tmp_path):
    rows = [f"{MONTHLY},place,rugby,2020-01,{i},\n" for i in range(MAX_ERRORS + 20)]
    with pytest.raises(ImportFailed) as failed:
        observations_import(file=upload(tmp_path, HEADER + "".join(rows)))
    assert failed.value.total == MAX_ERRORS + 19
    assert len(failed.value.errors) == MAX_ERRORS


def test_documented_value_without_a_line_names_the_document(tmp_path):
    documented = observation("wf-headcount", "2019-08-31", series__organisation__key="org_geh")
    documented.source_line = None
    documented.save()
    text = HEADER + "wf-headcount,organisation,GEH,2019-08-31,1,\n"
    with pytest.raises(ImportFailed) as failed:
        observations_import(file=upload(tmp_path, text))
    title = Document.objects.get(pk=documented.source_document_id).short_title
    assert failed.value.errors[0]["message"].endswith(f"documented in {title}; not replaced")


# Periods


@given(st.integers(1900, 2199), st.integers(1, 12))
def test_a_month_runs_from_its_first_to_its_last_day(year, month):
    period = period_parse(f"{year}-{month:02d}")
    assert period.start == dt.date(year, month, 1)
    assert (period.end + dt.timedelta(days=1)).day == 1
    assert period.end.month == month


@given(st.integers(1900, 2198))
def test_a_financial_year_runs_from_april_to_march(year):
    period = period_parse(f"{year}/{(year + 1) % 100:02d}")
    assert (period.frequency, period.start, period.end) == (
        "annual",
        dt.date(year, 4, 1),
        dt.date(year + 1, 3, 31),
    )


# The management command


def test_command_prints_the_counts(capsys):
    user = get_user_model().objects.create_user("analyst-import")
    call_command("import_observations", str(UPLOADS / "good.csv"), "--user", "analyst-import")
    out = capsys.readouterr().out
    assert "good.csv: 7 rows; 7 created, 0 updated, 0 unchanged" in out
    assert ImportBatch.objects.get().uploaded_by == user

    call_command("import_observations", str(UPLOADS / "good.csv"))
    assert "0 created, 0 updated, 7 unchanged" in capsys.readouterr().out


def test_command_fails_with_the_rows_and_columns(capsys):
    with pytest.raises(CommandError) as failed:
        call_command("import_observations", str(UPLOADS / "duplicate_series_period.csv"))
    assert "nothing was imported" in str(failed.value)
    assert "Row 4, column period: the same metric, subject and period as row 2" in str(failed.value)
    assert failed.value.returncode == 1
    assert ImportBatch.objects.count() == 0

    from metrics.management.commands.import_observations import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(
            ["manage.py", "import_observations", str(UPLOADS / "out_of_range.csv")]
        )
    assert exited.value.code == 1
    assert "Row 2, column value: 120 is above the maximum 100" in capsys.readouterr().err


def test_command_refuses_an_unknown_user_or_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("import_observations", str(UPLOADS / "good.csv"), "--user", "nobody")
    with pytest.raises(CommandError, match="missing.csv"):
        call_command("import_observations", str(tmp_path / "missing.csv"))
    assert ImportBatch.objects.count() == 0
