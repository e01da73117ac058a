"""SPC charts, sparklines and icons as inline SVG: no JavaScript, text alternatives built in.

    {% load spc_charts %}
    {% spc_chart chart %}          a full chart from a chart dict (metrics.selectors.metric_detail)
    {% spc_sparkline row.spark %}  the last points of a series, special-cause points marked
    {% variation_icon code %}      the portal's own variation icon, with its label as <title>
    {% assurance_icon code %}      the portal's own assurance icon ('' code: no target)
    {% spc_legend %}               what the marks on a chart mean

Special-cause points differ in shape as well as colour: concern an orange diamond, improvement
a blue square, neutral a purple triangle, common cause a small grey circle. Every colour on a
white background has at least 3:1 contrast (WCAG 2.2, 1.4.11).

The chart's root element carries ``data-domain`` (the value at the bottom and the top of the
plot) and ``data-plot`` (the plot's top, bottom, left and right in SVG units), so that a test
can turn any drawn coordinate back into a value.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Sequence
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from metrics import spc

register = template.Library()

SVG_NS = "http://www.w3.org/2000/svg"

BLUE = "#005eb8"  # improvement (6.4:1 on white)
ORANGE = "#d45d00"  # concern (3.9:1)
PURPLE = "#330072"  # neutral
GREY = "#768692"  # common cause, process limits (3.8:1)
DARK = "#4c6272"  # data line, mean, labels (6.4:1)
TEXT = "#212b32"
RED = "#d5281b"  # target
GRID = "#d8dde0"

TYPE_CLASS = {"c": "common", "I": "improvement", "C": "concern", "N": "neutral"}

# Chart geometry, in SVG units.
WIDTH, HEIGHT = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 42
FONT = 15


def _safe(svg: str) -> SafeString:
    # Every piece of text interpolated into the markup went through escape() first.
    return mark_safe(svg)  # noqa: S308 # nosec B308 B703 # text escaped, tests/security


def _n(x: float) -> str:
    """A coordinate with one decimal place, without a trailing '.0'."""
    return f"{x:.1f}".removesuffix(".0")


def _finite(values: Sequence) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


@functools.cache
def _marker(letter: str, size: float) -> str:
    """The shape of a point of type ``letter``, centred on 0,0."""
    s = size
    if letter == "C":
        return (
            f'<path d="M0,{_n(-s * 1.25)} L{_n(s * 1.25)},0 L0,{_n(s * 1.25)} L{_n(-s * 1.25)},0 Z"'
            f' fill="{ORANGE}" stroke="{TEXT}" stroke-width="0.75"/>'
        )
    if letter == "I":
        return (
            f'<rect x="{_n(-s)}" y="{_n(-s)}" width="{_n(2 * s)}" height="{_n(2 * s)}"'
            f' fill="{BLUE}" stroke="{TEXT}" stroke-width="0.75"/>'
        )
    if letter == "N":
        return (
            f'<path d="M0,{_n(-s * 1.3)} L{_n(s * 1.2)},{_n(s)} L{_n(-s * 1.2)},{_n(s)} Z"'
            f' fill="{PURPLE}"/>'
        )
    return f'<circle r="{_n(s * 0.6)}" fill="{DARK}"/>'


def nice_scale(numbers: Sequence[float], ticks: int = 5) -> tuple[float, float, float]:
    """A (bottom, top, step) covering ``numbers`` with round tick values."""
    lo, hi = min(numbers), max(numbers)
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    bottom = math.floor(lo / step) * step
    top = math.ceil(hi / step) * step
    return bottom, top, step


def _decimals(step: float) -> int:
    for d in range(7):
        if abs(round(step, d) - step) < 1e-9 * max(1.0, abs(step)):
            return d
    return 6


# Steps between period labels, in points: months read as every 2, 3, 6 months, a year...
_LABEL_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120, 240)


def _label_indexes(n: int, most: int = 6) -> list[int]:
    """Which points get a period label: the first and every k-th after it, the same k all along
    (so "Jan 2024", "Jul 2024", "Jan 2025"...), at most ``most`` of them."""
    step = next((k for k in _LABEL_STEPS if (n - 1) // k + 1 <= most), math.ceil(n / most))
    return list(range(0, n, step))


def _labelled(cid: str, title: str, desc: str) -> tuple[str, str]:
    """The ``aria-labelledby`` attribute and the ``<title>`` and ``<desc>`` of an svg image."""
    return (
        f' aria-labelledby="{cid}-title {cid}-desc"',
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    )


def svg_key(*parts) -> str:
    """A short id part made from ``parts``: the same every time, so a page is the same whether
    its fragments come from the cache or not, and different for different ``parts``."""
    return f"{zlib.crc32(repr(parts).encode()):08x}"


@register.simple_tag
def spc_chart(chart: dict) -> SafeString:
    """The chart of one series: points joined by a line, mean and limits per segment, target."""
    values: list[float] = chart.get("values") or []
    cid = escape(chart["id"])
    title = escape(chart.get("title") or "Statistical process control chart")
    desc = escape(chart.get("desc") or "Values by period, with the mean and process limits.")
    if not values:
        return _safe("")
    types: str = chart.get("types") or "c" * len(values)
    segments = chart.get("segments") or []
    targets = chart.get("targets") or [None] * len(values)
    labels = chart.get("labels") or [""] * len(values)
    unit = chart.get("unit", "")
    n = len(values)

    # Other charts than XmR: centre and limits per point, drawn as steps instead of lines.
    point_limits = chart.get("limits") or []
    numbers = list(values)
    for column in point_limits:
        numbers += _finite(column)
    for seg in segments:
        numbers += _finite(seg[1:4])
    numbers += _finite(targets)
    bottom, top, step = nice_scale(numbers)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: float) -> float:
        return LEFT + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y(v: float) -> float:
        return TOP + (top - v) * plot_h / (top - bottom)

    half = plot_w / (2 * (n - 1)) if n > 1 else plot_w / 4
    out = [
        f'<svg xmlns="{SVG_NS}" class="spc-chart" id="{cid}-chart" width="{WIDTH}"'
        f' height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false"'
        f' aria-labelledby="{cid}-title {cid}-desc" data-domain="{bottom!r} {top!r}"'
        f' data-plot="{TOP} {HEIGHT - BOTTOM} {LEFT} {WIDTH - RIGHT}">',
        f'<title id="{cid}-title">{title}</title>',
        f'<desc id="{cid}-desc">{desc}</desc>',
    ]

    # Axes: horizontal grid lines with their values, period labels below.
    d = _decimals(step)
    suffix = "%" if unit == "%" else ""
    out.append(f'<g class="spc-axis" font-size="{FONT}" fill="{DARK}">')
    ticks = round((top - bottom) / step)
    for k in range(ticks + 1):
        v = bottom + k * step
        yy = _n(y(v))
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy}" y2="{yy}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{yy}" dy="0.35em" text-anchor="end">'
            f"{v:,.{d}f}{suffix}</text>"
        )
    for i in _label_indexes(n):
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        out.append(
            f'<text x="{_n(x(i))}" y="{HEIGHT - BOTTOM + 22}" text-anchor="{anchor}">'
            f"{escape(labels[i])}</text>"
        )
    out.append("</g>")

    # Mean and process limits, per segment (limits start afresh after a rebase).
    for k, seg in enumerate(segments):
        first = max(0, int(seg[0]))
        last = (int(segments[k + 1][0]) if k + 1 < len(segments) else n) - 1
        if first > n - 1:
            continue
        last = min(max(last, first), n - 1)
        x1, x2 = (x(first) - half, x(last) + half) if first == last else (x(first), x(last))
        if first > 0:
            xr = _n(x(first) - half)
            out.append(
                f'<line class="spc-rebase" x1="{xr}" x2="{xr}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"'
                f' stroke="{GREY}" stroke-dasharray="2 3"/>'
            )
        if point_limits:
            continue
        for name, value, style in (
            ("spc-mean", seg[1], f'stroke="{DARK}" stroke-width="1.5"'),
            ("spc-limit spc-limit--upper", seg[3], f'stroke="{GREY}" stroke-dasharray="6 4"'),
            ("spc-limit spc-limit--lower", seg[2], f'stroke="{GREY}" stroke-dasharray="6 4"'),
        ):
            if value is None or not math.isfinite(value):
                continue
            yy = _n(y(value))
            out.append(
                f'<line class="{name}" data-segment="{k}" data-value="{value!r}"'
                f' x1="{_n(x1)}" x2="{_n(x2)}" y1="{yy}" y2="{yy}" {style}/>'
            )

    for column, (name, style) in zip(
        point_limits,
        (
            ("spc-mean", f'stroke="{DARK}" stroke-width="1.5"'),
            ("spc-limit spc-limit--lower", f'stroke="{GREY}" stroke-dasharray="6 4"'),
            ("spc-limit spc-limit--upper", f'stroke="{GREY}" stroke-dasharray="6 4"'),
        ),
        strict=False,
    ):
        steps = []
        for i, v in enumerate(column[:n]):
            if v is None or not math.isfinite(v):
                continue
            yy = _n(y(v))
            x1, x2 = _n(max(LEFT, x(i) - half)), _n(min(WIDTH - RIGHT, x(i) + half))
            steps.append(f"{x1},{yy} {x2},{yy}")
        if steps:
            joined = " ".join(steps)
            out.append(
                f'<polyline class="{name} spc-steps" points="{joined}" fill="none" {style}/>'
            )

    # Annotations: a dotted line at the point each marks, numbered as in the list below it.
    for note in chart.get("annotations") or []:
        xa = _n(x(min(note["index"], n - 1)))
        out.append(
            f'<g class="spc-annotation" data-index="{int(note["index"])}">'
            f'<line x1="{xa}" x2="{xa}" y1="{TOP + 14}" y2="{HEIGHT - BOTTOM}" stroke="{PURPLE}"'
            ' stroke-dasharray="1 3" stroke-width="1.5"/>'
            f'<text x="{xa}" y="{TOP + 10}" text-anchor="middle" font-size="{FONT - 2}"'
            f' font-weight="bold" fill="{PURPLE}">{int(note["number"])}</text></g>'
        )

    # Target: a step line, one piece per run of points with the same target.
    i = 0
    while i < n:
        t = targets[i]
        j = i
        while j + 1 < n and targets[j + 1] == t:
            j += 1
        if t is not None:
            x1, x2 = (x(i) - half, x(j) + half) if i == j else (x(i), x(j))
            yy = _n(y(t))
            out.append(
                f'<line class="spc-target" data-value="{t!r}" x1="{_n(x1)}" x2="{_n(x2)}"'
                f' y1="{yy}" y2="{yy}" stroke="{RED}" stroke-width="2"'
                ' stroke-dasharray="10 3 2 3"/>'
            )
        i = j + 1

    # The observations: a line, then a mark per point.
    path = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(values))
    out.append(
        f'<polyline class="spc-line" points="{path}" fill="none" stroke="{DARK}"'
        ' stroke-width="1.5"/>'
    )
    for i, v in enumerate(values):
        letter = types[i] if i < len(types) else "c"
        out.append(
            f'<g class="spc-point spc-point--{TYPE_CLASS.get(letter, "common")}"'
            f' data-index="{i}" data-type="{escape(letter)}" data-value="{v!r}"'
            f' transform="translate({_n(x(i))},{_n(y(v))})">{_marker(letter, 5)}</g>'
        )
    out.append("</svg>")
    return _safe("".join(out))


SPARK_W, SPARK_H, SPARK_PAD = 120, 32, 4


@functools.cache
def _spark_xs(n: int) -> tuple[str, ...]:
    """The x coordinates of a sparkline of ``n`` points, as drawn (the same for every row)."""
    width = SPARK_W - 2 * SPARK_PAD
    return tuple(_n(SPARK_PAD + (i * width / (n - 1) if n > 1 else SPARK_W / 2)) for i in range(n))


@register.simple_tag
def spc_sparkline(spark: dict, key: str = "") -> SafeString:
    """A small trend line of the last points, with special-cause points marked; ``key`` makes
    its title's and description's ids unique on the page (by default, from its points)."""
    values: list[float] = (spark or {}).get("values") or []
    if not values:
        return _safe("")
    types: str = spark.get("types") or ""
    n = len(values)
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1, hi + 1

    xs = _spark_xs(n)
    height, span = SPARK_H - 2 * SPARK_PAD, hi - lo
    ys = [f"{SPARK_PAD + (hi - v) * height / span:.1f}".removesuffix(".0") for v in values]
    path = " ".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))
    marks = []
    for i in range(n):
        letter = types[i] if i < len(types) else "c"
        if letter not in "c-" or i == n - 1:
            marks.append(
                f'<g class="spc-point spc-point--{TYPE_CLASS.get(letter, "common")}"'
                f' transform="translate({xs[i]},{ys[i]})">{_marker(letter, 2.6)}</g>'
            )
    labelledby, words = _labelled(
        f"spark-{key or svg_key(values, types, spark.get('label'))}",
        spark.get("label") or "Trend",
        f"The last {n} values as a line; special-cause points and the latest value are marked.",
    )
    return _safe(
        f'<svg xmlns="{SVG_NS}" class="spc-sparkline" width="{SPARK_W}" height="{SPARK_H}"'
        f' viewBox="0 0 {SPARK_W} {SPARK_H}" role="img" focusable="false"{labelledby}>'
        f"{words}"
        f'<polyline points="{path}" fill="none" stroke="{DARK}" stroke-width="1.25"/>'
        f"{''.join(marks)}</svg>"
    )


# -- icons ---------------------------------------------------------------------------------------

_DOTS_X = (9.5, 14.75, 20, 25.25, 30.5)
_VARIATION_SHAPES = {
    # (ring colour, dot heights, letter, letter height, number of coloured dots at the end)
    "common_cause": (GREY, (25, 21, 26, 22, 24), "", 0, 0),
    "improvement_high": (BLUE, (30, 28, 25, 21, 18), "H", 14, 3),
    "improvement_low": (BLUE, (18, 21, 25, 28, 30), "L", 14, 3),
    "concern_high": (ORANGE, (30, 28, 25, 21, 18), "H", 14, 3),
    "concern_low": (ORANGE, (18, 21, 25, 28, 30), "L", 14, 3),
    "neutral_high": (PURPLE, (30, 28, 25, 21, 18), "H", 14, 3),
    "neutral_low": (PURPLE, (18, 21, 25, 28, 30), "L", 14, 3),
}


def _icon(label: str, body: str, ring: str, kind: str = "variation") -> str:
    """An icon's markup with ``{id}`` where each use puts its own id (see ``icon_use``)."""
    desc = f"Making Data Count {kind} icon"
    return (
        f'<svg xmlns="{SVG_NS}" class="spc-icon" width="40" height="40" viewBox="0 0 40 40"'
        ' role="img" focusable="false" aria-labelledby="{id}-title {id}-desc">'
        f'<title id="{{id}}-title">{escape(label)}</title>'
        f'<desc id="{{id}}-desc">{escape(desc)}</desc>'
        f'<circle cx="20" cy="20" r="17.5" fill="#ffffff" stroke="{ring}" stroke-width="3"/>'
        f"{body}</svg>"
    )


