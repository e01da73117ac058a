"""The models that join the layers, taken over from governance and places with their tables,
history tables and content types as they were: no table is created and no row is copied."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# The models that came from each app; their content types (and so admin log entries, history
# and permissions, which refer to them by id) follow them here.
MOVED = {
    "governance": [
        "escalationroute",
        "historicalescalationroute",
        "risk",
        "historicalrisk",
        "riskmetric",
        "historicalriskmetric",
        "mitigatingaction",
        "historicalmitigatingaction",
        "riskreview",
        "riskescalation",
        "commitment",
        "historicalcommitment",
    ],
    "places": [
        "priorityoutcome",
        "historicalpriorityoutcome",
        "prioritymetric",
        "historicalprioritymetric",
        "financefigure",
        "financeprinciple",
    ],
}


def _relabel(apps, schema_editor, *, forward: bool) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    types = content_type.objects.using(schema_editor.connection.alias)
    for old_label, models in MOVED.items():
        source, target = (old_label, "assurance") if forward else ("assurance", old_label)
        for model in models:
            # A content type created for the new label before this ran would hold nothing yet;
            # the old one, with everything that refers to it, takes its place.
            if types.filter(app_label=source, model=model).exists():
                types.filter(app_label=target, model=model).delete()
                types.filter(app_label=source, model=model).update(app_label=target)


def content_types_move(apps, schema_editor):
    _relabel(apps, schema_editor, forward=True)


def content_types_move_back(apps, schema_editor):
    _relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("governance", "0004_move_risks_to_assurance"),
        ("metrics", "0005_observation_keys_per_statement"),
        ("places", "0005_move_links_and_finance_to_assurance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay; only Django's record of which app owns them changes.
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalCommitment",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("key", models.SlugField(max_length=80)),
                        ("programme", models.CharField(max_length=120)),
                        ("programme_slug", models.SlugField(max_length=80)),
                        ("text", models.TextField()),
                        ("target_year", models.CharField(blank=True, max_length=20)),
                        ("year_qualifier", models.CharField(blank=True, max_length=10)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        ("owner_note", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("not_stated", "Not given in the source"),
                                    ("not_started", "Not started"),
                                    ("on_track", "On track"),
                                    ("at_risk", "At risk"),
                                    ("met", "Met"),
                                    ("not_met", "Not met"),
                                ],
                                default="not_stated",
                                max_length=20,
                            ),
                        ),
                        ("status_note", models.TextField(blank=True)),
                        ("figures", models.JSONField(blank=True, default=list)),
                        ("note", models.TextField(blank=True)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        ("modified_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner_board",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="governance.board",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical Long Term Plan commitment",
                        "verbose_name_plural": "historical Long Term Plan commitments",
                        "db_table": "governance_historicalcommitment",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalEscalationRoute",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("text", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "board",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="governance.board",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical escalation route",
                        "verbose_name_plural": "historical escalation routes",
                        "db_table": "governance_historicalescalationroute",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalPriorityMetric",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("document", "Stated in a source document"),
                                    ("person", "Linked by a person in the portal"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reason", models.TextField()),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_change_reason", models.TextField(null=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "metric",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="metrics.metric",
                            ),
                        ),
                        (
                            "priority",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.priority",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical priority metric",
                        "verbose_name_plural": "historical priority metrics",
                        "db_table": "places_historicalprioritymetric",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalPriorityOutcome",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("document", "Stated in a source document"),
                                    ("person", "Linked by a person in the portal"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reason", models.TextField()),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_change_reason", models.TextField(null=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "outcome",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.outcome",
                            ),
                        ),
                        (
                            "priority",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.priority",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical priority outcome",
                        "verbose_name_plural": "historical priority outcomes",
                        "db_table": "places_historicalpriorityoutcome",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalRisk",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("key", models.SlugField(max_length=80)),
                        ("title", models.CharField(max_length=300)),
                        ("description", models.TextField(blank=True)),
                        ("likelihood", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("impact", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("identified", "Identified (not yet assessed)"),
                                    ("open", "Open"),
                                    ("closed", "Closed"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("review_date", models.DateField(blank=True, null=True)),
                        ("identified", models.CharField(blank=True, max_length=200)),
                        ("note", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("modified_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner_board",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="governance.board",
                            ),
                        ),
                        (
                            "place",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.place",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical risk",
                        "verbose_name_plural": "historical risks",
                        "db_table": "governance_historicalrisk",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Risk",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("key", models.SlugField(max_length=80, unique=True)),
                        ("title", models.CharField(max_length=300)),
                        ("description", models.TextField(blank=True)),
                        ("likelihood", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("impact", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("identified", "Identified (not yet assessed)"),
                                    ("open", "Open"),
                                    ("closed", "Closed"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("review_date", models.DateField(blank=True, null=True)),
                        ("identified", models.CharField(blank=True, max_length=200)),
                        ("note", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("modified_at", models.DateTimeField(auto_now=True)),
                        (
                            "owner_board",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="owned_risks",
                                to="governance.board",
                            ),
                        ),
                        (
                            "place",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="risks",
                                to="places.place",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="risks",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_risk",
                        "ordering": ["system", "place__name", "key"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalRiskMetric",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "metric",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="metrics.metric",
                            ),
                        ),
                        (
                            "risk",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="assurance.risk",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical risk metric",
                        "verbose_name_plural": "historical risk metrics",
                        "db_table": "governance_historicalriskmetric",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalMitigatingAction",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("description", models.TextField()),
                        ("owner", models.CharField(blank=True, max_length=200)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("done", "Done"),
                                    ("dropped", "Dropped"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("modified_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "risk",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="assurance.risk",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical mitigating action",
                        "verbose_name_plural": "historical mitigating actions",
                        "db_table": "governance_historicalmitigatingaction",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="RiskMetric",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "metric",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="metrics.metric",
                            ),
                        ),
                        (
                            "risk",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="metric_links",
                                to="assurance.risk",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_riskmetric",
                        "ordering": ["risk", "metric"],
                    },
                ),
                migrations.AddField(
                    model_name="risk",
                    name="metrics",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="risks",
                        through="assurance.RiskMetric",
                        to="metrics.metric",
                    ),
                ),
                migrations.CreateModel(
                    name="RiskReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reviewed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "decision",
                            models.CharField(
                                choices=[("kept", "Rating kept"), ("changed", "Rating changed")],
                                max_length=10,
                            ),
                        ),
                        ("reason", models.TextField()),
                        (
                            "likelihood_before",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("impact_before", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "likelihood_after",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("impact_after", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("evidence", models.JSONField(blank=True, default=list)),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "risk",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviews",
                                to="assurance.risk",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_riskreview",
                        "ordering": ["risk", "-reviewed_at", "-id"],
                        "get_latest_by": "reviewed_at",
                    },
                ),
                migrations.CreateModel(
                    name="Commitment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("key", models.SlugField(max_length=80, unique=True)),
                        ("programme", models.CharField(max_length=120)),
                        ("programme_slug", models.SlugField(max_length=80)),
                        ("text", models.TextField()),
                        ("target_year", models.CharField(blank=True, max_length=20)),
                        ("year_qualifier", models.CharField(blank=True, max_length=10)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        ("owner_note", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("not_stated", "Not given in the source"),
                                    ("not_started", "Not started"),
                                    ("on_track", "On track"),
                                    ("at_risk", "At risk"),
                                    ("met", "Met"),
                                    ("not_met", "Not met"),
                                ],
                                default="not_stated",
                                max_length=20,
                            ),
                        ),
                        ("status_note", models.TextField(blank=True)),
                        ("figures", models.JSONField(blank=True, default=list)),
                        ("note", models.TextField(blank=True)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        ("modified_at", models.DateTimeField(auto_now=True)),
                        (
                            "owner_board",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commitments",
                                to="governance.board",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Long Term Plan commitment",
                        "db_table": "governance_commitment",
                        "ordering": ["system", "order", "key"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source_line__isnull", True),
                                    ("source_document__isnull", False),
                                    _connector="OR",
                                ),
                                name="commitment_source_line_has_document",
                                violation_error_message="A source line needs a source document.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EscalationRoute",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("text", models.TextField(blank=True)),
                        (
                            "board",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="escalation_routes",
                                to="governance.board",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="escalation_route",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_escalationroute",
                        "ordering": ["system"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source_line__isnull", True),
                                    ("source_document__isnull", False),
                                    _connector="OR",
                                ),
                                name="escalation_route_source_line_has_document",
                                violation_error_message="A source line needs a source document.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FinanceFigure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("key", models.SlugField(max_length=80, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("underlying_position", "Underlying financial position"),
                                    ("efficiency_requirement", "Efficiency requirement"),
                                    ("efficiency_split", "Part of the efficiency requirement"),
                                    ("savings_opportunity", "Savings opportunity"),
                                    ("place_efficiency_target", "Place efficiency target"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("label", models.CharField(max_length=300)),
                        ("area", models.CharField(blank=True, max_length=200)),
                        ("value", models.FloatField(blank=True, null=True)),
                        ("unit", models.CharField(blank=True, max_length=40)),
                        ("as_written", models.CharField(blank=True, max_length=100)),
                        ("qualifier", models.CharField(blank=True, max_length=40)),
                        ("period", models.CharField(blank=True, max_length=60)),
                        ("basis", models.TextField(blank=True)),
                        ("note", models.TextField(blank=True)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="finance_figures",
                                to="governance.organisation",
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="parts",
                                to="assurance.financefigure",
                            ),
                        ),
                        (
                            "place",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="finance_figures",
                                to="places.place",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="finance_figures",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "places_financefigure",
                        "ordering": ["system", "kind", "order", "key"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("parent", models.F("id")), _negated=True),
                                name="finance_figure_not_its_own_part",
                                violation_error_message="A figure cannot be a part of itself.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source_line__isnull", True),
                                    ("source_document__isnull", False),
                                    _connector="OR",
                                ),
                                name="finance_figure_source_line_has_document",
                                violation_error_message="A source line needs a source document.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FinancePrinciple",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        ("number", models.PositiveSmallIntegerField()),
                        ("text", models.TextField()),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                        (
                            "system",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="finance_principles",
                                to="places.system",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "places_financeprinciple",
                        "ordering": ["system", "number"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("system", "number"),
                                name="finance_principle_unique_number",
                                violation_error_message="The system already has a principle with this number.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source_line__isnull", True),
                                    ("source_document__isnull", False),
                                    _connector="OR",
                                ),
                                name="finance_principle_source_line_has_document",
                                violation_error_message="A source line needs a source document.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PriorityMetric",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("document", "Stated in a source document"),
                                    ("person", "Linked by a person in the portal"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reason", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "metric",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="priority_links",
                                to="metrics.metric",
                            ),
                        ),
                        (
                            "priority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="metric_links",
                                to="places.priority",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "places_prioritymetric",
                        "ordering": ["priority", "metric"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("priority", "metric"),
                                name="priority_metric_unique",
                                violation_error_message="This metric is already linked to this priority.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source_line__isnull", True),
                                    ("source_document__isnull", False),
                                    _connector="OR",
                                ),
                                name="priority_metric_source_line_has_document",
                                violation_error_message="A source line needs a source document.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PriorityOutcome",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                        ("also_sources", models.JSONField(blank=True, default=list)),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("document", "Stated in a source document"),
                                    ("person", "Linked by a person in the portal"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reason", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "outcome",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="priority_links",
                                to="places.outcome",
                            ),
                        ),
                        (
                            "priority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="outcome_links",
                                to="places.priority",
                            ),
                        ),
                        (
                            "source_document",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="places.document",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "places_priorityoutcome",
                        "ordering": ["outcome", "priority"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("priority", "outcome"),
                                name="priority_outcome_unique",
                                violation_error_message="This priority is already linked to this outcome.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("source_line__isnull", True),
                                    ("source_document__isnull", False),
                                    _connector="OR",
                                ),
                                name="priority_outcome_source_line_has_document",
                                violation_error_message="A source line needs a source document.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="MitigatingAction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("description", models.TextField()),
                        ("owner", models.CharField(blank=True, max_length=200)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("done", "Done"),
                                    ("dropped", "Dropped"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("modified_at", models.DateTimeField(auto_now=True)),
                        (
                            "risk",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="actions",
                                to="assurance.risk",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_mitigatingaction",
                        "ordering": ["risk", "due_date", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("completed_on__isnull", True),
                                    ("status", "done"),
                                    _connector="OR",
                                ),
                                name="action_completed_only_when_done",
                                violation_error_message="Only a done action has a completion date.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RiskEscalation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("escalated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("reason", models.TextField()),
                        ("de_escalated_at", models.DateTimeField(blank=True, null=True)),
                        ("de_escalation_reason", models.TextField(blank=True)),
                        (
                            "board",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="escalated_risks",
                                to="governance.board",
                            ),
                        ),
                        (
                            "de_escalated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "escalated_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "risk",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="escalations",
                                to="assurance.risk",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "governance_riskescalation",
                        "ordering": ["risk", "-escalated_at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("de_escalated_at__isnull", True)),
                                fields=("risk",),
                                name="risk_one_open_escalation",
                                violation_error_message="This risk is already escalated.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("de_escalated_at__isnull", True),
                                    ("de_escalated_at__gte", models.F("escalated_at")),
                                    _connector="OR",
                                ),
                                name="risk_de_escalated_after_escalation",
                                violation_error_message="A risk is de-escalated after it was escalated.",
                            ),
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="riskmetric",
                    constraint=models.UniqueConstraint(
                        fields=("risk", "metric"),
                        name="risk_metric_unique",
                        violation_error_message="This metric is already linked to the risk.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="risk",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("likelihood__isnull", True),
                            models.Q(("likelihood__gte", 1), ("likelihood__lte", 5)),
                            _connector="OR",
                        ),
                        name="risk_likelihood_1_to_5",
                        violation_error_message="Likelihood is scored from 1 to 5.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="risk",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("impact__isnull", True),
                            models.Q(("impact__gte", 1), ("impact__lte", 5)),
                            _connector="OR",
                        ),
                        name="risk_impact_1_to_5",
                        violation_error_message="Impact is scored from 1 to 5.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="risk",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("source_line__isnull", True),
                            ("source_document__isnull", False),
                            _connector="OR",
                        ),
                        name="risk_source_line_has_document",
                        violation_error_message="A source line needs a source document.",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_move, content_types_move_back),
    ]
