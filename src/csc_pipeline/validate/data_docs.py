"""A drop's Data Docs site, readable without the internet: where it is, and its pages made local.

Great Expectations' pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from
CDNs, and its index page is a table drawn by bootstrap-table: offline (a council's network, a
locked-down server) the pages are unstyled and the index is empty. GX ships none of those files.
So, after the checkpoint has built the site, every page's CDN `<link>`/`<script>` is removed and
our own stylesheet and script (`data_docs_static/`, copied into `<site>/static/`) take their
place; the logo is GX's own copy from `static/images/`; links to pages the site does not have
(the suites' pages, not built) become plain text; and the index is written again as a static
table of the drop's tables, their failed checks and links to their pages.

Only names of tables and checks, rule ids and counts are written (what GX was given: the results
table); nothing from the data.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from csc_pipeline.deployment import ValidationConfig

INDEX = "index.html"
STATIC = Path(__file__).with_name("data_docs_static")
STYLESHEET = "static/styles/csc_data_docs.css"
SCRIPT = "static/scripts/csc_data_docs.js"


def site_dir(config: ValidationConfig, la_code: str, extract_date: date | str, load_id: int) -> Path:
    """The folder of one validated drop's site: `<data_docs_dir>/<la_code>/<date>_load<id>/`."""
    return config.docs_dir() / la_code / f"{extract_date}_load{load_id}"


def site_index(config: ValidationConfig, la_code: str, extract_date: date | str, load_id: int) -> Path | None:
    """That site's index page, when one was written (`data_docs`: always, failed, never)."""
    page = site_dir(config, la_code, extract_date, load_id) / INDEX
    return page if page.is_file() else None


@dataclass(frozen=True)
class FailedCheck:
    description: str  # the check's contract text and rule id, as the table's page shows it
    severity: str  # blocking or warning
    rows: int | None  # rows breaking the rule (row checks only)
    error: bool = False  # the check could not run


@dataclass(frozen=True)
class TableResult:
    table: str
    success: bool
    evaluated: int
    failed: list[FailedCheck] = field(default_factory=list)


def make_site_offline(site: Path, tables: list[TableResult], title: str) -> Path:
    """Make every page of `site` local-only and write its index; returns the index page."""
    for sub, name in ((STYLESHEET, "csc_data_docs.css"), (SCRIPT, "csc_data_docs.js")):
        target = site / sub
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC / name, target)
    for page in sorted(site.rglob("*.html")):
        if page != site / INDEX:
            page.write_text(localised(page.read_text(encoding="utf-8"), site, page), encoding="utf-8")
    index = site / INDEX
    index.write_text(index_page(site, tables, title), encoding="utf-8")
    return index


# -- one page ------------------------------------------------------------------------------------

_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)[^>]*>\s*</script\s*>", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?((?:https?:)?//[^'\")]*)['\"]?\s*\)", re.IGNORECASE)


def _attr(tag: str, name: str) -> str | None:
    found = re.search(rf"\b{name}\s*=\s*(\"([^\"]*)\"|'([^']*)'|([^\s>]+))", tag, re.IGNORECASE)
    return None if found is None else next(g for g in found.groups()[1:] if g is not None)


def _remote(url: str | None) -> bool:
    """A URL the browser would fetch from another host: http(s) or scheme-relative."""
    return bool(url and re.match(r"(?i)(https?:)?//", url.strip()))


