"""A task's file is downloaded by whoever sees the task."""

from crm import files
from tasks.models import Task
from tasks.selectors import tasks_visible

files.register("task", Task, visible_to=tasks_visible)
