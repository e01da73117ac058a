"""Meetings as an iCalendar feed (RFC 5545), written by hand: escaping, UTC times, folding."""

import datetime as dt
from collections.abc import Iterable

from .models import Meeting

# RFC 5545 3.8.1.11: the portal's statuses as VEVENT statuses.
STATUS = {
    "scheduled": "CONFIRMED",
    "held": "CONFIRMED",
    "cancelled": "CANCELLED",
    "postponed": "TENTATIVE",
}


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts towards their 75 octets.
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(meetings: Iterable[Meeting], *, name: str, host: str) -> str:
    """The meetings as a VCALENDAR, times in UTC, each line folded and ended with CRLF."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ICS Place Governance Portal//Meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for meeting in meetings:
        summary = meeting.title or f"{meeting.board.name} meeting"
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{utc(meeting.modified_at)}",
            f"DTSTART:{utc(meeting.start)}",
            # Without DTEND a date-time DTSTART is an event of no length (RFC 5545 3.6.1).
            *([f"DTEND:{utc(meeting.end)}"] if meeting.end else []),
            f"SEQUENCE:{meeting.version}",
            f"SUMMARY:{escape(summary)}",
            f"STATUS:{STATUS[meeting.status]}",
        ]
        if meeting.location:
            lines.append(f"LOCATION:{escape(meeting.location)}")
        if meeting.link:
            lines.append(f"URL:{meeting.link}")
        if not meeting.is_public:
            lines.append("CLASS:PRIVATE")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
