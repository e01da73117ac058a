from django.db import migrations

from metrics import observation_keys
from places import content_version


class Migration(migrations.Migration):
    # 0006 and 0007 altered metrics' tables; SQLite rebuilt them and dropped their triggers.
    dependencies = [("metrics", "0007_data_kinds_annotations_baselines")]

    operations = [
        migrations.RunPython(observation_keys.reinstall, observation_keys.unreinstall),
        migrations.RunPython(content_version.reinstall_for("metrics"), migrations.RunPython.noop),
    ]
