"""The report page: one self-contained HTML file (inline CSS, inline SVG, no scripts, no links out)."""

from __future__ import annotations

import jinja2

from csc_pipeline.contract.measures import NOT_APPLICABLE, SUPPRESSED, UNAVAILABLE
from .tables import MARKER_NOTES, MARKERS, NO_FIGURE, breakdown_name, display

CSS = """
:root { --text: #0b0c0c; --muted: #505a5f; --rule: #b1b4b6; --band: #12436D; --shade: #f3f2f1;
        --highlight: #e8f1f8; --warn: #f47738; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff;
       font: 16px/1.45 Arial, "Liberation Sans", Helvetica, sans-serif; }
.masthead { background: var(--band); color: #fff; padding: 20px 0 22px; }
.wrap { max-width: 1080px; margin: 0 auto; padding: 0 28px; }
.masthead .service { margin: 0; font-size: 15px; letter-spacing: .02em; opacity: .92; }
.masthead h1 { margin: 4px 0 0; font-size: 32px; line-height: 1.2; }
.masthead .subtitle { margin: 4px 0 0; font-size: 20px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 22px 0 8px;
          font-size: 15px; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.status { display: inline-block; padding: 1px 8px; font-weight: bold; font-size: 14px; border: 2px solid; }
.status.final { color: #00703c; }
.status.provisional { color: #6f3000; background: #fff3e6; border-color: var(--warn); }
.notice { border-left: 6px solid var(--band); background: var(--shade); padding: 12px 16px; margin: 18px 0; }
.notice h2 { font-size: 18px; margin: 0 0 6px; }
.notice dl { margin: 0; display: grid; grid-template-columns: 2.2em 1fr; gap: 2px 6px; font-size: 15px; }
.notice dt { font-weight: bold; text-align: center; }
.notice dd { margin: 0; }
nav.contents ol { columns: 2; margin: 6px 0 0; padding-left: 22px; }
nav.contents a { color: #1d70b8; }
h2.section { font-size: 26px; margin: 40px 0 6px; padding-top: 10px; border-top: 4px solid var(--band); }
figure.chart { margin: 18px 0 26px; max-width: 760px; }
figure.chart figcaption { font-weight: bold; font-size: 17px; margin-bottom: 6px; }
figure.chart svg { display: block; width: 100%; height: auto; }
article.measure { margin: 24px 0 30px; break-inside: avoid; }
article.measure h3 { font-size: 19px; margin: 0 0 2px; }
p.definition { margin: 0 0 8px; color: var(--muted); font-size: 14px; max-width: 860px; }
p.definition code { font-size: 12px; color: var(--muted); background: var(--shade); padding: 0 4px; }
p.not-yet { margin: 6px 0; padding: 8px 12px; border: 1px dashed var(--rule); color: var(--muted);
            font-style: italic; max-width: 860px; }
table { border-collapse: collapse; font-size: 15px; width: 100%; max-width: 920px; }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--text); text-align: right; font-size: 14px; white-space: nowrap; }
thead th:first-child, thead th.text { text-align: left; }
tbody th { text-align: left; font-weight: normal; max-width: 520px; }
td.num, thead th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; width: 6.2em; }
.current { background: var(--highlight); font-weight: bold; }
tr.total th, tr.total td { font-weight: bold; }
tr.group th { background: var(--shade); font-weight: bold; font-size: 14px; padding-top: 8px; }
tr.missing th { color: var(--muted); font-style: italic; }
span.prov { display: block; font-weight: normal; font-size: 12px; color: #6f3000; }
td .marker, td.marker { color: var(--muted); font-style: italic; }
a.marker { text-decoration: none; border-bottom: 1px dotted var(--muted); }
p.table-notes { font-size: 13px; color: var(--muted); margin: 4px 0 0; max-width: 860px; }
p.note { font-size: 14px; margin: 6px 0; max-width: 860px; }
.summary h2 { font-size: 24px; margin: 22px 0 4px; }
.summary p.lead { margin: 0 0 10px; font-size: 15px; max-width: 900px; }
table.headlines td, table.headlines th { padding: 4px 10px; }
table.headlines td.change { white-space: nowrap; color: var(--muted); }
table.headlines td.target { font-size: 14px; }
.target.met { color: #00703c; font-weight: bold; }
.target.not-met { color: #942514; font-weight: bold; }
.target.unknown { color: var(--muted); font-style: italic; }
nav.section-nav { font-size: 14px; margin: 0 0 12px; }
nav.section-nav a { color: #1d70b8; margin-right: 14px; }
.measure-body { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
.measure-body > table { flex: 1 1 560px; }
figure.trend { flex: 0 1 320px; margin: 0; }
figure.trend svg { display: block; width: 100%; height: auto; }
figure.trend figcaption { font-size: 12px; color: var(--muted); }
span.code { color: var(--muted); font-size: 13px; white-space: nowrap; }
section.appendix table { font-size: 13px; }
section.appendix code { font-size: 12px; }
footer { margin: 48px 0 30px; padding-top: 12px; border-top: 2px solid var(--text); font-size: 14px; }
footer dl { display: grid; grid-template-columns: 2.2em 1fr; gap: 2px 6px; }
footer dt { font-weight: bold; text-align: center; }
footer dd { margin: 0; }
@page { size: A4; margin: 12mm 11mm 14mm; }
@media print {
  body { font-size: 9pt; line-height: 1.3; }
  .wrap { max-width: none; padding: 0; }
  .masthead { background: none; color: var(--text); border-bottom: 3px solid var(--text); padding: 0 0 6px; }
  .masthead h1 { font-size: 20pt; }
  .masthead .subtitle { font-size: 13pt; }
  nav.contents, nav.section-nav, section.reading { display: none; }
  section.summary { break-after: page; }
  .summary h2 { font-size: 15pt; margin-top: 10px; }
  dl.meta { font-size: 9pt; margin: 8px 0 4px; }
  h2.section { break-before: page; font-size: 15pt; margin: 0 0 4px; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 6px; }
  thead th { font-size: 8pt; }
  article.measure { margin: 8px 0 10px; break-inside: auto; }
  article.measure h3 { font-size: 10.5pt; break-after: avoid; }
  tr, figure.trend { break-inside: avoid; }
  figure.chart { margin: 6px 0 10px; max-width: 520px; break-inside: avoid; }
  figure.chart figcaption { font-size: 10pt; }
  figure.trend { flex-basis: 250px; }
  .measure-body > table { flex-basis: 430px; }
  .measure-body.long > table { flex-basis: 100%; max-width: none; }
  p.table-notes, p.note { font-size: 8pt; }
  .current { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ council.la_name }}: {{ title }}</title>
<style>{{ css | safe }}</style>
</head>
<body>
{%- macro cell(value, unit) -%}
{%- if value is none -%}<span class="marker" title="{{ notes[no_figure] }}">{{ no_figure }}</span>
{%- elif value in markers -%}<a class="marker" href="#note-{{ value }}" title="{{ notes[value] }}">{{ value }}</a>
{%- else -%}{{ display(value, unit) }}{%- endif -%}
{%- endmacro %}
{%- macro section_nav(i) -%}
<nav class="section-nav" aria-label="Sections"><a href="#summary">Summary</a><a href="#contents">Contents</a>
  {%- if i > 0 %}<a href="#{{ sections[i - 1].anchor }}">&larr; {{ sections[i - 1].title }}</a>{% endif %}
  {%- if i + 1 < sections|length %}<a href="#{{ sections[i + 1].anchor }}">{{ sections[i + 1].title }} &rarr;</a>{% endif %}</nav>
{%- endmacro %}
<header class="masthead">
  <div class="wrap">
    <p class="service">{{ service }}</p>
    <h1>{{ council.la_name }}</h1>
    <p class="subtitle">{{ title }}</p>
  </div>
</header>
<main class="wrap">
<section class="summary" id="summary" aria-labelledby="summary-title">
<dl class="meta">
  <dt>Period</dt><dd>{{ period_text }}</dd>
  <dt>Status</dt><dd><span class="status {{ 'final' if period.is_complete else 'provisional' }}">{{ status }}</span>
    {%- if not period.is_complete %} figures to {{ long_date(period.end) }}{% endif %}</dd>
  <dt>Source</dt><dd>The council's case-system records as extracted on {{ long_date(period.source_extract_date) }}{{ published_text }}</dd>
  <dt>Generated</dt><dd>{{ generated_at }}</dd>
</dl>
<h2 id="summary-title">Summary of the {{ period_word }}</h2>
<p class="lead">The main figures for {{ period.label }}{% if summary_before %}, each beside {{ summary_before }}{% endif %}.
{%- if has_targets %} Where the council has set a target, the last column says whether it was met.{% endif %}
Percentages are of the children or cases they count; a change in a percentage is in percentage points.</p>
<table class="headlines" data-summary="headlines">
  <caption>Summary of {{ period.label }}</caption>
  <thead><tr><th scope="col">Figure</th><th scope="col" class="num current">{{ period.label }}</th>
    {%- if summary_before %}<th scope="col" class="num">{{ summary_before }}</th><th scope="col" class="text">Change</th>{% endif %}
    {%- if has_targets %}<th scope="col" class="text">Target</th>{% endif %}</tr></thead>
  <tbody>
  {%- for h in summary %}
  <tr data-measure="{{ h.measure_id }}"><th scope="row">{{ h.title }}</th>
    <td class="num current">{{ cell(h.value, h.unit) }}</td>
    {%- if summary_before %}<td class="num">{{ cell(h.previous, h.unit) }}</td><td class="change">{{ h.change_text }}</td>{% endif %}
    {%- if has_targets %}<td class="target">{% if h.status %}<span class="target {{ h.status_kind }}">{{ h.status }}</span>{% endif %}</td>{% endif %}
  </tr>
  {%- endfor %}
  </tbody>
</table>
<p class="table-notes">{% for marker in markers %}<strong>{{ marker }}</strong> {{ short_notes[marker] }}; {% endfor %}
a change is shown as <strong>c</strong> when either figure is suppressed, since it could reveal the figure.</p>
</section>

<nav class="contents" id="contents" aria-label="Contents">
  <strong>Contents</strong>
  <ol><li><a href="#summary">Summary</a></li>{% for section in sections %}<li><a href="#{{ section.anchor }}">{{ section.title }}</a></li>{% endfor %}<li><a href="#appendix">Technical appendix</a></li></ol>
</nav>

<section class="notice reading" aria-labelledby="reading">
  <h2 id="reading">Reading these tables</h2>
  <p class="note">{{ columns_text }} The latest period is shaded. Only figures as they may be
  published are shown: small numbers are suppressed.</p>
  <dl>
  {%- for marker in all_markers %}
    <dt>{{ marker }}</dt><dd>{{ notes[marker] }}</dd>
  {%- endfor %}
  </dl>
</section>

{% for section in sections %}
{%- set si = loop.index0 %}
<section aria-labelledby="{{ section.anchor }}">
<h2 class="section" id="{{ section.anchor }}">{{ section.title }}</h2>
{{ section_nav(si) }}
{% for chart in charts.get(section.title, []) %}
<figure class="chart">
  <figcaption>{{ chart.title }}</figcaption>
  {{ chart.svg | safe }}
</figure>
{% endfor %}
{% for table in section.tables %}
<article class="measure" id="m-{{ table.measure.measure_id }}">
  <h3>{{ table.title }}</h3>
  {%- if not table.available %}
  <p class="not-yet" data-measure="{{ table.measure.measure_id }}">Not yet available: this figure is not produced yet.</p>
  {%- else %}
  {%- if table.note %}<p class="note">{{ table.note }}</p>{% endif %}
  <div class="measure-body{{ ' long' if table.rows|length > 3 }}">
  <table data-measure="{{ table.measure.measure_id }}">
    <caption>{{ table.title }}{% if table.unit == 'percent' %} (percentage){% endif %}, {{ columns[0].label }} to {{ columns[-1].label }}</caption>
    <thead><tr><th scope="col">{{ 'Breakdown' if table.rows|length > 1 else '' }}</th>
    {%- for column in columns %}<th scope="col" class="num{{ ' current' if loop.last }}">{{ column.label }}
      {%- if not column.is_complete %}<span class="prov">provisional</span>{% endif %}</th>{% endfor %}</tr></thead>
    <tbody>
    {%- for breakdown, rows in table.groups() %}
      {%- if breakdown != 'total' %}
      <tr class="group"><th scope="colgroup" colspan="{{ columns|length + 1 }}">By {{ breakdown_name(breakdown) }}</th></tr>
      {%- endif %}
      {%- for row in rows %}
      <tr class="{{ 'total' if row.is_total else 'value' }}" data-breakdown="{{ row.breakdown }}" data-value="{{ row.breakdown_value }}">
        <th scope="row">{% if row.is_total %}Total{% elif row.code_shown %}{{ row.label }} <span class="code">({{ row.breakdown_value }})</span>{% elif row.label %}{{ row.label }}{% else %}{{ row.breakdown_value }}{% endif %}</th>
        {%- for value in row.values %}
        <td class="num{{ ' current' if loop.last }}" data-period="{{ columns[loop.index0].label }}">{{ cell(value, table.unit) }}</td>
        {%- endfor %}
      </tr>
      {%- endfor %}
    {%- endfor %}
    {%- for breakdown in table.missing_breakdowns %}
      <tr class="missing"><th scope="row" colspan="{{ columns|length + 1 }}">By {{ breakdown_name(breakdown) }}: not yet available</th></tr>
    {%- endfor %}
    </tbody>
  </table>
  {%- set trend = trends.get(table.measure.measure_id) %}
  {%- if trend %}
  <figure class="trend">{{ trend.svg | safe }}<figcaption>{{ trend.title }}</figcaption></figure>
  {%- endif %}
  </div>
  {%- set caseloads = distributions.get(table.measure.measure_id) %}
  {%- if caseloads %}
  <p class="note" data-distribution="{{ table.measure.measure_id }}">{{ caseloads.text }}</p>
  {%- if caseloads.chart %}<figure class="chart">
    <figcaption>{{ caseloads.chart.title }}</figcaption>
    {{ caseloads.chart.svg | safe }}
  </figure>{% endif %}
  {%- endif %}
  {%- set used = table.markers() %}
  {%- if used %}
  <p class="table-notes">{% for marker in used %}<strong>{{ marker }}</strong> {{ short_notes[marker] }}{{ '; ' if not loop.last else '.' }}{% endfor %}</p>
  {%- endif %}
  {%- endif %}
</article>
{% endfor %}
</section>
{% endfor %}

<section class="appendix" aria-labelledby="appendix">
<h2 class="section appendix" id="appendix">Technical appendix</h2>
<p class="note">For analysts reproducing these figures. Each figure is read from the warehouse's published
relation <code>marts.performance_measures</code>, column <code>published_value</code>, for council
{{ council.la_code }}; {{ publication }}. The measure identifier names the figure in that relation,
in the council's CSV and XLSX files and in the open data.</p>
<table class="definitions">
  <caption>Measure definitions</caption>
  <thead><tr><th scope="col">Figure</th><th scope="col">Measure</th><th scope="col">Definition</th></tr></thead>
  <tbody>
  {%- for section in sections %}{% for table in section.tables %}
  <tr><th scope="row">{{ table.title }}</th><td><code>{{ table.measure.measure_id }}</code></td><td>{{ table.measure.definition }}</td></tr>
  {%- endfor %}{% endfor %}
  </tbody>
</table>
</section>

<footer>
  <h2>Notes</h2>
  <dl>
  {%- for marker in all_markers %}
    <dt id="note-{{ marker if marker in markers else 'none' }}">{{ marker }}</dt><dd>{{ notes[marker] }}</dd>
  {%- endfor %}
  </dl>
  <p>A figure shown as "not yet available" is not yet produced by the reporting pipeline.
  Generated {{ generated_at }}.</p>
</footer>
</main>
</body>
</html>
"""

SHORT_NOTES = {
    SUPPRESSED: "suppressed to protect children's privacy",
    NOT_APPLICABLE: "not applicable",
    UNAVAILABLE: "not available (source table not supplied)",
    NO_FIGURE: "no figure for this period",
}

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False)
_TEMPLATE = _ENV.from_string(TEMPLATE)


def render_page(**context) -> str:
    return _TEMPLATE.render(
        css=CSS, markers=MARKERS, no_figure=NO_FIGURE, notes=MARKER_NOTES, short_notes=SHORT_NOTES,
        all_markers=[*MARKERS, NO_FIGURE], display=display, breakdown_name=breakdown_name, **context,
    )
