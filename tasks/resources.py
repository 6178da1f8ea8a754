from import_export import fields, widgets

from crm.spreadsheets import CrmResource
from tasks.models import Task
from users.models import User


class TaskResource(CrmResource):
    """Tasks as the list shows them (export only)."""

    responsible = fields.Field(
        attribute="responsible", column_name="responsible", widget=widgets.ManyToManyWidget(User, field="email")
    )

    class Meta:
        model = Task
        fields = ("id", "name", "date", "priority", "responsible", "finished", "finished_at", "created_at")