def localised(text: str, site: Path, page: Path) -> str:
    """One GX page with no asset from outside the site: CDN links and scripts removed, our own
    stylesheet and script linked, remote images replaced by the site's copy (or dropped), as is a
    local asset the site lacks, and links to pages the site lacks made plain text."""
    up = Path(os.path.relpath(site, page.parent)).as_posix()
    prefix = "" if up == "." else up + "/"

    def site_file(url: str, remote_copy: Path | None) -> Path | None:
        """The file of the site a reference should point at: itself when it exists; GX's favicon
        link, which climbs one folder too few from a validation page, under `static/`; for a remote
        URL, `remote_copy` (the site's copy of GX's logo)."""
        path = urlsplit(url).path
        if _remote(url):
            return remote_copy
        if (page.parent / path).is_file():
            return page.parent / path
        return site / path[path.index("static/"):] if "static/" in path else None

    def asset(tag: str, url: str | None, remote_copy: Path | None = None) -> str:
        """The tag pointing at a file of the site, or nothing when the site has no such file."""
        if not url:
            return tag
        local = site_file(url, remote_copy)
        if local is None or not local.is_file():
            return ""
        return tag.replace(url, os.path.relpath(local, page.parent).replace(os.sep, "/"))

    def image(m: re.Match) -> str:
        src = _attr(m.group(0), "src")
        return asset(m.group(0), src, site / "static" / "images" / Path(urlsplit(src or "").path).name)

    text = _LINK.sub(lambda m: asset(m.group(0), _attr(m.group(0), "href")), text)
    text = _SCRIPT.sub(lambda m: asset(m.group(0), m.group(1)), text)
    text = _IMG.sub(image, text)
    text = _CSS_URL.sub("none", text)  # the dark theme's logo, from GX's web server

    def anchor(m: re.Match) -> str:
        href = _attr(m.group(0), "href") or ""
        if not href or href.startswith("#") or urlsplit(href).scheme or _remote(href):
            return m.group(0)
        target = (page.parent / urlsplit(href).path).resolve()
        return m.group(0) if target.exists() else m.group(2)

    text = _ANCHOR.sub(anchor, text)
    text = text.replace("</head>", f'<link rel="stylesheet" href="{prefix}{STYLESHEET}">\n</head>', 1)
    return text.replace("</body>", f'<script src="{prefix}{SCRIPT}"></script>\n</body>', 1)


# -- the index -----------------------------------------------------------------------------------

def _table_page(site: Path, table: str) -> Path | None:
    """The table's validation page (the newest, should the site hold more than one run)."""
    pages = sorted((site / "validations" / table).rglob("*.html"))
    return pages[-1] if pages else None


def _count(check: FailedCheck) -> str:
    if check.error:
        return " (could not run)"
    return "" if check.rows is None else f" — {check.rows:,} row{'s' * (check.rows != 1)}"


def index_page(site: Path, tables: list[TableResult], title: str) -> str:
    """The site's front page: one row per table (its status, checks run and failed, a link to its
    page), the failed checks listed under it; failed tables first."""
    e = html.escape
    ordered = sorted(tables, key=lambda t: (t.success, t.table))
    blocking = sum(1 for t in tables for f in t.failed if f.severity == "blocking")
    warnings = sum(1 for t in tables for f in t.failed if f.severity != "blocking")
    rows = []
    for t in ordered:
        page = _table_page(site, t.table)
        name = f'<a href="{e(page.relative_to(site).as_posix())}">{e(t.table)}</a>' if page else e(t.table)
        if t.success:
            status = '<span class="csc-status csc-passed">passed</span>'
        elif any(f.severity == "blocking" for f in t.failed):
            status = '<span class="csc-status csc-blocking">blocking</span>'
        else:
            status = '<span class="csc-status csc-warning">warning</span>'
        checks = "".join(f'<li class="csc-check-{e(f.severity)}">{e(f.description)}{_count(f)} '
                         f'<em>{e(f.severity)}</em></li>' for f in t.failed)
        rows.append(f"<tr><td>{status}</td><td>{name}</td><td class=\"csc-number\">{t.evaluated}</td>"
                    f"<td class=\"csc-number\">{len(t.failed)}</td>"
                    f"<td>{'<ul>' + checks + '</ul>' if checks else ''}</td></tr>")
    summary = (f"{len(tables)} table(s) validated: {blocking} blocking check(s) and {warnings} warning(s) failed."
               if tables else "No table was validated.")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{e(title)}</title>
<link rel="stylesheet" href="{STYLESHEET}">
</head>
<body>
<nav class="navbar border-bottom"><span class="navbar-brand">Data Docs</span></nav>
<main class="container-fluid pt-4 pb-4 pl-5 pr-5">
<h1>{e(title)}</h1>
<p class="lead">{e(summary)} Each table's page lists every check, its rule, whether it passed and the
number of rows breaking it; the report (<code>csc validation show</code>) gives up to five row numbers.</p>
<table class="table csc-index">
<thead><tr><th>Status</th><th>Table</th><th>Checks</th><th>Failed</th><th>Failed checks</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>
<script src="{SCRIPT}"></script>
</body>
</html>
"""
