"""Bring your own export: sources declared by a mapping file, loaded like the built-in ones."""
