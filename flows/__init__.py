"""tousu intake: channel readers, the nightly Prefect flow, the demo inbox and the CLI."""
