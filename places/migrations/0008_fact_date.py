from django.db import migrations, models

from places import content_version


class Migration(migrations.Migration):
    dependencies = [("places", "0007_triggers_after_rebuilds")]

    # On SQLite, adding the fields and the constraint rebuilds the facts table and drops its
    # content-version trigger: put it back afterwards, and again after reversing.
    operations = [
        migrations.RunPython(migrations.RunPython.noop, content_version.reinstall_for("places")),
        migrations.AddField(
            model_name="fact",
            name="date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="fact",
            name="date_precision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("day", "Day"),
                    ("month", "Month"),
                    ("quarter", "Quarter of a financial year"),
                    ("financial_year", "Financial year"),
                    ("year", "Year"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="fact",
            constraint=models.CheckConstraint(
                condition=models.Q(("date__isnull", True), ("date_precision", ""))
                | models.Q(
                    ("date__isnull", False), models.Q(("date_precision", ""), _negated=True)
                ),
                name="fact_date_has_precision",
                violation_error_message="A date needs its precision, and a precision its date.",
            ),
        ),
        migrations.RunPython(content_version.reinstall_for("places"), migrations.RunPython.noop),
    ]
