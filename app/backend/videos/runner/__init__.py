"""Running one claimed job, the same under every queue backend."""
