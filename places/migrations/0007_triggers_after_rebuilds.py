from django.db import migrations

from places import content_version


class Migration(migrations.Migration):
    # 0005 and 0006 altered places' tables; SQLite rebuilt them and dropped their triggers.
    dependencies = [("places", "0006_fact_kinds_of_every_record")]

    operations = [
        migrations.RunPython(content_version.reinstall_for("places"), migrations.RunPython.noop)
    ]