def icon_use(markup: str, key: str) -> str:
    """An icon's markup with its ids made from ``key`` (unique on the page)."""
    return markup.replace("{id}", f"icon-{key}") if markup else ""


def _variation_svg(code: str) -> str:
    ring, heights, letter, letter_y, coloured = _VARIATION_SHAPES[code]
    line = " ".join(f"{x},{h}" for x, h in zip(_DOTS_X, heights, strict=True))
    body = [f'<polyline points="{line}" fill="none" stroke="{GREY}" stroke-width="1.25"/>']
    for k, (x, h) in enumerate(zip(_DOTS_X, heights, strict=True)):
        fill = ring if k >= len(_DOTS_X) - coloured else GREY
        body.append(f'<circle cx="{x}" cy="{h}" r="2.6" fill="{fill}"/>')
    if letter:
        body.append(
            f'<text x="20" y="{letter_y}" text-anchor="middle" font-size="11"'
            f' font-weight="bold" font-family="arial, sans-serif" fill="{TEXT}">{letter}</text>'
        )
    return _icon(spc.LABELS[code], "".join(body), ring)


_ASSURANCE_SHAPES = {
    "consistent_pass": (BLUE, "P"),
    "consistent_fail": (ORANGE, "F"),
    "hit_and_miss": (GREY, "?"),
}


