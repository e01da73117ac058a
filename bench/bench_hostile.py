"""Measure the audit's hostile and large uploads as background jobs, at the default budgets.

    .venv/bin/python bench/bench_hostile.py [--rows 873855] [--no-record]

Creates a throwaway database (icsportal_bench_hostile) on the PostgreSQL server that
DATABASE_URL names (else 127.0.0.1:5432), migrates it and fills it with synthetic, clearly
labelled subjects (bench_import's). Starts gunicorn (3 sync workers, 30 s timeout, as the audit
ran it) and one solo Celery worker per upload, on loopback, with the broker from
CELERY_BROKER_URL (Redis), and the portal's default import settings. Then, each file sent to
``POST /api/v1/observations/bulk/`` by an analyst's token and followed at the job's URL:

1. a 15 MB workbook whose shared strings expand 17.5:1 to about 262 MB (within the archive's
   256 MiB and 100:1 limits): refused within the memory budget;
2. a genuine workbook of 873,855 rows (about 20 MB): imported;
3. a CSV file whose header has 2.2 million names: refused at line 1;
4. three of the first at once, while /healthz is asked every 100 ms.

For each: the seconds from the upload to the job's end, the POST's own seconds (the web worker
only stores the file), and the peak RSS of the worker process that ran the job (its VmHWM, reset
before the job) and of the gunicorn workers. Appends a section to bench/RESULTS.md.
"""

import argparse
import datetime as dt
import io
import json
import math
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import bench_import

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BENCH_DB = "icsportal_bench_hostile"
LIMIT_MB = 300
GENUINE_ROWS = 873_855
HEADER_NAMES = 2_200_000
# The hostile workbook: strings of STRING_CHARS characters, RANDOM_CHARS of them random hex
# and the rest repeated, which deflate compresses about 17.5:1.
STRING_CHARS = 1000
RANDOM_CHARS = 85
SHARED_BYTES = 262_000_000


@dataclass
class Upload:
    """One file sent and followed to its job's end."""

    name: str
    size: int
    status: int = 0
    post_seconds: float = 0.0
    seconds: float = 0.0
    job: dict = field(default_factory=dict)
    worker_peak_mb: float = 0.0


def status_kb(pid: int, key: str) -> int:
    """A VmHWM / VmRSS line of /proc/<pid>/status, in KB (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak(pid: int) -> None:
    """Start the process's VmHWM again from its RSS now (Linux: clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


# ---- the files -------------------------------------------------------------------------


def hostile_workbook(path: Path) -> int:
    """A workbook within the archive limits whose shared strings expand to SHARED_BYTES; the
    uncompressed size of its shared strings."""
    rng = random.Random(24)
    count = SHARED_BYTES // (STRING_CHARS + 15)
    filler = "x" * (STRING_CHARS - RANDOM_CHARS)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        # The header's names are the first shared strings; the long ones follow.
        header = "".join(
            f"<c r='{letter}1' t='s'><v>{i}</v></c>" for i, letter in enumerate("ABCDE")
        )
        _workbook_parts(archive, f"<row r='1'>{header}</row>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                + f'count="{count + 5}" uniqueCount="{count + 5}">'.encode()
                + "".join(f"<si><t>{name}</t></si>" for name in bench_import.HEADER).encode()
            )
            for _ in range(count // 1000):
                part.write(
                    "".join(
                        f"<si><t>{rng.getrandbits(RANDOM_CHARS * 4):0{RANDOM_CHARS}x}"
                        f"{filler}</t></si>"
                        for _ in range(1000)
                    ).encode()
                )
            part.write(b"</sst>")
        return sum(i.file_size for i in archive.infolist() if i.filename.endswith("Strings.xml"))


def genuine_workbook(path: Path, subjects: list[tuple[str, str]], rows: int) -> None:
    """A workbook as Excel saves one: the header and ``rows`` observations, the texts in the
    shared strings, the values as numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Observations")
    sheet.append(bench_import.HEADER)
    months = [
        f"{1900 + k // 12}-{k % 12 + 1:02d}" for k in range(bench_import.MONTHS)
    ]  # fmt: skip
    for i in range(rows):
        metric, place = subjects[i // bench_import.MONTHS]
        # Whole numbers (counts): 873,855 rows then fit the 20 MB upload limit, as the
        # audit's 20.8 MB file did.
        sheet.append([metric, "place", place, months[i % bench_import.MONTHS], (i * 7919) % 1000])
    book.save(path)


def wide_header(path: Path) -> None:
    # Names of about seven characters, as the audit's: the file fits the 20 MB upload limit.
    names = ",".join(f"c{i}" for i in range(HEADER_NAMES))
    path.write_text(f"metric,subject_type,subject,period,value,{names}\nx,place,y,2020-01,1\n")


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""  # noqa: E501
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""  # noqa: E501
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Observations" sheetId="1" r:id="rId1"/></sheets></workbook>"""  # noqa: E501
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""  # noqa: E501


def _workbook_parts(archive: zipfile.ZipFile, rows_xml: str) -> None:
    archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
    archive.writestr("_rels/.rels", _RELS)
    archive.writestr("xl/workbook.xml", _WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
    archive.writestr(
        "xl/worksheets/sheet1.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
        f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows_xml}'
        "</sheetData></worksheet>",
    )


# ---- the servers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "icsportal.settings",
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1"),
        "CELERY_RESULT_BACKEND": os.environ.get(
            "CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/2"
        ),
    }


