"""The board pack as a PDF (fpdf2, pure Python): the same sections as the page, as text."""

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .packs import Pack

# fpdf2's core fonts are Latin-1; anything else is replaced rather than failing the pack.
_REPLACE = {
    "\u2014": "-",
    "\u2013": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
}


def _latin1(text: str) -> str:
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


class _PackPDF(FPDF):
    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, 8, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 10)

    def line_of(self, text: str) -> None:
        self.multi_cell(0, 5, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 8, f"Page {self.page_no()}", align="C")


def pack_pdf(pack: Pack) -> bytes:
    """The pack as PDF bytes: agenda, metrics, risks, membership changes, actions, conflicts."""
    meeting = pack.meeting
    pdf = _PackPDF(format="A4")
    pdf.set_title(f"Board pack: {meeting.board.name}")
    pdf.set_author("ICS Place Governance Portal")
    pdf.add_page()
    pdf.heading(f"{meeting.board.name}: board pack", 16)
    start, cut_off = timezone.localtime(meeting.start), timezone.localtime(pack.cut_off)
    pdf.line_of(f"{meeting.title or 'Meeting'}, {start:%A %d %B %Y, %H:%M} (UK time)")
    pdf.line_of(f"Figures from snapshots published up to {cut_off:%d %B %Y %H:%M}.")
    pdf.ln(3)
    pdf.heading("Agenda")
    for item in pack.items:
        pdf.line_of(f"{item.number}. {item.title} ({item.get_purpose_display().lower()})")
    if not pack.items:
        pdf.line_of("No agenda items yet.")
    pdf.heading("Conflict prompts")
    for prompt in pack.conflicts:
        pdf.line_of(str(prompt))
    if not pack.conflicts:
        pdf.line_of("None.")
    pdf.heading("Metrics needing attention")
    for m in pack.metrics:
        s = m.summary
        pdf.line_of(
            f"{m.series.metric.name} - {m.series.subject}: latest {s.latest_value} "
            f"({s.latest_period:%b %Y}): {', '.join(m.reasons)}"
            if s.latest_period
            else f"{m.series.metric.name} - {m.series.subject}: {', '.join(m.reasons)}"
        )
    if not pack.metrics:
        pdf.line_of("No metric of this board shows special-cause concern or failing assurance.")
    pdf.heading("Risks")
    for r in pack.risks:
        pdf.line_of(f"{r.risk.title}: rated {r.risk.get_rating_display()} ({'; '.join(r.because)})")
        for review in r.reviews:
            when = timezone.localtime(review.reviewed_at)
            pdf.line_of(f"    {review.get_decision_display()} on {when:%d %B %Y}")
    if not pack.risks:
        pdf.line_of("None.")
    pdf.heading("Membership changes since the previous meeting")
    changes = pack.changes
    for seat in changes.added:
        pdf.line_of(f"Joined: {seat.who} ({seat.role_display})")
    for seat in changes.ended:
        pdf.line_of(f"Left: {seat.who} ({seat.role_display})")
    for change in changes.role_changes:
        pdf.line_of(f"Role change: {change.seat.who}: {change.before} to {change.after}")
    if changes.empty:
        pdf.line_of("None.")
    pdf.heading("Open actions")
    for a in pack.actions:
        overdue = " (OVERDUE)" if a.due_date < pack.today else ""
        pdf.line_of(f"{a.description} - {a.owner}, due {a.due_date:%d %B %Y}{overdue}")
    if not pack.actions:
        pdf.line_of("None.")
    return bytes(pdf.output())
