import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crm.api.exceptions import DomainError
from users.services import owner_create

PASSWORD_VARIABLE = "CRM_OWNER_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create the owner's account of a fresh install. The password is asked for, "
        f"or read from the {PASSWORD_VARIABLE} environment variable in scripts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email, first_name, last_name, **options):
        password = os.environ.get(PASSWORD_VARIABLE) or self._ask_password()
        try:
            user = owner_create(email=email, password=password, first_name=first_name, last_name=last_name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except DomainError as error:
            raise CommandError(str(error.detail)) from None
        self.stdout.write(self.style.SUCCESS(f"Owner {user.email} created."))

    def _ask_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return password
