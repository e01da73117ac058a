"""Record the carries made before they were recorded: a successor's series whose observations
before a merger, replacement or rename were copied from its predecessor's (their notes say
"Carried over from ...") is carried from it from now on, so later corrections reach it."""

from django.db import migrations

CARRIED_KINDS = ("merger", "replacement", "rename")


def record_carries(apps, schema_editor):
    Succession = apps.get_model("governance", "OrganisationSuccession")
    Series = apps.get_model("metrics", "Series")
    Observation = apps.get_model("metrics", "Observation")
    SeriesCarry = apps.get_model("metrics", "SeriesCarry")
    successions = Succession.objects.filter(
        kind__in=CARRIED_KINDS, successor__isnull=False, date__isnull=False
    )
    for succession in successions:
        for source in Series.objects.filter(organisation_id=succession.predecessor_id):
            target = Series.objects.filter(
                metric_id=source.metric_id, organisation_id=succession.successor_id
            ).first()
            if target is None or SeriesCarry.objects.filter(target=target).exists():
                continue
            copied = Observation.objects.filter(
                series=target,
                period_start__lt=succession.date,
                note__startswith="Carried over from ",
            )
            if copied.exists():
                SeriesCarry.objects.create(succession=succession, source=source, target=target)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0013_series_carry"),
    ]

    operations = [
        migrations.RunPython(record_carries, migrations.RunPython.noop),
    ]
