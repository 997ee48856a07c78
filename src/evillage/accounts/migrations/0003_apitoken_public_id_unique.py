import evillage.core.fields
import evillage.core.ids
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_refine'),
    ]

    operations = [
        migrations.AlterField(
            model_name='apitoken',
            name='public_id',
            field=evillage.core.fields.PublicIdField(default=evillage.core.ids.new_public_id, editable=False, max_length=16, unique=True),
        ),
    ]