def _assurance_svg(code: str) -> str:
    ring, letter = _ASSURANCE_SHAPES[code]
    body = (
        f'<text x="20" y="24" text-anchor="middle" font-size="15" font-weight="bold"'
        f' font-family="arial, sans-serif" fill="{TEXT}">{letter}</text>'
        f'<line x1="8" x2="32" y1="29.5" y2="29.5" stroke="{RED}" stroke-width="2"'
        ' stroke-dasharray="4 2"/>'
    )
    return _icon(spc.LABELS[code], body, ring, "assurance")


NO_ASSURANCE_LABEL = "No assurance: there is no target, or the measure has no direction"
# Built once: the icons never change, and pages show hundreds of them.
VARIATION_ICONS = {code: _variation_svg(code) for code in spc.VARIATIONS}
ASSURANCE_ICONS = {code: _assurance_svg(code) for code in spc.ASSURANCES}
ASSURANCE_ICONS[""] = _icon(
    NO_ASSURANCE_LABEL,
    f'<line x1="13" x2="27" y1="20" y2="20" stroke="{GREY}" stroke-width="3"/>',
    GREY,
    "assurance",
)


@register.simple_tag
def variation_icon(code: str, key: str = "") -> SafeString:
    """The variation icon for ``code`` (a value of spc.VARIATIONS); '' for none. ``key`` tells
    apart the uses of one icon on a page (their title's and description's ids)."""
    return _safe(icon_use(VARIATION_ICONS.get(code or "", ""), svg_key("v", code, key)))


