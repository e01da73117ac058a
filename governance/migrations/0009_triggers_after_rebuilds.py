from django.db import migrations

from places import content_version


class Migration(migrations.Migration):
    # 0005 altered the people's table; SQLite rebuilt it and dropped its trigger.
    dependencies = [
        ("governance", "0008_meeting_content_version"),
        ("places", "0004_content_version"),
    ]

    operations = [
        migrations.RunPython(
            content_version.reinstall_for("governance"), migrations.RunPython.noop
        )
    ]
