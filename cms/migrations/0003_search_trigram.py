"""Search of the standard finds substrings (Chinese has no spaces between words). On PostgreSQL,
a pg_trgm GIN index serves `search_text LIKE '%…%'`; SQLite needs nothing."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "cms_standarditem_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON cms_standarditem "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_standard")]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; a no-op on other databases.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