@register.simple_tag
def assurance_icon(code: str, key: str = "") -> SafeString:
    """The assurance icon for ``code`` (a value of spc.ASSURANCES, or '' for no assurance);
    ``key`` as for ``variation_icon``."""
    markup = ASSURANCE_ICONS.get(code or "", ASSURANCE_ICONS[""])
    return _safe(icon_use(markup, svg_key("a", code, key)))


def _swatch(body: str) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="spc-legend__mark" width="28" height="16"'
        f' viewBox="-14 -8 28 16" aria-hidden="true" focusable="false">{body}</svg>'
    )


LEGEND = (
    (_marker("c", 5), "Observation, common cause"),
    (_marker("C", 5), "Special cause concern (orange diamond)"),
    (_marker("I", 5), "Special cause improvement (blue square)"),
    (_marker("N", 5), "Special cause, neutral (purple triangle)"),
    (f'<line x1="-13" x2="13" stroke="{DARK}" stroke-width="1.5"/>', "Mean"),
    (
        f'<line x1="-13" x2="13" stroke="{GREY}" stroke-dasharray="6 4"/>',
        "Process limits (upper and lower)",
    ),
    (
        f'<line x1="-13" x2="13" stroke="{RED}" stroke-width="2" stroke-dasharray="10 3 2 3"/>',
        "Target",
    ),
)


