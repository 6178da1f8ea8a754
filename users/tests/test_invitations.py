import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.support.queries import assert_constant_queries
from notifications.models import Notification
from users.models import Invitation, Role, User
from users.tests.factories import PASSWORD, UserFactory, UserGroupFactory, make_department, make_invitation

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Correct-horse-battery-9"


def invite(api, inviter, capture, **data):
    with capture(execute=True):
        return api.as_user(inviter).post(reverse("users:invitation-list"), data, format="json")


def link_token(message) -> str:
    match = re.search(r"/api/users/invitations/([A-Za-z0-9_-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_invitation_walkthrough_over_http(api, owner, mailoutbox, django_capture_on_commit_callbacks):
    sales = make_department("Sales")
    group = UserGroupFactory(name="Call centre")
    response = invite(
        api,
        owner,
        django_capture_on_commit_callbacks,
        email="Olena@Example.com",
        first_name="Olena",
        last_name="Shevchenko",
        role=Role.MANAGER,
        department=sales.pk,
        group=group.pk,
        work_phone="050 123 45 67",
    )
    assert response.status_code == 201, response.data
    assert response.data["state"] == "pending"

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["olena@example.com"]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    token = link_token(message)
    assert not Invitation.objects.filter(token_hash=token).exists(), "the token is stored hashed"

    api.credentials()
    url = reverse("users:invitation-questionnaire", args=[token])
    questionnaire = api.get(url)
    assert questionnaire.status_code == 200
    assert questionnaire.data["email"] == "olena@example.com"
    assert questionnaire.data["first_name"] == "Olena"
    assert questionnaire.data["work_phone"] == "+380501234567"
    assert questionnaire.data["department_name"] == "Sales"
    assert questionnaire.data["group_name"] == "Call centre"

    accepted = api.post(url, {"patronymic": "Ivanivna", "password": NEW_PASSWORD}, format="json")
    assert accepted.status_code == 201, accepted.data
    user = User.objects.get(email="olena@example.com")
    assert user.is_active and user.role == Role.MANAGER and user.department == sales and user.group == group
    assert user.patronymic == "Ivanivna" and user.last_name == "Shevchenko"
    assert Notification.objects.filter(recipient=owner, kind="invitation_accepted").count() == 1

    login = api.post(reverse("auth:token"), {"email": "olena@example.com", "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login.data['access']}")
    assert api.get(reverse("users:me")).data["email"] == "olena@example.com"

    api.credentials()
    reuse = api.post(url, {"password": NEW_PASSWORD}, format="json")
    assert reuse.status_code == 409
    assert api.get(url).status_code == 409
    assert User.objects.filter(email="olena@example.com").count() == 1


def test_expired_invitation_is_gone(api, owner):
    _invitation, token = make_invitation(invited_by=owner, expired=True)
    url = reverse("users:invitation-questionnaire", args=[token])
    assert api.get(url).status_code == 410
    assert api.post(url, {"password": NEW_PASSWORD}, format="json").status_code == 410
    assert not User.objects.filter(email="new@example.com").exists()


def test_unknown_or_revoked_token_is_not_found(api, owner):
    assert api.get(reverse("users:invitation-questionnaire", args=["x" * 43])).status_code == 404
    invitation, token = make_invitation(invited_by=owner)
    invitation.revoked_at = timezone.now()
    invitation.save()
    assert api.get(reverse("users:invitation-questionnaire", args=[token])).status_code == 404


def test_weak_password_is_refused_and_changes_nothing(api, owner):
    invitation, token = make_invitation(invited_by=owner)
    response = api.post(reverse("users:invitation-questionnaire", args=[token]), {"password": "123"}, format="json")
    assert response.status_code == 400
    assert "password" in response.data
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email=invitation.email).exists()


def test_inviting_an_existing_account_is_a_conflict(api, owner, employee, django_capture_on_commit_callbacks):
    response = invite(api, owner, django_capture_on_commit_callbacks, email=employee.email.upper())
    assert response.status_code == 409
    assert not Invitation.objects.exists()


def test_accepting_when_the_email_got_an_account_meanwhile_is_a_conflict(api, owner):
    _invitation, token = make_invitation(invited_by=owner, email="late@example.com")
    UserFactory(email="late@example.com")
    response = api.post(reverse("users:invitation-questionnaire", args=[token]), {"password": NEW_PASSWORD})
    assert response.status_code == 409


def test_second_pending_invitation_for_an_email_is_a_conflict(api, admin_user, django_capture_on_commit_callbacks):
    assert invite(api, admin_user, django_capture_on_commit_callbacks, email="a@example.com").status_code == 201
    assert invite(api, admin_user, django_capture_on_commit_callbacks, email="A@example.com").status_code == 409
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.MANAGER])
def test_staff_below_admin_cannot_invite(api, role, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(role=role)
    response = invite(api, user, django_capture_on_commit_callbacks, email="x@example.com")
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    assert api.get(reverse("users:invitation-list")).status_code == 403


def test_employee_cannot_resend_or_revoke(api, owner, employee):
    invitation, _token = make_invitation(invited_by=owner)
    for name in ("resend", "revoke"):
        assert api.as_user(employee).post(reverse(f"users:invitation-{name}", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_admin_cannot_invite_an_owner(api, admin_user, django_capture_on_commit_callbacks):
    response = invite(api, admin_user, django_capture_on_commit_callbacks, email="boss@example.com", role=Role.OWNER)
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_resend_replaces_the_link(api, owner, mailoutbox, django_capture_on_commit_callbacks):
    invitation, old_token = make_invitation(invited_by=owner, expired=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(owner).post(reverse("users:invitation-resend", args=[invitation.pk]))
    assert response.status_code == 200
    assert response.data["state"] == "pending"
    new_token = link_token(mailoutbox[0])
    api.credentials()
    assert api.get(reverse("users:invitation-questionnaire", args=[old_token])).status_code == 404
    assert api.get(reverse("users:invitation-questionnaire", args=[new_token])).status_code == 200


def test_revoke_then_revoke_again(api, owner):
    invitation, token = make_invitation(invited_by=owner)
    url = reverse("users:invitation-revoke", args=[invitation.pk])
    assert api.as_user(owner).post(url).status_code == 200
    assert api.post(url).status_code == 409
    assert api.post(reverse("users:invitation-resend", args=[invitation.pk])).status_code == 409
    api.credentials()
    assert (
        api.post(reverse("users:invitation-questionnaire", args=[token]), {"password": NEW_PASSWORD}).status_code == 404
    )


def test_invitation_list_takes_constant_queries(api, owner):
    def add_rows(n):
        for _ in range(n):
            department = make_department(f"D{Invitation.objects.count()}")
            make_invitation(invited_by=owner, email=f"n{Invitation.objects.count()}@example.com", department=department)

    # the user behind the token, the count, the page
    assert assert_constant_queries(api.as_user(owner), reverse("users:invitation-list"), add_rows) <= 3


def test_login_with_the_factory_password_works(api, employee):
    response = api.post(reverse("auth:token"), {"email": employee.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
