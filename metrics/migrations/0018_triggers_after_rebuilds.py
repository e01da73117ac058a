from django.db import migrations

from metrics import observation_keys
from places import content_version


class Migration(migrations.Migration):
    # 0015 and 0017 altered the observation and change-log tables; SQLite rebuilt them and
    # dropped their triggers (the observation keys' and the content version's). PostgreSQL
    # keeps its triggers, and both functions leave it as it is.
    dependencies = [("metrics", "0017_change_log_batch_unindexed")]

    operations = [
        migrations.RunPython(observation_keys.reinstall, observation_keys.unreinstall),
        migrations.RunPython(content_version.reinstall_for("metrics"), migrations.RunPython.noop),
    ]
