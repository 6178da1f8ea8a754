"""Every stored file is downloaded only through /api/files/, under the rule of the record it belongs to."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from chat.tests.factories import chat_with
from comments.models import Comment
from companies.models import KnowledgeFile
from companies.tests.factories import ArticleFactory, CompanyFactory
from contacts.models import Return
from contacts.tests.factories import ContactFactory, ReturnFactory
from crm.files import downloads
from crm.tests.files import PDF, PNG, upload
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NGINX = "django_sendfile.backends.nginx"


def chat_file(api, author, colleague):
    chat = chat_with(author)
    response = api.as_user(author).post(
        reverse("chat:message-list"),
        {"chat": chat.pk, "text": "the offer", "file": upload("offer.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    return response, response.data["files"][0]["download_url"], PDF, "offer.pdf"


def task_file(api, author, colleague):
    task = TaskFactory(created_by=author)
    response = api.as_user(author).put(
        reverse("tasks:task-file", args=[task.pk]), {"file": upload("plan.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 200, response.data
    return response, response.data["download_url"], PDF, None


def comment_file(api, author, colleague):
    task = TaskFactory(created_by=author)
    response = api.as_user(author).post(
        reverse("comments:comment-list"),
        {"target": f"tasks.task:{task.pk}", "text": "see the scan", "file": upload("scan.png", PNG)},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    return response, response.data["download_url"], PNG, None


# The kinds whose record a colleague outside it may not see.
PRIVATE_KINDS = {"chat": chat_file, "task": task_file, "comment": comment_file}


def return_file(api, author, colleague):
    author.role = Role.ADMIN
    author.save(update_fields=["role"])
    return_request = ReturnFactory(responsible=author)
    response = api.as_user(author).put(
        reverse("contacts:return-file", args=[return_request.pk]), {"file": upload("act.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 200, response.data
    return response, response.data["download_url"], PDF, None


def knowledge_file(api, author, colleague):
    company = CompanyFactory(responsible=author)
    article = ArticleFactory(company=company)
    response = api.as_user(author).post(
        reverse("companies:file-list"),
        {"article": article.pk, "name": "Price list", "file": upload("prices.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    return response, response.data["download_url"], PDF, "Price list.pdf"


def photo_file(api, author, colleague):
    response = api.as_user(author).patch(reverse("users:me"), {"photo": upload("me.png", PNG)}, format="multipart")
    assert response.status_code == 200, response.data
    return response, response.data["photo_url"], PNG, None


# The kinds all staff read (SPEC.md section 3): every colleague downloads them.
SHARED_KINDS = {"return": return_file, "knowledge": knowledge_file, "photo": photo_file}
ALL_KINDS = {**PRIVATE_KINDS, **SHARED_KINDS}


def download(client: APIClient, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_every_file_field_of_the_project_is_registered():
    from django.apps import apps
    from django.db.models import FileField

    registered = {(entry.model, entry.field) for entry in downloads.kinds().values()}
    fields = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    }
    assert fields <= registered, f"file fields no download endpoint serves: {fields - registered}"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_rightful_user_downloads_the_file_and_the_answer_names_no_storage_path(kind, api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    response, url, content, name = ALL_KINDS[kind](api, employee, colleague)
    assert url.endswith(f"/api/files/{kind}/{url.rstrip('/').rsplit('/', 1)[1]}/")
    # The record's representation gives the endpoint, never where the file is stored.
    assert "/media/" not in json.dumps(response.data)
    downloaded, body = download(api.as_user(employee), url)
    assert downloaded.status_code == 200
    assert body == content
    assert "private" in downloaded["Cache-Control"]
    if name:
        assert f'filename="{name}"' in downloaded["Content-Disposition"]


@pytest.mark.parametrize("kind", PRIVATE_KINDS)
def test_a_colleague_outside_the_record_gets_404(kind, api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    _response, url, _content, _name = PRIVATE_KINDS[kind](api, employee, colleague)
    assert download(api.as_user(colleague), url)[0].status_code == 404


@pytest.mark.parametrize("kind", SHARED_KINDS)
def test_a_colleague_downloads_what_all_staff_read(kind, api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    _response, url, content, _name = SHARED_KINDS[kind](api, employee, colleague)
    downloaded, body = download(api.as_user(colleague), url)
    assert (downloaded.status_code, body) == (200, content)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_an_anonymous_request_gets_401(kind, api, employee):
    _response, url, _content, _name = ALL_KINDS[kind](api, employee, UserFactory())
    assert download(APIClient(), url)[0].status_code == 401


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_in_production_nginx_sends_the_bytes_on_x_accel_redirect(kind, api, employee, settings):
    _response, url, _content, _name = ALL_KINDS[kind](api, employee, UserFactory())
    settings.SENDFILE_BACKEND = NGINX
    settings.SENDFILE_URL = "/protected-media/"
    settings.DEBUG = False
    downloaded, body = download(api.as_user(employee), url)
    assert downloaded.status_code == 200
    assert body == b""
    assert downloaded["X-Accel-Redirect"].startswith("/protected-media/")
    stored = downloaded["X-Accel-Redirect"].removeprefix("/protected-media/")
    assert (settings.MEDIA_ROOT / stored).is_file()
    # The outsider is refused before nginx is asked for anything.
    outsider = UserFactory(role=Role.EMPLOYEE)
    refused = api.as_user(outsider).get(url)
    if kind in PRIVATE_KINDS:
        assert refused.status_code == 404
        assert "X-Accel-Redirect" not in refused


@pytest.mark.parametrize("debug", [True, False])
def test_nothing_under_media_root_is_served_by_path(debug, api, employee, settings):
    task_file(api, employee, None)
    stored = Task.objects.get().file.name
    settings.DEBUG = debug
    client = api.as_user(employee)
    for path in (f"/media/{stored}", f"/{stored}", f"/protected-media/{stored}"):
        assert client.get(path).status_code == 404, path


def test_a_deactivated_colleagues_photo_is_for_the_owner_and_admins_only(api, employee, admin_user):
    former = UserFactory(role=Role.EMPLOYEE)
    _response, url, content, _name = photo_file(api, former, None)
    former.is_active = False
    former.save(update_fields=["is_active"])
    assert download(api.as_user(employee), url)[0].status_code == 404
    assert download(api.as_user(admin_user), url)[1] == content


def test_a_comment_file_follows_its_target(api, employee):
    contact = ContactFactory()
    response = api.as_user(employee).post(
        reverse("comments:comment-list"),
        {"target": f"contacts.contact:{contact.pk}", "text": "signed", "file": upload("signed.pdf", PDF)},
        format="multipart",
    )
    url = response.data["download_url"]
    # A contact is read by all staff, so its comment's file is too...
    assert download(api.as_user(UserFactory()), url)[0].status_code == 200
    # ...while a comment on a task is not, even though comments themselves are one table.
    _response, task_url, _content, _name = comment_file(api, employee, None)
    assert Comment.objects.filter(content_type=ContentType.objects.get_for_model(Task)).exists()
    assert download(api.as_user(UserFactory()), task_url)[0].status_code == 404


def test_a_member_who_leaves_a_chat_no_longer_downloads_its_files(api, employee):
    colleague = UserFactory()
    _response, url, _content, _name = chat_file(api, employee, colleague)
    chat = employee.chat_memberships.get().chat
    chat.memberships.create(user=colleague)
    assert download(api.as_user(colleague), url)[0].status_code == 200
    chat.memberships.filter(user=colleague).delete()
    assert download(api.as_user(colleague), url)[0].status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/files/chat/0/",
        "/api/files/chat/99999999/",
        "/api/files/chat/99999999999999999999999/",
        "/api/files/nothing/1/",
        "/api/files/task/-1/",
        "/api/files/task/%C2%B2/",
    ],
)
def test_unknown_kinds_ids_and_rows_without_a_file_are_404(path, api, employee):
    TaskFactory(created_by=employee)  # visible, but without a file
    assert api.as_user(employee).get(path).status_code == 404
    assert api.as_user(employee).get(f"/api/files/task/{Task.objects.get().pk}/").status_code == 404


def test_a_row_whose_file_is_gone_from_the_disk_is_404(api, employee):
    _response, url, _content, _name = task_file(api, employee, None)
    task = Task.objects.get()
    task.file.storage.delete(task.file.name)
    assert api.as_user(employee).get(url).status_code == 404


def test_returns_and_knowledge_files_without_a_file_or_deleted_are_404(api, employee):
    assert not Return.objects.exists() and not KnowledgeFile.objects.exists()
    return_request = ReturnFactory()
    assert api.as_user(employee).get(f"/api/files/return/{return_request.pk}/").status_code == 404


def test_production_hands_the_bytes_to_nginx_and_development_streams_them():
    from crm.tests.test_settings import run

    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SENDFILE_BACKEND, s.SENDFILE_URL, s.SENDFILE_ROOT == s.MEDIA_ROOT)"
    )
    production = run(probe, DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="crm.example.com")
    assert production.stdout.split() == ["django_sendfile.backends.nginx", "/protected-media/", "True"], production
    assert run(probe).stdout.split()[0] == "django_sendfile.backends.development"


# Where admin shows each kind's file input: the record's own page, or its parent's for an inline.
ADMIN_PAGE_OF = {"chat": lambda row: row.message}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_admin_links_a_file_to_its_protected_download_not_to_media(kind, api, employee, client, owner):
    _response, url, _content, _name = ALL_KINDS[kind](api, employee, UserFactory())
    entry = downloads.kinds()[kind]
    row = entry.model._base_manager.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    shown = ADMIN_PAGE_OF.get(kind, lambda row: row)(row)
    client.force_login(owner)
    opts = shown._meta
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[shown.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    link = downloads.download_url(kind, row.pk)
    assert f'href="{link}"' in html
    assert "/media/" not in html and str(getattr(row, entry.field)) in html
    # The link applies the record's rule, admin or not: a chat's files are for its members only.
    expected = 404 if kind == "chat" else 200
    assert client.get(link).status_code == expected, "the session of admin counts as the API's authentication"
