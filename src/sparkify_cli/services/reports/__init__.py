"""Read-only looks at the warehouse: the listening report (report.py, html.py), the run history and
status (history.py), ad-hoc queries and rejects (inspect.py)."""
