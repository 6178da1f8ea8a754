import factory
from django.utils import timezone

from users.models import Department, Invitation, Role, User, UserGroup
from users.tokens import new_token

PASSWORD = "a-Long-passw0rd-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.EMPLOYEE
    password = factory.django.Password(PASSWORD)


class UserGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserGroup

    name = factory.Sequence(lambda n: f"Group {n}")


def make_department(name: str, *, parent: Department | None = None, head: User | None = None) -> Department:
    """Departments are tree nodes: they are added under a parent, not created on their own."""
    if parent is None:
        return Department.objects.add_root({"name": name, "head": head})
    return Department.objects.add_child(Department.objects.get(pk=parent.pk), {"name": name, "head": head})


def make_invitation(*, invited_by: User, email: str = "new@example.com", expired: bool = False, **fields):
    """An invitation and the token its email would carry."""
    token, token_hash = new_token()
    expires_at = timezone.now() + (timezone.timedelta(days=-1) if expired else timezone.timedelta(days=7))
    invitation = Invitation.objects.create(
        email=email, invited_by=invited_by, token_hash=token_hash, expires_at=expires_at, **fields
    )
    return invitation, token
