"""A task's file is downloaded by whoever sees the task."""

from crm.files import downloads
from tasks.models import Task
from tasks.selectors import tasks_visible

downloads.register("task", Task, visible_to=tasks_visible)
