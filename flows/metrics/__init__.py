"""Step-7 metrics: SLA clocks, repeat complaints, satisfaction and closure, as warehouse marts."""
