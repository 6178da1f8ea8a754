import pytest
from django.urls import reverse

from activity.models import Activity
from activity.services import activity_record
from comments.models import Comment
from contacts.tests.factories import ContactFactory
from crm.tests.files import EXE, PDF, upload
from crm.tests.support.queries import assert_constant_queries
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

LIST = reverse("comments:comment-list")


def target(obj):
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def test_comment_on_a_contact_and_read_it_back(api, employee):
    contact = ContactFactory()
    client = api.as_user(employee)
    response = client.post(LIST, {"target": target(contact), "text": "Prefers calls after 6pm"})
    assert response.status_code == 201, response.data
    assert response.data["target"] == target(contact)
    assert response.data["author"]["id"] == employee.pk
    rows = client.get(LIST, {"target": target(contact)}).data["results"]
    assert [row["text"] for row in rows] == ["Prefers calls after 6pm"]
    assert Activity.objects.filter(verb="created", target_type__model="comment").exists()


def test_content_type_and_object_id_are_not_writable(api, employee):
    contact, other = ContactFactory(), ContactFactory()
    response = api.as_user(employee).post(
        LIST, {"target": target(contact), "text": "x", "content_type": 1, "object_id": str(other.pk)}
    )
    assert response.status_code == 201
    comment = Comment.objects.get()
    assert comment.target == contact


@pytest.mark.parametrize("value", ["", "contacts.contact", "contacts.contact:abc", "nope.nothing:1"])
def test_a_malformed_target_is_a_400(api, employee, value):
    client = api.as_user(employee)
    assert client.post(LIST, {"target": value, "text": "x"}).status_code == 400
    assert client.get(LIST, {"target": value}).status_code == 400
    assert not Comment.objects.exists()


def test_the_list_needs_a_target(api, employee):
    assert api.as_user(employee).get(LIST).status_code == 400


def test_a_model_that_is_not_commentable_is_refused(api, employee):
    assert api.as_user(employee).post(LIST, {"target": target(employee), "text": "x"}).status_code == 400


def test_a_missing_target_is_a_404(api, employee):
    response = api.as_user(employee).post(LIST, {"target": "contacts.contact:999999", "text": "x"})
    assert response.status_code == 404


def test_nobody_comments_on_or_reads_about_what_they_cannot_see(api, employee):
    outsider = UserFactory()
    entry = activity_record(actor=outsider, verb="updated", target=outsider)
    Comment.objects.create(target=entry, text="Secret", author=outsider)
    client = api.as_user(employee)
    assert client.post(LIST, {"target": target(entry), "text": "x"}).status_code == 404
    assert client.get(LIST, {"target": target(entry)}).status_code == 404
    hidden = Comment.objects.get()
    assert client.get(reverse("comments:comment-detail", args=[hidden.pk])).status_code == 404
    assert Comment.objects.count() == 1


def test_a_head_comments_on_a_subordinates_activity(api):
    head = UserFactory(role=Role.MANAGER)
    member = UserFactory(department=make_department("Sales", head=head))
    entry = activity_record(actor=member, verb="updated", target=member)
    assert api.as_user(head).post(LIST, {"target": target(entry), "text": "Good job"}).status_code == 201


def test_only_the_author_edits_or_deletes(api, employee, admin_user):
    comment = Comment.objects.create(target=ContactFactory(), text="Original", author=UserFactory())
    url = reverse("comments:comment-detail", args=[comment.pk])
    for user in (employee, admin_user):
        client = api.as_user(user)
        assert client.patch(url, {"text": "Changed"}).status_code == 403
        assert client.delete(url).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "Original"

    client = api.as_user(comment.author)
    assert client.patch(url, {"text": "Edited"}).data["text"] == "Edited"
    assert client.delete(url).status_code == 204
    assert not Comment.objects.exists()


def test_attachments_are_checked(api, employee):
    contact = ContactFactory()
    client = api.as_user(employee)
    refused = client.post(
        LIST, {"target": target(contact), "text": "x", "file": upload("a.pdf", EXE)}, format="multipart"
    )
    assert refused.status_code == 400
    accepted = client.post(
        LIST, {"target": target(contact), "text": "x", "file": upload("a.pdf", PDF)}, format="multipart"
    )
    assert accepted.status_code == 201, accepted.data


def test_comment_list_takes_constant_queries(api, employee):
    contact = ContactFactory()

    def add_rows(n):
        for _ in range(n):
            Comment.objects.create(target=contact, text="x", author=UserFactory())

    # the user behind the token, the target's visibility, the count, the page with authors joined
    client = api.as_user(employee)
    assert assert_constant_queries(client, LIST, add_rows, params={"target": target(contact)}) <= 4
