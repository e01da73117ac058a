from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("icsportal", "0003_apitoken_from_drf_tokens"),
    ]

    operations = [
        migrations.DeleteModel(name="TokenUse"),
    ]
