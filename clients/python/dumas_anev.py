"""Checks and reads the monthly Anev report of dumas.v1.ReportService.

Written from docs/anev-report.md alone: it recomputes a report's digest from the
figures it was served (also when a table's rows are withheld, through the
table's rows_sha256), and a frozen month's digest from its scopes' digests,
so that a reader can compare them with the values the transparency log
records.

    import dumas_anev
    report = client.reports.GetAnevReport(request).report
    dumas_anev.verify(report.figures)          # raises DigestMismatch
    dumas_anev.value(report.figures, "summary", "received")
"""

import hashlib

MAGIC = "dumas-anev/v1"
MONTH_MAGIC = "dumas-anev-month/v1"


class DigestMismatch(ValueError):
    """A served digest differs from the one recomputed from the figures."""


def month_text(date):
    """"2026-03" of a google.type.Date (day 0)."""
    return f"{date.year:04d}-{date.month:02d}"


def rows_text(table):
    """The canonical rows of an AnevTable: key and values, tab-separated, one
    line each; a suppressed value is `*`."""
    lines = []
    for row in table.rows:
        cells = [row.key]
        for i, v in enumerate(row.values):
            suppressed = bool(row.suppressed) and row.suppressed[i]
            cells.append("*" if suppressed else str(v))
        lines.append("\t".join(cells) + "\n")
    return "".join(lines)


def rows_sha256(table):
    """SHA-256 (hex) of the table's canonical rows; for withheld rows, the one
    served."""
    if table.rows_withheld:
        return table.rows_sha256
    return hashlib.sha256(rows_text(table).encode("utf-8")).hexdigest()


def canonical_text(figures):
    """The canonical serialization of AnevFigures (docs/anev-report.md)."""
    as_of = figures.as_of_time.seconds * 1_000_000 + figures.as_of_time.nanos // 1000
    text = (f"{MAGIC}\nmonth\t{month_text(figures.month)}\nscope\t{figures.scope}\n"
            f"as_of\t{as_of}\n")
    for table in figures.tables:
        text += f"table\t{table.id}\t{','.join(table.columns)}\t{rows_sha256(table)}\n"
    return text


def digest(figures):
    """The report's digest, recomputed: SHA-256 (hex) of canonical_text."""
    return hashlib.sha256(canonical_text(figures).encode("utf-8")).hexdigest()


def month_digest(month, scope_digests):
    """A frozen month's digest from (scope, digest) pairs."""
    text = f"{MONTH_MAGIC}\nmonth\t{month}\n"
    for scope, d in sorted(scope_digests):
        text += f"{scope}\t{d}\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(figures):
    """Checks every table's rows against its rows_sha256, the figures against
    their digest and, when frozen, the month's digest against the scopes'
    digests (this scope's among them). Raises DigestMismatch."""
    for table in figures.tables:
        if rows_sha256(table) != table.rows_sha256:
            raise DigestMismatch(f"table {table.id}: its rows do not match rows_sha256")
    recomputed = digest(figures)
    if recomputed != figures.digest:
        raise DigestMismatch(f"the figures' digest is {recomputed}, served {figures.digest}")
    if figures.frozen:
        pairs = [(d.scope, d.digest) for d in figures.month_scope_digests]
        if (figures.scope, figures.digest) not in pairs:
            raise DigestMismatch("the month's digests do not list this report's")
        if month_digest(month_text(figures.month), pairs) != figures.month_digest:
            raise DigestMismatch("the month's digest does not match its scopes' digests")


def table(figures, table_id):
    """The table with this id, or None."""
    for t in figures.tables:
        if t.id == table_id:
            return t
    return None


def value(figures, table_id, key, column=None):
    """The value at (key, column) of a table; None when absent or suppressed.
    Without a column, the first."""
    t = table(figures, table_id) if not hasattr(figures, "rows") else figures
    if t is None:
        return None
    index = 0 if column is None else list(t.columns).index(column)
    for row in t.rows:
        if row.key == key:
            if row.suppressed and row.suppressed[index]:
                return None
            return row.values[index]
    return None
