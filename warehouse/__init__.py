"""The warehouse: SQL files per layer (raw, staging, core, ops) and the code that applies them."""
