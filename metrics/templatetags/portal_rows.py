"""The rows that pages repeat hundreds of times, written out in Python.

    {% load portal_rows %}
    {% metric_tiles rows %}   a Place's metric tiles, one <li> card per series row
    {% matrix_rows rows %}    the overview's matrix, one <tr> per series row
    {% chart_table_rows chart %}  the <tr>s of a chart's data table on a metric page

A Place shows 400 tiles and the overview 2,400 matrix rows at England scale; a template loop
costs about ten times as much as the same markup joined here, and the markup is the same as the
templates' was. Every value from a row goes through ``escape`` (what autoescaping does).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from .spc_charts import ASSURANCE_ICONS, VARIATION_ICONS, icon_use, spc_sparkline, svg_key

register = template.Library()

SYNTHETIC_LABEL = '<strong class="synthetic-label">synthetic (illustrative)</strong>'


def _safe(html: str) -> SafeString:
    # Every value interpolated into the markup went through escape() first.
    return mark_safe(html)  # noqa: S308 # nosec B308 B703 # values escaped, tests/security


def _row_key(row: dict) -> str:
    # A row's chart is its series' own: its address makes the row's svg ids unique on a page.
    return svg_key(row["chart_url"])


def _variation(row: dict) -> str:
    return icon_use(VARIATION_ICONS.get(row["variation"], ""), f"{_row_key(row)}-v")


def _assurance(row: dict) -> str:
    markup = ASSURANCE_ICONS.get(row["assurance"] or "", ASSURANCE_ICONS[""])
    return icon_use(markup, f"{_row_key(row)}-a")


def _icons(row: dict) -> str:
    if not row.get("spc", True):  # too few points for SPC: no icon at all (the finding says so)
        return ""
    variation = _variation(row) if row["variation"] else ""
    return variation + _assurance(row)


def _tile(row: dict) -> str:
    concern = " spc-tile--concern" if row["is_concern"] else ""
    synthetic = (
        f'<p class="nhsuk-u-margin-bottom-2">{SYNTHETIC_LABEL}</p>' if row["synthetic"] else ""
    )
    if row["has_data"]:
        unit = (
            f' <span class="portal-secondary">{escape(row["unit"])}</span>' if row["unit"] else ""
        )
        source = (
            f'<p class="source-line">Source: {escape(row["value_source"])}</p>'
            if row["value_source"]
            else ""
        )
        value = (
            f'<p class="spc-tile__value nhsuk-u-margin-bottom-1"><strong>{escape(row["value"])}'
            f"</strong>{unit}</p>"
            f'<p class="nhsuk-body-s nhsuk-u-margin-bottom-2">{escape(row["period"])}</p>{source}'
        )
        spark = str(spc_sparkline(row["spark"], _row_key(row))) if row["has_trend"] else ""
        icons = (
            f'<p class="spc-tile__icons nhsuk-u-margin-bottom-2">{_icons(row)}{spark}</p>'
            f'<p class="nhsuk-body-s nhsuk-u-margin-bottom-0">{escape(row["finding"])}</p>'
        )
    else:
        value = '<p class="nhsuk-body-s">No data yet.</p>'
        icons = ""
    target = (
        f"{escape(row['target'])} ({escape(row['target_period'])})" if row["target"] else "none"
    )
    target_source = (
        f'<p class="source-line">Source: {escape(row["target_source"])}</p>'
        if row["target_source"]
        else ""
    )
    return (
        '<li class="nhsuk-grid-column-one-third nhsuk-card-group__item">'
        f'<div class="nhsuk-card spc-tile{concern}"><div class="nhsuk-card__content">'
        f'<h4 class="nhsuk-card__heading nhsuk-heading-s"><a href="{escape(row["chart_url"])}">'
        f"{escape(row['metric_short_name'])}</a></h4>"
        f'<p class="nhsuk-body-s nhsuk-u-margin-bottom-2">{escape(row["subject"])}</p>'
        f"{synthetic}{value}"
        f'<p class="nhsuk-body-s nhsuk-u-margin-bottom-2">Target: {target}'
        f' <strong class="rag-{escape(row["rag"])}">{escape(row["rag_label"])}</strong></p>'
        f"{target_source}{icons}</div></div></li>\n"
    )


@register.simple_tag
def metric_tiles(rows: list[dict]) -> SafeString:
    """One card per series row: metric, subject, value, target and RAG, icons, sparkline and
    the finding in words."""
    return _safe("".join(_tile(row) for row in rows))


def _heading(label: str) -> str:
    return f'<span class="nhsuk-table__heading" aria-hidden="true">{label} </span>'


def _matrix_row(row: dict) -> str:
    synthetic = SYNTHETIC_LABEL if row["synthetic"] else ""
    if row["has_data"]:
        source = (
            f'<span class="source-line">Source: {escape(row["value_source"])}</span>'
            if row["value_source"]
            else ""
        )
        latest = (
            f'{escape(row["value"])}<span class="portal-secondary">{escape(row["period"])}'
            f"</span>{source}"
        )
        assurance = _assurance(row) if row.get("spc", True) else "—"
    else:
        latest, assurance = "No data", "—"
    if row["target"]:
        target_source = (
            f'<span class="source-line">Source: {escape(row["target_source"])}</span>'
            if row["target_source"]
            else ""
        )
        target = (
            f'{escape(row["target"])}<span class="portal-secondary">'
            f"{escape(row['target_period'])}</span>{target_source}"
        )
    else:
        target = "None"
    variation = _variation(row) if row["variation"] else "—"
    if row["has_data"] and not row.get("spc", True):
        variation = (
            f'<span class="portal-secondary">Too few points for SPC ({row["point_count"]} of'
            f" {row['point_count'] + row['points_needed']})</span>"
        )
    trend = str(spc_sparkline(row["spark"], _row_key(row))) if row["has_trend"] else "—"
    return (
        '<tr class="nhsuk-table__row">'
        f'<th scope="row" class="nhsuk-table__header">{_heading("Metric and subject")}'
        f'<span class="portal-cell"><a href="{escape(row["chart_url"])}">'
        f"{escape(row['metric_short_name'])}</a> "
        f'<span class="portal-secondary">{escape(row["subject"])}</span>{synthetic}</span></th>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_heading("Latest")}'
        f'<span class="portal-cell">{latest}</span></td>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_heading("Target")}'
        f'<span class="portal-cell">{target}</span></td>'
        f'<td class="nhsuk-table__cell">{_heading("RAG")}<span class="portal-cell">'
        f'<strong class="rag-{escape(row["rag"])}">{escape(row["rag_label"])}</strong></span></td>'
        f'<td class="nhsuk-table__cell">{_heading("Variation")}'
        f'<span class="portal-cell">{variation}</span></td>'
        f'<td class="nhsuk-table__cell">{_heading("Assurance")}'
        f'<span class="portal-cell">{assurance}</span></td>'
        f'<td class="nhsuk-table__cell">{_heading("Trend")}'
        f'<span class="portal-cell">{trend}</span></td></tr>\n'
    )


@register.simple_tag
def matrix_rows(rows: list[dict]) -> SafeString:
    """One table row per series: metric and subject, latest value, target, RAG, variation and
    assurance icons, sparkline."""
    return _safe("".join(_matrix_row(row) for row in rows))


def _table_row(row: dict) -> str:
    kind = f"<strong>{escape(row['type'])}</strong>" if row["special"] else escape(row["type"])
    source = SYNTHETIC_LABEL if row["synthetic"] else escape(row["source"])
    return (
        f'<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">'
        f"{escape(row['period'])}</th>"
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{escape(row["value"])}</td>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{escape(row["mean"])}</td>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{escape(row["lower"])}</td>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{escape(row["upper"])}</td>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{escape(row["target"])}</td>'
        f'<td class="nhsuk-table__cell">{kind}</td>'
        f'<td class="nhsuk-table__cell">{source}</td></tr>\n'
    )


@register.simple_tag
def chart_table_rows(chart: dict) -> SafeString:
    """The data table rows of one chart: period, value, mean, limits, target, point type and
    source."""
    return _safe("".join(_table_row(row) for row in chart.get("rows") or []))
