import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity
from companies.tests.factories import CompanyFactory
from contacts.tests.factories import ContactFactory
from crm.tests.files import EXE, PDF, upload
from crm.tests.support.queries import assert_constant_queries
from notifications.models import Notification
from tasks.models import ShareStatus, Tag, Task, TaskShare
from tasks.tests.factories import ProjectFactory, TagFactory, TaskFactory, TaskShareFactory
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

LIST = reverse("tasks:task-list")
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def detail(task, action=None):
    return reverse(f"tasks:task-{action}" if action else "tasks:task-detail", args=[task.pk])


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.data["results"]}


def contact_tasks(contact):
    return reverse("contacts:contact-tasks", args=[contact.pk])


def company_tasks(company):
    return reverse("companies:company-tasks", args=[company.pk])


def test_create_a_task_with_people_tags_and_a_contact(api, employee):
    colleague, tag, project, contact = UserFactory(), TagFactory(), ProjectFactory(), ContactFactory()
    response = api.as_user(employee).post(
        LIST,
        {
            "name": "Call the customer",
            "date": TOMORROW.isoformat(),
            "priority": 3,
            "tags": [tag.pk],
            "project": project.pk,
            "contact": contact.pk,
            "related_people": [colleague.pk],
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["responsible"] == [employee.pk]
    assert response.data["created_by"]["id"] == employee.pk
    assert response.data["tags_detail"] == [{"id": tag.pk, "name": tag.name}]
    assert response.data["shares"][0]["user"]["id"] == colleague.pk
    assert response.data["shares"][0]["status"] == "pending"
    assert Notification.objects.get(kind="task_shared").recipient == colleague


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "x", "date": "2030-13-01"},
        {"name": "x", "date": "2030-01-01", "priority": 9},
        {"name": "x", "date": "2030-01-01", "repeated": True},
        {"name": "x", "date": "2030-01-01", "repeated": True, "repeat_every_days": 0},
        {"name": "x", "date": "2030-01-01", "remind": True},
        {"name": "x", "date": "2030-01-01", "responsible": []},
        {"name": "x", "date": "2030-01-01", "related_people": [999999]},
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(api, employee, payload):
    assert api.as_user(employee).post(LIST, payload).status_code == 400
    assert not Task.objects.exists()
    assert not Notification.objects.exists()


def test_related_task_must_be_one_the_user_sees(api, employee):
    hidden = TaskFactory()
    response = api.as_user(employee).post(LIST, {"name": "x", "date": "2030-01-01", "related_task": hidden.pk})
    assert response.status_code == 400 and "related_task" in response.data
    assert Task.objects.count() == 1


def test_accept_by_the_invited_person_then_twice_is_a_conflict(api, employee):
    share = TaskShareFactory(user=employee)
    client = api.as_user(employee)
    assert client.get(detail(share.task)).status_code == 404
    response = client.post(detail(share.task, "accept"))
    assert response.status_code == 200, response.content
    assert response.data["shares"][0]["status"] == "accepted"
    assert client.get(detail(share.task)).status_code == 200
    assert client.post(detail(share.task, "accept")).status_code == 409
    assert client.post(detail(share.task, "decline")).status_code == 409


def test_decline_notifies_the_creator_and_the_task_stays_hidden(api, employee):
    share = TaskShareFactory(user=employee)
    client = api.as_user(employee)
    assert client.post(detail(share.task, "decline")).status_code == 204
    note = Notification.objects.get(kind="task_declined")
    assert note.recipient == share.task.created_by
    assert client.get(detail(share.task)).status_code == 404
    assert share.task.pk not in ids(client.get(LIST))


def test_someone_not_invited_cannot_accept_or_decline(api, employee):
    share = TaskShareFactory()
    client = api.as_user(employee)
    assert client.post(detail(share.task, "accept")).status_code == 404
    assert client.post(detail(share.task, "decline")).status_code == 404
    # Not even the creator answers for the invited person.
    creator_client = api.as_user(share.task.created_by)
    assert creator_client.post(detail(share.task, "accept")).status_code == 404
    share.refresh_from_db()
    assert share.status == ShareStatus.PENDING
    assert not Notification.objects.exists()


def test_an_outsider_does_not_see_or_change_a_colleagues_task(api, employee):
    contact, company = ContactFactory(), CompanyFactory()
    task = TaskFactory(contact=contact, company=company)
    client = api.as_user(employee)
    assert ids(client.get(LIST)) == set()
    assert ids(client.get(contact_tasks(contact))) == set()
    assert ids(client.get(company_tasks(company))) == set()
    assert client.get(detail(task)).status_code == 404
    assert client.patch(detail(task), {"name": "Mine now"}).status_code == 404
    assert client.post(detail(task, "finish")).status_code == 404
    assert client.put(detail(task, "file"), {"file": upload("a.pdf", PDF)}, format="multipart").status_code == 404
    assert client.delete(detail(task)).status_code == 404
    task.refresh_from_db()
    assert task.name != "Mine now" and not task.finished and not task.file
    assert not Activity.objects.exists()


def test_a_pending_related_person_does_not_see_the_task(api, employee):
    contact = ContactFactory()
    task = TaskShareFactory(user=employee, task__contact=contact).task
    client = api.as_user(employee)
    assert ids(client.get(LIST)) == set()
    assert ids(client.get(contact_tasks(contact))) == set()
    assert ids(client.get(LIST, {"related": employee.pk})) == set()
    assert client.get(detail(task)).status_code == 404


def test_a_head_sees_and_changes_subordinates_tasks(api, manager):
    member = UserFactory(department=make_department("Sales", head=manager))
    task = TaskFactory(created_by=member)
    client = api.as_user(manager)
    assert ids(client.get(LIST)) == {task.pk}
    assert client.get(detail(task)).status_code == 200
    assert client.patch(detail(task), {"name": "Changed"}).status_code == 200
    assert client.post(detail(task, "finish")).status_code == 200
    # The member does not see the head's tasks.
    own = TaskFactory(created_by=manager)
    assert ids(api.as_user(member).get(LIST)) == {task.pk}
    assert api.as_user(member).get(detail(own)).status_code == 404
    assert client.delete(detail(task)).status_code == 204


def test_admin_sees_and_changes_every_task(api, admin_user):
    tasks = {TaskFactory().pk, TaskFactory().pk}
    client = api.as_user(admin_user)
    assert ids(client.get(LIST)) == tasks
    task_id = next(iter(tasks))
    response = client.patch(reverse("tasks:task-detail", args=[task_id]), {"name": "Renamed"})
    assert response.status_code == 200 and response.data["updated_by"]["id"] == admin_user.pk
    assert Activity.objects.get(verb="updated").changed_fields == ["name"]


def test_an_accepted_related_person_finishes_but_does_not_delete(api, employee):
    share = TaskShareFactory(user=employee, status=ShareStatus.ACCEPTED, responded_at=timezone.now())
    client = api.as_user(employee)
    assert client.delete(detail(share.task)).status_code == 403
    response = client.post(detail(share.task, "finish"))
    assert response.status_code == 200 and response.data["finished"] is True


def test_a_responsible_person_edits_but_only_the_creator_deletes(api, employee):
    task = TaskFactory(responsible=[employee])
    client = api.as_user(employee)
    assert client.patch(detail(task), {"priority": 4}).status_code == 200
    assert client.delete(detail(task)).status_code == 403
    assert api.as_user(task.created_by).delete(detail(task)).status_code == 204
    assert not Task.objects.exists()


def test_finish_repeated_task_over_the_api_creates_one_next_occurrence(api, employee):
    task = TaskFactory(created_by=employee, repeated=True, repeat_every_days=3)
    client = api.as_user(employee)
    assert client.post(detail(task, "finish")).status_code == 200
    assert client.post(detail(task, "finish")).status_code == 409
    following = Task.objects.get(previous=task)
    assert following.date == task.date + datetime.timedelta(days=3)
    assert client.get(detail(following)).data["previous"] == task.pk
    assert Task.objects.count() == 2


def test_reopen_an_unfinished_task_is_a_conflict(api, employee):
    task = TaskFactory(created_by=employee)
    assert api.as_user(employee).post(detail(task, "reopen")).status_code == 409


def test_upload_a_real_pdf(api, employee):
    task = TaskFactory(created_by=employee)
    response = api.as_user(employee).put(detail(task, "file"), {"file": upload("brief.pdf", PDF)}, format="multipart")
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.file.name.startswith("tasks/") and task.file.name.endswith(".pdf")
    assert task.file.read() == PDF


def test_a_renamed_executable_is_refused_and_nothing_is_saved(api, employee, settings):
    task = TaskFactory(created_by=employee)
    response = api.as_user(employee).put(detail(task, "file"), {"file": upload("brief.pdf", EXE)}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.data
    task.refresh_from_db()
    assert not task.file
    assert not (settings.MEDIA_ROOT / "tasks").exists()
    assert not Activity.objects.exists()


def test_filters_mine_responsible_related_tag_and_finished(api, employee):
    colleague, tag = UserFactory(), TagFactory()
    mine = TaskFactory(created_by=employee, tags=[tag])
    assigned = TaskFactory(responsible=[employee])
    shared = TaskShareFactory(user=employee, status=ShareStatus.ACCEPTED, responded_at=timezone.now()).task
    done = TaskFactory(created_by=employee, finished=True, finished_at=timezone.now())
    client = api.as_user(employee)
    assert ids(client.get(LIST, {"mine": "true"})) == {mine.pk, assigned.pk, shared.pk, done.pk}
    assert ids(client.get(LIST, {"responsible": assigned.created_by.pk})) == set()
    assert ids(client.get(LIST, {"responsible": employee.pk})) == {mine.pk, assigned.pk, done.pk}
    assert ids(client.get(LIST, {"related": employee.pk})) == {shared.pk}
    assert ids(client.get(LIST, {"tag": tag.pk})) == {mine.pk}
    assert ids(client.get(LIST, {"finished": "true"})) == {done.pk}
    assert ids(client.get(LIST, {"created_by": employee.pk, "finished": "false"})) == {mine.pk}
    TaskFactory(created_by=colleague)
    assert ids(api.as_user(colleague).get(LIST, {"mine": "false"})) == set()


def test_period_filters_over_the_planned_date(api, employee):
    today = timezone.localdate()
    due_today = TaskFactory(created_by=employee, date=today)
    later = TaskFactory(created_by=employee, date=today + datetime.timedelta(days=400))
    client = api.as_user(employee)
    assert ids(client.get(LIST, {"period": "today"})) == {due_today.pk}
    assert ids(client.get(LIST, {"date_after": (today + datetime.timedelta(days=1)).isoformat()})) == {later.pk}
    assert ids(client.get(LIST, {"date_before": today.isoformat()})) == {due_today.pk}


def test_search_and_ordering(api, employee):
    TaskFactory(created_by=employee, name="Invoice for Acme", priority=1)
    urgent = TaskFactory(created_by=employee, name="Ship the order", priority=4)
    client = api.as_user(employee)
    assert ids(client.get(LIST, {"search": "ship"})) == {urgent.pk}
    assert client.get(LIST, {"ordering": "-priority"}).data["results"][0]["id"] == urgent.pk


@pytest.mark.parametrize(
    "params",
    [
        {"priority": "abc"},
        {"priority": "9"},
        {"period": "decade"},
        {"finished": "maybe"},
        {"mine": "perhaps"},
        {"tag": "abc"},
        {"responsible": "x"},
        {"date_after": "yesterday"},
        {"project": "99999999999999999999"},
    ],
)
def test_garbage_filter_values_are_a_400(api, employee, params):
    assert api.as_user(employee).get(LIST, params).status_code == 400


def test_an_unknown_id_in_a_filter_matches_nothing(api, employee):
    TaskFactory(created_by=employee)
    response = api.as_user(employee).get(LIST, {"project": "999999"})
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/tasks/abc/", "/api/tasks/1.5/finish/", "/api/contacts/abc/tasks/"])
def test_malformed_ids_are_a_404(api, employee, path):
    assert api.as_user(employee).get(path).status_code == 404


def test_unknown_contact_or_company_is_a_404(api, employee):
    assert api.as_user(employee).get(reverse("contacts:contact-tasks", args=[999999])).status_code == 404
    assert api.as_user(employee).get(reverse("companies:company-tasks", args=[999999])).status_code == 404


def test_contact_and_company_routes_list_that_ones_visible_tasks(api, employee):
    contact, company = ContactFactory(), CompanyFactory()
    own = TaskFactory(created_by=employee, contact=contact, company=company)
    TaskFactory(created_by=employee)
    TaskFactory(contact=contact, company=company)  # a colleague's, not visible
    client = api.as_user(employee)
    assert ids(client.get(contact_tasks(contact))) == {own.pk}
    assert ids(client.get(company_tasks(company))) == {own.pk}
    assert client.get(contact_tasks(contact), {"priority": "abc"}).status_code == 400


def _add_rich_tasks(employee, **fields):
    def add_rows(count):
        for _ in range(count):
            task = TaskFactory(
                created_by=employee,
                responsible=[employee, UserFactory()],
                tags=[TagFactory(), TagFactory()],
                project=ProjectFactory(),
                contact=fields.get("contact") or ContactFactory(),
                company=fields.get("company") or CompanyFactory(),
            )
            TaskShareFactory(task=task)

    return add_rows


def test_task_list_runs_a_constant_number_of_queries(api, employee):
    client = api.as_user(employee)
    assert (
        assert_constant_queries(client, LIST, _add_rich_tasks(employee)) <= 7
    )  # one more: the ids of the users whose rows the caller sees


def test_contact_and_company_tasks_run_a_constant_number_of_queries(api, employee):
    contact, company = ContactFactory(), CompanyFactory()
    client = api.as_user(employee)
    add_rows = _add_rich_tasks(employee, contact=contact, company=company)
    assert (
        assert_constant_queries(client, contact_tasks(contact), add_rows) <= 8
    )  # one more: the ids of the users whose rows the caller sees
    add_rows(1)
    assert (
        assert_constant_queries(client, company_tasks(company), add_rows) <= 8
    )  # one more: the ids of the users whose rows the caller sees


def test_staff_create_tags_and_projects_admins_rename_and_delete(api, employee, admin_user):
    client = api.as_user(employee)
    response = client.post(reverse("tasks:tag-list"), {"name": "urgent"})
    assert response.status_code == 201
    assert client.post(reverse("tasks:tag-list"), {"name": "URGENT"}).status_code == 409
    tag_url = reverse("tasks:tag-detail", args=[response.data["id"]])
    assert client.patch(tag_url, {"name": "later"}).status_code == 403
    assert client.delete(tag_url).status_code == 403
    assert api.as_user(admin_user).patch(tag_url, {"name": "later"}).status_code == 200
    assert Tag.objects.get().name == "later"
    project = api.as_user(employee).post(reverse("tasks:project-list"), {"name": "Autumn sale"})
    assert project.status_code == 201
    project_url = reverse("tasks:project-detail", args=[project.data["id"]])
    assert api.as_user(employee).delete(project_url).status_code == 403
    assert api.as_user(admin_user).delete(project_url).status_code == 204


def test_share_over_the_api_on_update_notifies_only_the_newcomer(api, employee):
    first, second = UserFactory(), UserFactory()
    task = TaskFactory(created_by=employee)
    TaskShareFactory(task=task, user=first)
    response = api.as_user(employee).patch(detail(task), {"related_people": [first.pk, second.pk]})
    assert response.status_code == 200, response.content
    assert Notification.objects.filter(kind="task_shared").get().recipient == second
    assert TaskShare.objects.filter(task=task).count() == 2


def test_comments_on_a_task_follow_its_visibility(api, employee):
    comments = reverse("comments:comment-list")
    hidden, pending = TaskFactory(), TaskShareFactory(user=employee).task
    own = TaskFactory(created_by=employee)
    client = api.as_user(employee)
    for task in (hidden, pending):
        assert client.post(comments, {"target": f"tasks.task:{task.pk}", "text": "x"}).status_code == 404
    assert client.post(comments, {"target": f"tasks.task:{own.pk}", "text": "Done by noon"}).status_code == 201


def test_finishing_a_repeat_beyond_the_calendar_is_a_400_and_changes_nothing(api, employee):
    task = TaskFactory(created_by=employee, date=datetime.date(9999, 12, 30), repeated=True, repeat_every_days=5)
    response = api.as_user(employee).post(detail(task, "finish"))
    assert response.status_code == 400 and "date" in response.data
    task.refresh_from_db()
    assert not task.finished and Task.objects.count() == 1
    assert not Activity.objects.exists()


HUGE = "-127015456025412059136"  # beyond any database integer


@pytest.mark.parametrize("name", ["company", "contact", "project", "created_by", "responsible", "related", "tag"])
def test_huge_ids_in_filters_are_a_400(api, employee, name):
    assert api.as_user(employee).get(LIST, {name: HUGE}).status_code == 400


def test_huge_ids_in_paths_and_bodies_are_refused(api, employee):
    client = api.as_user(employee)
    huge = HUGE.lstrip("-")
    for path in (f"/api/tasks/{huge}/", f"/api/contacts/{huge}/tasks/", f"/api/companies/{huge}/tasks/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/api/tasks/{huge}/accept/").status_code == 404
    body = {"name": "x", "date": "2030-01-01", "project": int(HUGE), "related_task": int(huge)}
    assert client.post(LIST, body).status_code == 400
    assert not Task.objects.exists()


def test_deleting_a_task_removes_its_file(api, employee, settings, django_capture_on_commit_callbacks):
    task = TaskFactory(created_by=employee)
    client = api.as_user(employee)
    assert client.put(detail(task, "file"), {"file": upload("a.pdf", PDF)}, format="multipart").status_code == 200
    task.refresh_from_db()
    stored = settings.MEDIA_ROOT / task.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(detail(task)).status_code == 204
    assert not stored.exists()
    assert Activity.objects.filter(verb="deleted").count() == 1


def test_resending_an_unchanged_related_task_the_user_cannot_see_is_fine(api, employee):
    hidden = TaskFactory()
    task = TaskFactory(created_by=employee, related_task=hidden)
    response = api.as_user(employee).patch(detail(task), {"related_task": hidden.pk, "name": "Renamed"})
    assert response.status_code == 200, response.content
    assert api.as_user(employee).patch(detail(task), {"related_task": task.pk}).status_code == 400
