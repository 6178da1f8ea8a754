import pytest
from django.urls import reverse

from crm.tests.support.queries import assert_constant_queries
from users.models import Department, User
from users.selectors import owner_ids_read_once, scope_to_owners, user_managers, user_subordinates, visible_owner_ids
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    """CEO office > Sales > (Retail, Wholesale); Support beside Sales' parent."""
    ceo = UserFactory(email="ceo@example.com")
    sales_head = UserFactory(email="sales@example.com")
    retail_head = UserFactory(email="retail@example.com")
    office = make_department("Office", head=ceo)
    sales = make_department("Sales", parent=office, head=sales_head)
    retail = make_department("Retail", parent=sales, head=retail_head)
    wholesale = make_department("Wholesale", parent=sales)
    support = make_department("Support")
    for user, department in ((ceo, office), (sales_head, sales), (retail_head, retail)):
        user.department = department
        user.save()
    seller = UserFactory(email="seller@example.com", department=retail)
    trader = UserFactory(email="trader@example.com", department=wholesale)
    helper = UserFactory(email="helper@example.com", department=support)
    return {
        "ceo": ceo,
        "sales_head": sales_head,
        "retail_head": retail_head,
        "seller": seller,
        "trader": trader,
        "helper": helper,
        "sales": sales,
        "support": support,
    }


def emails(queryset):
    return sorted(user.email.split("@")[0] for user in queryset)


