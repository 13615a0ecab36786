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
thead th:first-child { text-align: left; }
tbody th { text-align: left; font-weight: normal; max-width: 520px; }
td.num, thead th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; width: 6.2em; }
.current { background: var(--highlight); font-weight: bold; }
tr.total th, tr.total td { font-weight: bold; }
tr.group th { background: var(--shade); font-weight: bold; font-size: 14px; padding-top: 8px; }
tr.missing th { color: var(--muted); font-style: italic; }
span.coded { display: block; padding-left: 3.8em; text-indent: -3.8em; }
span.code { display: inline-block; min-width: 3.8em; text-indent: 0; font-weight: bold; }
span.prov { display: block; font-weight: normal; font-size: 12px; color: #6f3000; }
td .marker, td.marker { color: var(--muted); font-style: italic; }
a.marker { text-decoration: none; border-bottom: 1px dotted var(--muted); }
p.table-notes { font-size: 13px; color: var(--muted); margin: 4px 0 0; max-width: 860px; }
p.note { font-size: 14px; margin: 6px 0; max-width: 860px; }
footer { margin: 48px 0 30px; padding-top: 12px; border-top: 2px solid var(--text); font-size: 14px; }
footer dl { display: grid; grid-template-columns: 2.2em 1fr; gap: 2px 6px; }
footer dt { font-weight: bold; text-align: center; }
footer dd { margin: 0; }
@media print {
  body { font-size: 11pt; }
  .masthead { background: none; color: var(--text); border-bottom: 3px solid var(--text); }
  nav.contents { display: none; }
  h2.section { break-before: page; }
  .current { background: none; }
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
<header class="masthead">
  <div class="wrap">
    <p class="service">{{ service }}</p>
    <h1>{{ council.la_name }}</h1>
    <p class="subtitle">{{ title }}</p>
  </div>
</header>
<main class="wrap">
<dl class="meta">
  <dt>Council</dt><dd>{{ council.la_name }} ({{ council.la_code }})</dd>
  <dt>Period</dt><dd>{{ period_text }}</dd>
  <dt>Status</dt><dd><span class="status {{ 'final' if period.is_complete else 'provisional' }}">{{ status }}</span>
    {%- if not period.is_complete %} figures to {{ long_date(period.end) }}{% endif %}</dd>
  <dt>Source</dt><dd>The case-system extract of {{ long_date(period.source_extract_date) }}
    (source_extract_date {{ period.source_extract_date.isoformat() }}), {{ publication }}</dd>
  <dt>Generated</dt><dd>{{ generated_at }}</dd>
</dl>

<section class="notice" aria-labelledby="reading">
  <h2 id="reading">Reading these tables</h2>
  <p class="note">{{ columns_text }} The latest period is shaded. Only figures as they may be
  published are shown: small numbers are suppressed.</p>
  <dl>
  {%- for marker in all_markers %}
    <dt>{{ marker }}</dt><dd>{{ notes[marker] }}</dd>
  {%- endfor %}
  </dl>
</section>

<nav class="contents" aria-label="Contents">
  <strong>Contents</strong>
  <ol>{% for section in sections %}<li><a href="#{{ section.anchor }}">{{ section.title }}</a></li>{% endfor %}</ol>
</nav>

{% for section in sections %}
<section aria-labelledby="{{ section.anchor }}">
<h2 class="section" id="{{ section.anchor }}">{{ section.title }}</h2>
{% for chart in charts.get(section.title, []) %}
<figure class="chart">
  <figcaption>{{ chart.title }}</figcaption>
  {{ chart.svg | safe }}
</figure>
{% endfor %}
{% for table in section.tables %}
<article class="measure" id="m-{{ table.measure.measure_id }}">
  <h3>{{ table.title }}</h3>
  <p class="definition">{{ table.measure.definition }} <code>{{ table.measure.measure_id }}</code></p>
  {%- if not table.available %}
  <p class="not-yet" data-measure="{{ table.measure.measure_id }}">Not yet available: the pipeline does not publish this measure yet.</p>
  {%- else %}
  {%- if table.note %}<p class="note">{{ table.note }}</p>{% endif %}
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
        <th scope="row">{% if row.is_total %}Total{% elif row.label %}<span class="coded"><span class="code">{{ row.breakdown_value }}</span>{{ row.label }}</span>{% else %}{{ row.breakdown_value }}{% endif %}</th>
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
  {%- set used = table.markers() %}
  {%- if used %}
  <p class="table-notes">{% for marker in used %}<strong>{{ marker }}</strong> {{ short_notes[marker] }}{{ '; ' if not loop.last else '.' }}{% endfor %}</p>
  {%- endif %}
  {%- endif %}
</article>
{% endfor %}
</section>
{% endfor %}

<footer>
  <h2>Notes</h2>
  <dl>
  {%- for marker in all_markers %}
    <dt id="note-{{ marker if marker in markers else 'none' }}">{{ marker }}</dt><dd>{{ notes[marker] }}</dd>
  {%- endfor %}
  </dl>
  <p>Figures are read from the warehouse's published relation <code>marts.performance_measures</code>
  (column <code>published_value</code>) and follow its definitions. A measure shown as "not yet
  available" is not yet produced by the reporting pipeline. Generated {{ generated_at }}.</p>
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
