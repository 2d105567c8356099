"""The call journal (issue 17): call writes kept while the database is unavailable."""
