"""Hostile uploads are refused within their budget of time and memory, measured.

Each file is built here. The imports run in a subprocess (on the test database) with a small
budget, scaled down from the settings' so that the files stay small; the subprocess reports
its own peak RSS for each and how long the import took before it was refused.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from metrics.imports import BudgetExceeded
from metrics.imports.budget import Budget, current_rss
from metrics.imports.errors import ErrorCollector
from metrics.imports.readers import MAX_HEADER_COLUMNS, header_layout

# The marker makes pytest-django create the test database; the module's fixture runs the
# imports before any test's transaction is opened.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HEADER = b"metric,subject_type,subject,period,value\n"
MB = 1024 * 1024
# One subprocess imports each file under its budget and reports the refusal and the cost: its
# peak RSS (VmHWM, reset before each file through /proc/self/clear_refs; ru_maxrss would count
# the parent's at fork) and the seconds until the refusal.
RUNNER = """
import json, sys, time
import django
django.setup()
from metrics.imports import Budget, ImportFailed, observations_import
def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
found = {}
for name, path, seconds, memory, max_line in json.load(sys.stdin):
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = peak_kb()
    budget = Budget(seconds=seconds, memory=memory, max_line=max_line)
    start = time.monotonic()
    try:
        observations_import(file=path, budget=budget)
        errors, status = [], 201
    except ImportFailed as exc:
        errors, status = exc.errors, getattr(exc, "status_code", 400)
    elapsed = time.monotonic() - start
    peak = peak_kb()
    found[name] = {"errors": errors, "status": status, "seconds": elapsed,
                   "peak_mb": peak / 1024, "grown_mb": (peak - before) / 1024}
print(json.dumps(found))
"""


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def hostile_files(folder: Path) -> list:
    """(name, path, seconds, memory, max_line) of each hostile file, built here."""
    files = []
    small = {"seconds": 10.0, "memory": 8 * MB, "max_line": 16 * 1024}

    def add(name, data: bytes, **budget):
        path = folder / name
        path.write_bytes(data)
        limits = {**small, **budget}
        files.append([name, str(path), limits["seconds"], limits["memory"], limits["max_line"]])

    # 120,000 distinct strings of 60 characters: a 9 MB part, about 2 MB compressed, that
    # openpyxl would hold as some 20 MB of Python strings; the budget here is 8 MB.
    strings = [f"{i:08d} shared string text, repeated to fill {i:015d}" for i in range(120_000)]
    add("strings.xlsx", workbook(strings))
    # Two million names on one line (the audit's was 2.2 million): 16 MB, refused at line 1.
    add("header.csv", b",".join(b"c%d" % i for i in range(2_000_000)) + b"\n" + b"a,b\n")
    good = b"m,place,p,2020-01,1\n"
    add("giant.csv", HEADER + good * 3 + b"m,place,p,2020-01," + b"9" * (20 * MB) + b"\n")
    # 300,000 rows of an unknown metric: each is read and checked, and none is good.
    add("slow.csv", HEADER + b"no-such-metric,place,nowhere,2020-01,1\n" * 300_000, seconds=0.5)
    return files


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    """Each hostile file imported in the subprocess, on the test database (committed: no test
    transaction is open, which on SQLite would hold the write lock the import needs)."""
    folder = tmp_path_factory.mktemp("hostile")
    files = hostile_files(folder)
    with django_db_blocker.unblock():
        url = database_url()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "icsportal.test_settings", "DATABASE_URL": url}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RUNNER],
        input=json.dumps(files).encode(),
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def workbook(shared_strings: list[str]) -> bytes:
    """A minimal XLSX: one sheet whose cells point at the shared strings."""
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared_strings)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" '
            f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">{strings}</sst>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def assert_cheap(found: dict, *, seconds: float) -> None:
    """Refused within the time budget, the process never near the 300 MB ceiling."""
    assert found["seconds"] < seconds
    assert found["peak_mb"] < 300


def test_a_workbook_whose_shared_strings_expand_beyond_the_budget_is_refused(measured):
    found = measured["strings.xlsx"]
    assert found["status"] == 413
    [error] = found["errors"]
    assert "more than 8 MB of memory" in error["message"]
    assert_cheap(found, seconds=10)


def test_a_header_of_millions_of_names_is_refused_unread(measured):
    found = measured["header.csv"]
    assert found["status"] == 413
    [error] = found["errors"]
    assert error["row"] == 1
    assert "longer than 16,384 bytes" in error["message"]
    assert_cheap(found, seconds=5)
    # The line was never held: far less than its 16 MB was added to the process.
    assert found["grown_mb"] < 8


def test_a_wide_header_within_the_line_limit_is_one_error():
    names = [f"c{i}" for i in range(3000)]
    errors = ErrorCollector()
    assert header_layout(names, errors) is None
    assert errors.total == 1
    assert "the header has 3,000 columns" in errors.items[0].message
    assert len(names) > MAX_HEADER_COLUMNS


def test_a_giant_line_is_refused_by_its_number(measured):
    found = measured["giant.csv"]
    assert found["status"] == 413
    [error] = found["errors"]
    assert error["row"] == 5
    assert "Line 5 of the file is longer than 16,384 bytes" in error["message"]
    assert_cheap(found, seconds=5)
    assert found["grown_mb"] < 10


def test_an_import_that_runs_out_of_time_is_refused(measured):
    found = measured["slow.csv"]
    assert found["status"] == 413
    assert "took longer than 0.5 seconds" in found["errors"][0]["message"]
    # Stopped soon after the budget ran out, not at the end of the file.
    assert_cheap(found, seconds=4)


def test_memory_is_measured_not_estimated():
    now = current_rss()
    assert now is not None and now > 10 * MB
    # As if the import had started when the process was 8 MB smaller.
    budget = Budget(seconds=10, memory=4 * MB, max_line=1024, rss_start=now - 8 * MB)
    with pytest.raises(BudgetExceeded, match="more than 4 MB of memory"):
        budget.check()
    Budget(seconds=10, memory=64 * MB, max_line=1024).check()
