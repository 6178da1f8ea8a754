import datetime

import factory
from django.utils import timezone

from tasks.models import Project, Tag, Task, TaskShare
from users.tests.factories import UserFactory


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    """A task created by `created_by`, who is also its responsible person unless `responsible` says otherwise."""

    class Meta:
        model = Task
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Task {n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def responsible(self, create, extracted, **kwargs):
        if create:
            self.responsible.set(extracted if extracted is not None else [self.created_by])

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class TaskShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskShare

    task = factory.SubFactory(TaskFactory)
    user = factory.SubFactory(UserFactory)