def test_subordinates_are_the_members_of_headed_departments_and_below(company, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert emails(user_subordinates(user=company["ceo"])) == ["retail", "sales", "seller", "trader"]
    assert emails(user_subordinates(user=company["sales_head"])) == ["retail", "seller", "trader"]
    assert emails(user_subordinates(user=company["retail_head"])) == ["seller"]
    assert emails(user_subordinates(user=company["seller"])) == []
    assert emails(user_subordinates(user=company["helper"])) == []


def test_managers_are_the_heads_above_a_user(company, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert emails(user_managers(user=company["seller"])) == ["ceo", "retail", "sales"]
    assert emails(user_managers(user=company["retail_head"])) == ["ceo", "sales"]
    assert emails(user_managers(user=company["ceo"])) == []
    assert emails(user_managers(user=company["helper"])) == []
    assert emails(user_managers(user=company["trader"])) == ["ceo", "sales"]


def test_scope_to_owners_keeps_own_and_subordinates_rows(company, owner):
    everybody = User.objects.all()
    assert emails(scope_to_owners(everybody, user=company["retail_head"], fields=("pk",))) == ["retail", "seller"]
    assert emails(scope_to_owners(everybody, user=company["helper"], fields=("pk",))) == ["helper"]
    assert scope_to_owners(everybody, user=owner, fields=("pk",)).count() == User.objects.count()


def test_owners_read_once_per_block_and_per_user(company, django_assert_num_queries):
    head, helper = company["retail_head"], company["helper"]
    read = []
    with owner_ids_read_once(), django_assert_num_queries(2):  # one query per user, however often asked
        for _ in range(3):
            read += [visible_owner_ids(user=head), visible_owner_ids(user=helper)]
            with owner_ids_read_once():  # a nested block shares the outer one's
                read.append(visible_owner_ids(user=head))
    assert emails(User.objects.filter(pk__in=read[0])) == ["retail", "seller"]
    assert emails(User.objects.filter(pk__in=read[1])) == ["helper"]  # never the head's
    assert read == [read[0], read[1], read[0]] * 3
    with django_assert_num_queries(1):  # outside a block, read afresh
        visible_owner_ids(user=head)


def test_owner_ids_follow_the_tree_as_it_changes(company):
    """The query is compiled once per user; the tree it reads is read afresh every time."""
    head, helper = company["retail_head"], company["helper"]
    assert emails(User.objects.filter(pk__in=visible_owner_ids(user=head))) == ["retail", "seller"]
    helper.department = Department.objects.get(pk=company["seller"].department_id)
    helper.save()
    assert emails(User.objects.filter(pk__in=visible_owner_ids(user=head))) == ["helper", "retail", "seller"]
    assert emails(User.objects.filter(pk__in=visible_owner_ids(user=helper))) == ["helper"]
    head.headed_departments.update(head=None)
    assert emails(User.objects.filter(pk__in=visible_owner_ids(user=head))) == ["retail"]


def test_structure_is_the_whole_tree(api, company):
    response = api.as_user(company["seller"]).get(reverse("users:structure"))
    assert response.status_code == 200
    roots = response.data
    assert [node["name"] for node in roots] == ["Office", "Support"]
    office = roots[0]
    assert office["head"]["email"] == "ceo@example.com"
    sales = office["children"][0]
    assert sales["name"] == "Sales"
    assert [child["name"] for child in sales["children"]] == ["Retail", "Wholesale"]
    retail = sales["children"][0]
    assert sorted(m["email"] for m in retail["members"]) == ["retail@example.com", "seller@example.com"]


def test_structure_takes_constant_queries(api, employee):
    def add_rows(n):
        parent = make_department(f"Top {User.objects.count()}", head=UserFactory())
        for i in range(n):
            department = make_department(f"Sub {i}", parent=parent, head=UserFactory())
            UserFactory(department=department)

    client = api.as_user(employee)
    url = reverse("users:structure")
    # the user behind the token, the departments with heads, the members
    assert assert_constant_queries(client, url, add_rows) <= 3


def test_department_list_takes_constant_queries(api, employee):
    def add_rows(n):
        parent = make_department(f"Top {Department.objects.count()}")
        for i in range(n):
            make_department(f"Sub {i}", parent=parent, head=UserFactory())

    assert assert_constant_queries(api.as_user(employee), reverse("users:department-list"), add_rows) <= 3


def test_employee_cannot_edit_the_structure(api, company):
    client = api.as_user(company["seller"])
    sales = company["sales"]
    assert client.post(reverse("users:department-list"), {"name": "Mine"}).status_code == 403
    assert client.patch(reverse("users:department-detail", args=[sales.pk]), {"name": "X"}).status_code == 403
    assert client.delete(reverse("users:department-detail", args=[sales.pk])).status_code == 403
    assert client.post(reverse("users:usergroup-list"), {"name": "Mine"}).status_code == 403
    assert not Department.objects.filter(name__in=["Mine", "X"]).exists()


def test_admin_builds_and_moves_departments(api, admin_user, company):
    client = api.as_user(admin_user)
    created = client.post(
        reverse("users:department-list"), {"name": "Online", "parent": company["sales"].pk, "head": admin_user.pk}
    )
    assert created.status_code == 201, created.data
    assert created.data["parent"] == company["sales"].pk
    online = Department.objects.get(name="Online")
    clerk = UserFactory(department=online)
    assert clerk in user_subordinates(user=company["sales_head"])
    assert clerk in user_subordinates(user=admin_user)

    moved = client.patch(reverse("users:department-detail", args=[online.pk]), {"parent": company["support"].pk})
    assert moved.status_code == 200, moved.data
    assert moved.data["parent"] == company["support"].pk
    assert clerk not in user_subordinates(user=company["sales_head"])

    listed = {row["id"]: row["parent"] for row in client.get(reverse("users:department-list")).data["results"]}
    assert listed[online.pk] == company["support"].pk

    to_root = client.patch(reverse("users:department-detail", args=[online.pk]), {"parent": None}, format="json")
    assert to_root.status_code == 200 and to_root.data["parent"] is None


def test_a_department_cannot_move_under_itself(api, admin_user, company):
    office = Department.objects.get(name="Office")
    response = api.as_user(admin_user).patch(
        reverse("users:department-detail", args=[office.pk]), {"parent": company["sales"].pk}
    )
    assert response.status_code == 400
    assert emails(user_subordinates(user=company["ceo"])) == ["retail", "sales", "seller", "trader"]


def test_a_department_with_sub_departments_is_not_deleted(api, admin_user, company):
    client = api.as_user(admin_user)
    assert client.delete(reverse("users:department-detail", args=[company["sales"].pk])).status_code == 409
    assert client.delete(reverse("users:department-detail", args=[company["support"].pk])).status_code == 204
    company["helper"].refresh_from_db()
    assert company["helper"].department is None
