"""The Great Expectations suites (one JSON file per source or core table), shipped with the code."""
