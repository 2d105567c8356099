"""The audit log for administrators: who changed what, when and from where, filtered,
paginated newest first and exported (CSV, NDJSON)."""