@register.simple_tag
def spc_legend() -> SafeString:
    """What the marks and lines on an SPC chart mean."""
    items = "".join(
        f'<li class="spc-legend__item">{_swatch(mark)}{escape(text)}</li>' for mark, text in LEGEND
    )
    return _safe(f'<ul class="spc-legend">{items}</ul>')


# Beyond the 99.8% limits either way: a purple triangle (whether that is good is the reader's).
FLAG_MARK = {"above": "N", "below": "N", "within": "c"}


@register.simple_tag
def funnel_chart(compare: dict) -> SafeString:
    """A funnel plot: each subject's value against its denominator, the target, and the 95%
    and 99.8% limits as curves; subjects beyond the 99.8% limits marked (shape and colour)."""
    units = compare.get("units") or []
    if not units:
        return _safe("")
    curves = compare["curves"]
    cid = escape(compare.get("id", "funnel"))
    numbers = [u["value"] for u in units] + [compare["target"]]
    numbers += _finite(curves["ll99"]) + _finite(curves["ul99"])
    bottom, top, step = nice_scale(numbers)
    x_bottom, x_top, x_step = nice_scale([0.0, max(u["denominator"] for u in units)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(n: float) -> float:
        return LEFT + (n - x_bottom) * plot_w / (x_top - x_bottom)

    def y(v: float) -> float:
        return TOP + (top - min(max(v, bottom), top)) * plot_h / (top - bottom)

    out = [
        f'<svg xmlns="{SVG_NS}" class="spc-chart funnel-chart" id="{cid}-chart" width="{WIDTH}"'
        f' height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false"'
        f' aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(compare.get("title", ""))}</title>',
        f'<desc id="{cid}-desc">{escape(compare.get("desc", ""))}</desc>',
        f'<g class="spc-axis" font-size="{FONT}" fill="{DARK}">',
    ]
    d = _decimals(step)
    for k in range(round((top - bottom) / step) + 1):
        v = bottom + k * step
        yy = _n(y(v))
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy}" y2="{yy}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{yy}" dy="0.35em" text-anchor="end">{v:,.{d}f}</text>'
        )
    xd = _decimals(x_step)
    for k in range(round((x_top - x_bottom) / x_step) + 1):
        v = x_bottom + k * x_step
        out.append(
            f'<text x="{_n(x(v))}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">'
            f"{v:,.{xd}f}</text>"
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" text-anchor="middle">'
        "Denominator</text></g>"
    )
    yy = _n(y(compare["target"]))
    out.append(
        f'<line class="funnel-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy}" y2="{yy}"'
        f' stroke="{DARK}" stroke-width="1.5"/>'
    )
    for key, dash in (("ll95", "3 3"), ("ul95", "3 3"), ("ll99", "8 4"), ("ul99", "8 4")):
        path = " ".join(
            f"{_n(x(n))},{_n(y(v))}"
            for n, v in zip(curves["denominators"], curves[key], strict=True)
            if math.isfinite(v)
        )
        out.append(
            f'<polyline class="funnel-limit funnel-limit--{key}" points="{path}" fill="none"'
            f' stroke="{GREY}" stroke-dasharray="{dash}"/>'
        )
    for i, u in enumerate(units):
        letter = FLAG_MARK[u["flag99"]]
        out.append(
            f'<g class="funnel-point funnel-point--{u["flag99"]}" data-index="{i}"'
            f' data-value="{u["value"]!r}" transform="translate({_n(x(u["denominator"]))},'
            f'{_n(y(u["value"]))})">{_marker(letter, 5)}</g>'
        )
    out.append("</svg>")
    return _safe("".join(out))
