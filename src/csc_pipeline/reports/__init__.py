"""What leaves the warehouse: the annual IRO report, the quarterly pack and the publication history.

    report.render_annual_report / report.render_quarterly_pack   HTML, CSV and XLSX of one council
    history.record_publication / history.changes                 which published figures changed
    cli.add_report_commands                                      `csc report`

Nothing is imported here, so the nightly run can import `publish.history` without
loading the report's libraries (Jinja2, openpyxl).
"""
