"""The priority links and the finance move to the assurance app, their tables and history tables
unchanged (assurance's 0001 takes them over in its state); an outcome's code is plain data."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0004_content_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outcome",
            name="code",
            field=models.SlugField(db_index=False, max_length=30),
        ),
        migrations.SeparateDatabaseAndState(
            # The tables stay; only Django's record of which app owns them changes.
            state_operations=[
                migrations.RemoveField(
                    model_name="financeprinciple",
                    name="source_document",
                ),
                migrations.RemoveField(
                    model_name="financeprinciple",
                    name="system",
                ),
                migrations.RemoveField(
                    model_name="historicalprioritymetric",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="historicalprioritymetric",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicalprioritymetric",
                    name="metric",
                ),
                migrations.RemoveField(
                    model_name="historicalprioritymetric",
                    name="priority",
                ),
                migrations.RemoveField(
                    model_name="historicalprioritymetric",
                    name="source_document",
                ),
                migrations.RemoveField(
                    model_name="historicalpriorityoutcome",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="historicalpriorityoutcome",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicalpriorityoutcome",
                    name="outcome",
                ),
                migrations.RemoveField(
                    model_name="historicalpriorityoutcome",
                    name="priority",
                ),
                migrations.RemoveField(
                    model_name="historicalpriorityoutcome",
                    name="source_document",
                ),
                migrations.RemoveField(
                    model_name="prioritymetric",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="prioritymetric",
                    name="metric",
                ),
                migrations.RemoveField(
                    model_name="prioritymetric",
                    name="priority",
                ),
                migrations.RemoveField(
                    model_name="prioritymetric",
                    name="source_document",
                ),
                migrations.RemoveField(
                    model_name="priorityoutcome",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="priorityoutcome",
                    name="outcome",
                ),
                migrations.RemoveField(
                    model_name="priorityoutcome",
                    name="priority",
                ),
                migrations.RemoveField(
                    model_name="priorityoutcome",
                    name="source_document",
                ),
                migrations.DeleteModel(
                    name="FinanceFigure",
                ),
                migrations.DeleteModel(
                    name="FinancePrinciple",
                ),
                migrations.DeleteModel(
                    name="HistoricalPriorityMetric",
                ),
                migrations.DeleteModel(
                    name="HistoricalPriorityOutcome",
                ),
                migrations.DeleteModel(
                    name="PriorityMetric",
                ),
                migrations.DeleteModel(
                    name="PriorityOutcome",
                ),
            ],
            database_operations=[],
        ),
    ]
