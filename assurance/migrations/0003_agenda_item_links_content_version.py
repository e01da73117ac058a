from django.db import migrations

from places import content_version

# An agenda item's metrics and risks show in its board's pack and pages.
TABLES = ["assurance_agendaitemmetric", "assurance_agendaitemrisk"]


def install_trigger(apps, schema_editor):
    content_version.install(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("assurance", "0002_agenda_item_links"),
        ("places", "0004_content_version"),
    ]

    # Reversing drops the tables (0002), and their triggers with them.
    operations = [migrations.RunPython(install_trigger, migrations.RunPython.noop)]
