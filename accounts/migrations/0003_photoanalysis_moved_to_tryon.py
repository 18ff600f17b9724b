"""PhotoAnalysis now belongs to tryon (tryon 0004 took over its state and its table): forget it here
without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_photoanalysis"),
        ("tryon", "0005_photoanalysis_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PhotoAnalysis")],
            database_operations=[],
        ),
    ]
