"""The review app's pages, in sidebar order: script, title (i18n key), address. app.py declares
them; the benchmark and the tests walk them."""

PAGES = (
    ("views/overview.py", "overview", ""),
    ("views/complaints.py", "complaints", "complaints"),
    ("views/sla.py", "sla", "sla"),
    ("views/repeats.py", "repeats", "repeats"),
    ("views/problem_types.py", "problem_types", "problem_types"),
    ("views/departments.py", "departments", "departments"),
    ("views/complaint.py", "complaint", "complaint"),
    ("views/plans.py", "plans", "plans"),
    ("views/data_quality.py", "data_quality", "data_quality"),
    ("views/audit.py", "audit", "audit"),  # administrators only
)
SCRIPTS = tuple(script for script, _, _ in PAGES)
