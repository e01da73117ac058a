"""Every bad file of the corpus through the API: 400, 413 or 415 with the row and column (or a
message about the file), and nothing written."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.imports import ImportFailed, observations_import
from metrics.imports import safety as upload_safety
from metrics.models import ImportBatch, Observation, ObservationChange, ScopeRecompute, Series
from tests.factories import MetricFactory

UPLOADS = Path(__file__).resolve().parents[1] / "metrics" / "uploads"
GOOD = {"good.csv", "good.xlsx", "good_bom_crlf.csv"}
# The files refused as a whole for what they are or how far they expand; every other bad file
# is refused with 400 and its rows' errors.
STATUS = {
    "zip_bomb.xlsx": 413,
    "macro.xlsm": 415,
    "encrypted.xlsx": 415,
    "legacy.xls": 415,
    "renamed_image.csv": 415,
    "renamed_image.xlsx": 415,
    "zip_not_a_workbook.xlsx": 415,
}
BAD = sorted(p.name for p in UPLOADS.iterdir() if p.suffix != ".py" and p.name not in GOOD)


@pytest.fixture(autouse=True)
def monthly_metric(db):
    return MetricFactory(code="test-monthly-admissions", frequency="monthly", minimum=0)


def written() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Observation, ObservationChange, ImportBatch, Series, ScopeRecompute)
    }


def post_file(client, name: str, data: bytes):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post("/api/v1/observations/bulk/", {"file": upload}, format="multipart")


def test_the_corpus_has_every_kind_of_hostile_file():
    assert len(BAD) >= 40
    assert set(STATUS) <= set(BAD)


@pytest.mark.parametrize("name", BAD)
def test_each_bad_file_is_refused_through_the_api_and_nothing_is_written(name, analyst_api):
    before = written()
    response = post_file(analyst_api, name, (UPLOADS / name).read_bytes())
    assert response.status_code == STATUS.get(name, 400), response.content
    body = response.json()
    assert body["total"] >= 1 and body["errors"]
    for error in body["errors"]:
        assert set(error) == {"row", "column", "message"}
        assert error["message"]
        # A row-level error names its column too (a header error may be the row alone).
        assert error["row"] is None or error["column"] is not None or error["row"] >= 1
    assert written() == before


def test_an_oversized_file_is_refused_with_413_before_it_is_read(analyst_api, settings):
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    data = (b"metric,subject_type,subject,period,value\n" * (limit // 40 + 10))[: limit + 1]
    before = written()
    response = post_file(analyst_api, "big.csv", data)
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["row"] is None and "the largest upload accepted is 20.0 MB" in error["message"]
    assert written() == before


def test_a_json_body_over_the_limit_is_413_too(analyst_api, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    rows = [{"metric": "bcf-nea", "subject_type": "place", "subject": "rugby",
             "period": "2019/20", "value": i} for i in range(50)]  # fmt: skip
    response = analyst_api.post("/api/v1/observations/bulk/", rows, format="json")
    assert response.status_code == 413


def test_xlsx_is_parsed_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import iterparse

    assert DEFUSEDXML is True
    assert iterparse.__module__.startswith("defusedxml")


def test_without_defusedxml_workbooks_are_refused(monkeypatch, db):
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(upload_safety.UploadRefused, match="safe XML parser") as refused:
        observations_import(file=UPLOADS / "good.xlsx")
    assert refused.value.status_code == 415


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in entries.items():
            z.writestr(name, body)
    return buffer.getvalue()


def test_too_many_parts_is_refused_from_the_archive_directory(db, monkeypatch):
    entries = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    entries |= {f"xl/media/image{i}.png": b"" for i in range(upload_safety.MAX_XLSX_ENTRIES)}
    # Parsing must not even start.
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(upload_safety.UploadRefused, match="at most 500 are accepted") as refused:
        observations_import(file=io.BytesIO(zip_of(entries)), file_name="parts.xlsx")
    assert refused.value.status_code == 413


def test_the_expansion_limit_holds_without_a_high_ratio(db, monkeypatch):
    monkeypatch.setattr(upload_safety, "MAX_XLSX_UNCOMPRESSED", 1024 * 1024)
    noise = bytes(range(256)) * 8192  # 2 MB that barely compresses
    entries = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "x": noise}
    with pytest.raises(upload_safety.UploadRefused, match="would expand from"):
        observations_import(file=io.BytesIO(zip_of(entries)), file_name="big.xlsx")


@pytest.mark.parametrize(
    "note, fragment",
    [
        ("=1+1", "starts with '='"),
        ("  @SUM(A1)", "starts with '@'"),
        ("-2+3", "starts with '-'"),
        ("a\x00b", "a NUL byte"),
        ("n" * 1001, "1,001 characters"),
    ],
)
def test_notes_are_screened_on_every_path(note, fragment, db, tmp_path):
    row = {"metric": "bcf-nea", "subject_type": "place", "subject": "rugby", "period": "2019/20",
           "value": 10, "note": note}  # fmt: skip
    before = written()
    with pytest.raises(ImportFailed) as failed:
        observations_import(rows=[row])
    assert (failed.value.errors[0]["row"], failed.value.errors[0]["column"]) == (2, "note")
    assert fragment in failed.value.errors[0]["message"]
    if "\x00" not in note:
        # A clean-looking CSV takes the COPY path on PostgreSQL: it must refuse the same.
        path = tmp_path / "note.csv"
        path.write_text(
            "metric,subject_type,subject,period,value,note\n"
            f"bcf-nea,place,rugby,2019/20,10,{note}\n",
            encoding="utf-8",
        )
        with pytest.raises(ImportFailed) as failed:
            observations_import(file=path)
        assert (failed.value.errors[0]["row"], failed.value.errors[0]["column"]) == (2, "note")
    assert written() == before


def test_a_note_that_only_mentions_a_formula_sign_is_accepted(db):
    row = {"metric": "bcf-nea", "subject_type": "place", "subject": "rugby", "period": "2019/20",
           "value": 10, "note": "Target = plan; -5% on last year"}  # fmt: skip
    assert observations_import(rows=[row]).created == 1
