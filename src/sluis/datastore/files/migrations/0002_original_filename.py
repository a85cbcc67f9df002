from django.db import migrations, models


class Migration(migrations.Migration):
    """The name as sent has one name everywhere: ``original_filename``, as on uploads."""

    dependencies = [("datastore_files", "0001_initial")]

    operations = [
        migrations.RenameField(
            model_name="storedfile", old_name="original_name", new_name="original_filename"
        ),
        migrations.AlterField(
            model_name="storedfile",
            name="original_filename",
            field=models.TextField(help_text="the name as sent (as on uploads)"),
        ),
    ]
