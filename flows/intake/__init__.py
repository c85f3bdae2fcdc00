"""Reading each source's files into rows, and the row checks that decide what gets quarantined."""
