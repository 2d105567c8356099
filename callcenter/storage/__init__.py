"""SQL storage: tables, migrations, the engine and the repositories (the system of record)."""
