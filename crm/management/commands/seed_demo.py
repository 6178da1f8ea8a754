import secrets
import string
import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm import demo
from crm.workers.locks import advisory_lock
from users.models import User


class Command(BaseCommand):
    help = _(
        "Fill a fresh install with a small Ukrainian shop's CRM to try it: staff, contacts, companies, leads, "
        "deals, orders, tasks, chats, calls and promotions. Runs only on a database that holds nothing but "
        "the owner's account; a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=_("The password of every demo account; by default a random one, printed at the end."),
        )

    def handle(self, *args, password=None, verbosity=1, **options):
        generated = password is None
        if generated:  # letters and digits only: nothing a shell or a form would take for something else
            password = "".join(secrets.choice(string.ascii_letters + string.digits) for _index in range(16))
        try:
            validate_password(password, User(email=f"demo@{demo.DEMO_EMAIL_DOMAIN}"))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        started = time.monotonic()
        with advisory_lock("seed_demo") as locked:
            if not locked:
                raise CommandError(_("Another seed_demo is running."))
            try:
                counts = demo.seed_demo(password=password, progress=self._progress if verbosity > 1 else None)
            except demo.DemoRefused as refused:
                raise CommandError(str(refused)) from None
        if counts is None:
            self.stdout.write(_("The demo data is in the database already; nothing was changed."))
            return
        summary = ", ".join(f"{model._meta.verbose_name_plural}: {count}" for model, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Seeded in %(seconds).1f s: %(summary)s.")
                % {"seconds": time.monotonic() - started, "summary": summary}
            )
        )
        self.stdout.write(_("Demo accounts (log in with the email and the password):"))
        for user in demo.demo_accounts():
            department = user.department.name if user.department else ""
            self.stdout.write(f"  {user.email}  {user.get_role_display()}, {department}")
        if generated:
            self.stdout.write(_("Password: %(password)s (shown this once)") % {"password": password})

    def _progress(self, name: str, rows: int) -> None:
        self.stdout.write(f"  {name}: {rows}")
