"""PostgreSQL: ``sluis_utc_text(text)``, a feature property's time as UTC text, NULL if not one.

The OGC API ``datetime`` filter compares feature times inside the database. A plain
``::timestamptz`` cast raises on a value that is not a time (and reads ``now`` as one), so the
cast is wrapped in a function that answers NULL instead. SQLite's ``datetime()`` already does.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION sluis_utc_text(value text) RETURNS text AS $$
BEGIN
  IF value IS NULL OR value !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$' THEN
    RETURN NULL;
  END IF;
  RETURN to_char((value::timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS');
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$ LANGUAGE plpgsql STABLE PARALLEL SAFE SET TimeZone = 'UTC';
"""
DROP = "DROP FUNCTION IF EXISTS sluis_utc_text(text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
