"""Let PostgreSQL update an observation in place (a HOT update: no new index entries).

An update can stay on its page, with no new entry in any of the table's indexes, when it
changes no indexed column and the page has room for the new version of the row. The upsert
changes the value, the batch and the time, so the batch is no longer indexed, and each page
of the table is filled only to FILLFACTOR percent when rows are inserted, leaving the rest for
the new versions of its rows (PostgreSQL's ``fillfactor`` storage parameter). SQLite has
neither, and needs neither.
"""

import django.db.models.deletion
from django.db import migrations, models

FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE metrics_observation SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE metrics_observation RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0014_series_carry_recorded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="observation",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="observations",
                to="metrics.importbatch",
            ),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
