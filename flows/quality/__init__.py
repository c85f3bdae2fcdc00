"""Data quality with Great Expectations: suites from expectations/*.json run on warehouse tables."""
