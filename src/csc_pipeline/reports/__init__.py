"""What leaves the warehouse: the annual IRO report, the quarterly pack and the publication history.

    report.render_annual_report / report.render_quarterly_pack   HTML, CSV and XLSX of one council
    history.changes / history.previous_publication              which published figures changed

`csc report` is cli/reports.py. Nothing is imported here, so reading the history does not load
the report's libraries (Jinja2, openpyxl).
"""
