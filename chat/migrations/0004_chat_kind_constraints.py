from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0003 so that PostgreSQL alters the table after the data moved, not in the same transaction."""

    dependencies = [
        ("chat", "0003_direct_chats_by_pair"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='chat',
            name='is_direct',
        ),
        migrations.AddConstraint(
            model_name='chat',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'direct')), fields=('direct_low', 'direct_high'), name='chat_direct_unique_pair'),
        ),
        migrations.AddConstraint(
            model_name='chat',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('direct_high__isnull', True), ('direct_low__isnull', True), ('kind', 'group')), models.Q(('direct_low__lt', models.F('direct_high')), ('kind', 'direct')), _connector='OR'), name='chat_direct_pair_ordered'),
        ),
    ]
