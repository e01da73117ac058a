from django.db import migrations

from places import content_version

# Meetings, agendas, attendance, interests, declarations, decisions, actions and papers show on
# board pages: their writes change the content version. Notifications and calendar keys are a
# user's own and show on no shared page (places.content_version.EXCLUDED).
TABLES = [
    "governance_meeting",
    "governance_agendaitem",
    "governance_agendaitem_organisations",
    "governance_paper",
    "governance_attendance",
    "governance_interest",
    "governance_declaration",
    "governance_decision",
    "governance_action",
]


def install_trigger(apps, schema_editor):
    content_version.install(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0007_notifications"),
        ("places", "0004_content_version"),
    ]

    # Reversing drops the tables (0006), and their triggers with them.
    operations = [migrations.RunPython(install_trigger, migrations.RunPython.noop)]
