"""CSV for every list: RFC 4180, nested objects flattened, formula injection neutralised."""

import csv
import io

from rest_framework.renderers import BaseRenderer

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell as text, with a leading quote when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def flatten(row: dict, prefix: str = "") -> dict:
    """{"board": {"slug": "x"}} → {"board.slug": "x"}; lists become ';'-joined text."""
    out = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = "; ".join(
                str(v.get("name") or v.get("id") or v) if isinstance(v, dict) else str(v)
                for v in value
            )
        else:
            out[name] = value
    return out


def rows_to_csv(rows: list[dict]) -> str:
    flat = [flatten(r) for r in rows]
    header: list[str] = []
    for r in flat:
        header += [k for k in r if k not in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for r in flat:
        writer.writerow([neutralise(r.get(k)) for k in header])
    return buffer.getvalue()


class CSVRenderer(BaseRenderer):
    """``?format=csv`` or ``Accept: text/csv``: the list's rows (the current page)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        rows = [r if isinstance(r, dict) else {"value": r} for r in rows]
        return rows_to_csv(rows).encode("utf-8")