def start_gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "icsportal.wsgi",
        f"--bind=127.0.0.1:{port}",
        "--workers=3",
        "--timeout=30",
    ]
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer; see {log}")


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "icsportal",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    time.sleep(8)  # start-up: Django and the broker connection
    if worker.poll() is not None:
        raise SystemExit(f"the worker exited; see {log}")
    return worker


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# ---- the uploads -----------------------------------------------------------------------


def multipart(path: Path) -> tuple[bytes, str]:
    boundary = "bench-hostile-boundary"
    body = io.BytesIO()
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
    )
    body.write(path.read_bytes())
    body.write(f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def send(base: str, token: str, path: Path, upload: Upload, worker: int) -> None:
    """POST the file, then follow the job to its end; the worker's peak over the job."""
    data, content_type = multipart(path)
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/observations/bulk/",
        data=data,
        headers={"Authorization": f"Token {token}", "Content-Type": content_type},
        method="POST",
    )
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            upload.status, location = response.status, response.headers.get("Location")
            body = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        upload.status, location, body = exc.code, None, json.loads(exc.read() or b"{}")
    except urllib.error.URLError as exc:
        # The server answered (a 413 above the upload limit) and closed before the body was
        # sent whole.
        location, body = None, {"status": "refused", "errors": [{"message": str(exc.reason)}]}
    upload.post_seconds = time.monotonic() - start
    while location:
        poll = urllib.request.Request(  # noqa: S310
            base + location, headers={"Authorization": f"Token {token}"}
        )
        with urllib.request.urlopen(poll, timeout=30) as response:  # noqa: S310
            body = json.loads(response.read())
        if body.get("status") in ("succeeded", "failed"):
            break
        time.sleep(0.25)
    upload.seconds = time.monotonic() - start
    upload.job = body
    upload.worker_peak_mb = status_kb(worker, "VmHWM") / 1024


