from django.db import migrations

from metrics import observation_keys


class Migration(migrations.Migration):
    # The next migrations of places rebuild places_document on SQLite, which SQLite's
    # observation key triggers name: they come off first and go back on in
    # 0010_national_metrics_system_uses (PostgreSQL keeps its triggers throughout).
    dependencies = [("metrics", "0009_import_jobs")]

    operations = [
        migrations.RunPython(observation_keys.unreinstall, observation_keys.reinstall),
    ]
