"""The brief as JSON (the API) and as PDF (WeasyPrint): the same Brief the page renders."""
from __future__ import annotations

from functools import lru_cache

from werkzeug.exceptions import ServiceUnavailable

from server.brief.service import Brief, ResultsLine
from server.heatmaps.cells import as_json as table_json


def results_json(line: ResultsLine) -> dict:
    tally, share = line.tally, line.share
    return {"label": line.label, "start": line.start, "end": line.end, "opened": tally.opened,
            "closed_on_time": tally.on_time, "closed_late": tally.late, "dropped": tally.dropped, "open": tally.open,
            "overdue": tally.overdue, "changed_practice": {
                "n": share.n, "changed": share.changed, "share": share.value, "few": share.few,
                "interval_low": share.low, "interval_high": share.high}}


def question_json(question) -> dict:
    return {"finding": question.finding, "prompt": question.prompt, "source": question.source}


def as_json(brief: Brief) -> dict:
    return {
        "school_id": brief.school.id if brief.school else None, "district_id": brief.district.id,
        "version": brief.version, "start": brief.period.start, "end": brief.period.end,
        "previous_start": brief.previous[0], "previous_end": brief.previous[1], "period_reason": brief.period.reason,
        "generated_at": brief.generated_at, "min_n": brief.min_n, "numbers": brief.numbers,
        "changes": [{"subject": c.subject, "school": c.school, "kind": c.kind, "before": c.before, "after": c.after,
                     "n_before": c.n_before, "n_after": c.n_after, "estimate": c.change.estimate,
                     "interval_low": c.change.low, "interval_high": c.change.high, "clear": c.clear,
                     "direction": c.change.direction, "words": c.words} for c in brief.changes],
        "quiet": [vars(q) for q in brief.quiet], "little_listening": brief.little_listening,
        "rare": [{"trait": r.trait, "where": r.where, "share": r.share, "n": r.n, "interval_low": r.low,
                  "interval_high": r.high} for r in brief.rare],
        "results": [results_json(line) for line in brief.results],
        "questions": [question_json(q) for q in brief.questions],
        "sections": [vars(s) for s in brief.sections],
        "tables": {name: table_json(table) for name, table in brief.tables.items()},
        "observers": brief.observers, "notes": brief.notes,
        "schools": [{**row, "results": results_json(row["results"]),
                     "question": question_json(row["question"]) if row["question"] else None} for row in brief.schools],
    }


def no_fetching(url: str, *args, **kwargs):
    """The PDF is built from the brief's own HTML and CSS only: WeasyPrint fetches nothing."""
    raise ValueError(f"The brief's PDF loads nothing from outside ({url[:60]})")


def weasyprint() -> tuple:
    """WeasyPrint's (CSS, HTML), imported when a PDF is asked for: the app starts without Pango."""
    try:
        from weasyprint import CSS, HTML
    except OSError as missing:  # its system libraries are not installed (scripts/system-packages)
        raise ServiceUnavailable("This server cannot make PDFs yet: its PDF libraries (Pango) are not installed. "
                                 "The brief's page prints well from the browser meanwhile.") from missing
    return CSS, HTML


@lru_cache(maxsize=4)
def parsed_stylesheet(css: str):
    """The print stylesheet parsed once per paper size (about 16 ms each time otherwise); WeasyPrint only reads it."""
    return weasyprint()[0](string=css, url_fetcher=no_fetching)


def pdf_bytes(html: str, css: str) -> bytes:
    html_class = weasyprint()[1]
    return html_class(string=html, url_fetcher=no_fetching).write_pdf(stylesheets=[parsed_stylesheet(css)])
