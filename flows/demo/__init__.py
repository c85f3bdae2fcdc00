"""A deterministic demo inbox: every channel's export in its native shape, with planted defects."""