class HealthPoller(threading.Thread):
    """Asks /healthz every 100 ms until stopped; keeps each answer's seconds and status."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.stopped = base, threading.Event()
        self.seconds: list[float] = []
        self.failures = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            start = time.monotonic()
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=30) as r:  # noqa: S310
                    r.read()
            except (urllib.error.URLError, OSError):
                self.failures += 1
            self.seconds.append(time.monotonic() - start)
            self.stopped.wait(0.1)


def gunicorn_peak_mb(server: subprocess.Popen) -> float:
    return max((status_kb(pid, "VmHWM") for pid in children(server.pid)), default=0) / 1024


def run_one(base, token, path, env, work) -> Upload:
    """One upload, with a worker of its own (so its peak is the job's alone)."""
    worker = start_worker(env, work / f"worker-{path.stem}.log")
    try:
        reset_peak(worker.pid)
        upload = Upload(path.name, path.stat().st_size)
        send(base, token, path, upload, worker.pid)
        return upload
    finally:
        stop(worker)


def run_three(base, token, path, env, work) -> tuple[list[Upload], HealthPoller]:
    """Three uploads of ``path`` at once, each job with a worker of its own; /healthz asked
    meanwhile."""
    workers = [start_worker(env, work / f"worker-three-{i}.log") for i in range(3)]
    poller = HealthPoller(base)
    try:
        for worker in workers:
            reset_peak(worker.pid)
        uploads = [Upload(f"{path.name} ({i + 1} of 3)", path.stat().st_size) for i in range(3)]
        poller.start()
        time.sleep(1)
        threads = [
            threading.Thread(target=send, args=(base, token, path, upload, workers[0].pid))
            for upload in uploads
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        poller.stopped.set()
        poller.join()
        # Which worker ran which job is the broker's choice: each worker's own peak.
        peaks = [status_kb(w.pid, "VmHWM") / 1024 for w in workers]
        for upload, peak in zip(uploads, sorted(peaks, reverse=True), strict=True):
            upload.worker_peak_mb = peak
        return uploads, poller
    finally:
        for worker in workers:
            stop(worker)


# ---- the report ------------------------------------------------------------------------


def outcome(upload: Upload) -> str:
    job = upload.job
    if job.get("status") == "succeeded":
        return f"succeeded: {job.get('created', 0):,} created"
    errors = job.get("errors") or [{}]
    message = (errors[0].get("message") or str(job))[:160]
    return f"{job.get('status', upload.status)}: {message}"


def report(uploads: list[Upload], poller, gunicorn_mb: float, notes: dict) -> str:
    lines = [
        f"## Hostile and large uploads at the default budgets — "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the start {notes['load_start']:.1f}, "
        f"at the end {os.getloadavg()[0]:.1f}. gunicorn 3 sync workers (30 s timeout), one solo "
        "Celery worker per job, Redis, PostgreSQL 15, on loopback; the default settings "
        "(150 MB memory growth and 900 s per job, 64 KB lines, 20 MB uploads). "
        f"`bench/bench_hostile.py {notes['command']}`.",
        "",
        "| upload | MB | POST answer | POST s | job s | job's worker peak RSS (MB) | "
        f"under {LIMIT_MB} MB | outcome |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        *(
            f"| {u.name} | {u.size / 1e6:.1f} | {u.status} | {u.post_seconds:.2f} "
            f"| {u.seconds:.1f} | {u.worker_peak_mb:.0f} "
            f"| {'yes' if u.worker_peak_mb < LIMIT_MB else '**no**'} | {outcome(u)} |"
            for u in uploads
        ),
        "",
        *notes["files"],
    ]
    if poller is not None:
        times = sorted(poller.seconds)
        p99 = times[min(len(times) - 1, math.ceil(len(times) * 0.99) - 1)] if times else 0
        lines.append(
            f"While the three ran: /healthz answered {len(times)} times, median "
            f"{statistics.median(times) * 1000 if times else 0:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"slowest {max(times, default=0) * 1000:.0f} ms, {poller.failures} failures."
        )
    lines += [f"Peak RSS of any gunicorn worker over the run: {gunicorn_mb:.0f} MB.", ""]
    return "\n".join(lines)


RUNS = ("hostile", "genuine", "header", "three")


def make_files(work: Path, runs, subjects, rows: int) -> tuple[dict[str, Path], list[str]]:
    """The files the runs need, and a sentence on each."""
    files, notes = {}, []
    if {"hostile", "three"} & set(runs):
        files["hostile"] = work / "hostile.xlsx"
        shared = hostile_workbook(files["hostile"]) / 1e6
        size = files["hostile"].stat().st_size / 1e6
        notes.append(
            f"The hostile workbook's shared strings are {shared:.0f} MB in a {size:.1f} MB "
            f"file ({shared / size:.1f}:1)."
        )
    if "genuine" in runs:
        files["genuine"] = work / "genuine.xlsx"
        genuine_workbook(files["genuine"], subjects, rows)
        notes.append(f"The genuine workbook holds {rows:,} rows (synthetic subjects).")
    if "header" in runs:
        files["header"] = work / "header.csv"
        wide_header(files["header"])
        notes.append(f"The CSV file's header has {HEADER_NAMES:,} names.")
    return files, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=GENUINE_ROWS)
    parser.add_argument("--only", nargs="+", choices=RUNS, default=RUNS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    load_start = os.getloadavg()[0]
    bench_import.BENCH_DB = BENCH_DB
    bench_url = bench_import.recreate_database(url)
    bench_import.setup_django(bench_url)
    from django.core.management import call_command
    from django.db import connection

    from governance.services import role_grant
    from icsportal.api.tokens import token_issue

    call_command("migrate", verbosity=0)
    subjects = bench_import.create_subjects(math.ceil(args.rows / bench_import.MONTHS))
    token = token_issue(user=role_grant(username="bench-analyst", role="analyst").user)
    connection.close()
    env = server_env(bench_url)
    poller = None
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        work = Path(tmp)
        files, file_notes = make_files(work, args.only, subjects, args.rows)
        print("files:", *(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files.values()))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, work / "gunicorn.log")
        try:
            uploads = []
            for run in ("hostile", "genuine", "header"):
                if run in args.only:
                    uploads.append(run_one(base, token.key, files[run], env, work))
                    print(uploads[-1])
            if "three" in args.only:
                three, poller = run_three(base, token.key, files["hostile"], env, work)
                uploads += three
            gunicorn_mb = gunicorn_peak_mb(server)
        finally:
            stop(server)
    bench_import.drop_database(url)
    command = "" if set(args.only) == set(RUNS) else "--only " + " ".join(args.only)
    text = report(
        uploads,
        poller,
        gunicorn_mb,
        {"load_start": load_start, "files": file_notes, "command": command},
    )
    print(text)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    from england import bench_lock

    with bench_lock():
        status = main()
    sys.exit(status)
