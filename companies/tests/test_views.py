import pytest
from django.urls import reverse

from activity.models import Activity
from companies.models import Article, Company, Folder, KnowledgeFile
from companies.tests.factories import ArticleFactory, CompanyFactory, FolderFactory, KnowledgeFileFactory
from contacts.tests.factories import ContactFactory
from crm.tests.files import EXE, PDF, upload
from crm.tests.support.queries import assert_constant_queries
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPANIES = reverse("companies:company-list")
FOLDERS = reverse("companies:folder-list")
ARTICLES = reverse("companies:article-list")
FILES = reverse("companies:file-list")


def test_create_a_company_with_a_valid_edrpou(api, employee):
    person = ContactFactory()
    response = api.as_user(employee).post(
        COMPANIES, {"name": "PrivatBank", "edrpou": "14360570", "contact_person": person.pk}
    )
    assert response.status_code == 201, response.data
    assert response.data["responsible"] == employee.pk
    assert response.data["contact_person_detail"]["id"] == person.pk
    assert Activity.objects.filter(verb="created", target_type__model="company").exists()


def test_a_wrong_control_digit_is_a_400(api, employee):
    response = api.as_user(employee).post(COMPANIES, {"name": "Typo", "edrpou": "14360571"})
    assert response.status_code == 400
    assert "edrpou" in response.data
    assert not Company.objects.exists()


def test_the_same_edrpou_twice_is_a_conflict(api, employee):
    CompanyFactory(edrpou="14360570")
    assert api.as_user(employee).post(COMPANIES, {"name": "Twin", "edrpou": "14360570"}).status_code == 409
    assert api.post(COMPANIES, {"name": "No code"}).status_code == 201
    assert api.post(COMPANIES, {"name": "No code either"}).status_code == 201


def test_employees_are_the_companys_contacts(api, employee):
    company = CompanyFactory()
    ContactFactory.create_batch(3, company=company)
    response = api.as_user(employee).get(reverse("companies:company-detail", args=[company.pk]))
    assert response.data["employee_count"] == 3


def test_staff_read_but_only_admins_and_the_responsible_change_a_company(api, employee):
    company = CompanyFactory(responsible=UserFactory(), name="Before")
    client = api.as_user(employee)
    url = reverse("companies:company-detail", args=[company.pk])
    assert client.get(url).status_code == 200
    assert client.patch(url, {"name": "After"}).status_code == 403
    assert client.delete(url).status_code == 403
    company.refresh_from_db()
    assert company.name == "Before"


def test_company_list_takes_constant_queries(api, employee):
    def add_rows(n):
        for _ in range(n):
            company = CompanyFactory(responsible=UserFactory(), contact_person=ContactFactory())
            ContactFactory(company=company)

    # the user behind the token, the count, the page with people joined and employees counted
    assert assert_constant_queries(api.as_user(employee), COMPANIES, add_rows) <= 3


def test_knowledge_base_is_written_by_the_companys_responsible_user(api, employee):
    mine = CompanyFactory(responsible=employee)
    theirs = CompanyFactory(responsible=UserFactory())
    client = api.as_user(employee)
    assert client.post(FOLDERS, {"company": mine.pk, "name": "Contracts"}).status_code == 201
    assert client.post(FOLDERS, {"company": theirs.pk, "name": "Contracts"}).status_code == 403
    assert client.post(ARTICLES, {"company": theirs.pk, "name": "How to"}).status_code == 403
    their_folder = FolderFactory(company=theirs)
    url = reverse("companies:folder-detail", args=[their_folder.pk])
    assert client.patch(url, {"name": "Mine"}).status_code == 403
    assert client.delete(url).status_code == 403
    assert Folder.objects.filter(company=theirs).count() == 1


def test_a_folder_name_is_unique_within_a_company(api, employee):
    company = CompanyFactory(responsible=employee)
    client = api.as_user(employee)
    assert client.post(FOLDERS, {"company": company.pk, "name": "Docs"}).status_code == 201
    assert client.post(FOLDERS, {"company": company.pk, "name": "Docs"}).status_code == 409


def test_an_article_is_filed_only_in_its_companys_folders(api, employee):
    company = CompanyFactory(responsible=employee)
    own = FolderFactory(company=company)
    foreign = FolderFactory()
    client = api.as_user(employee)
    response = client.post(ARTICLES, {"company": company.pk, "name": "Guide", "folders": [own.pk, foreign.pk]})
    assert response.status_code == 400
    response = client.post(ARTICLES, {"company": company.pk, "name": "Guide", "folders": [own.pk]})
    assert response.status_code == 201
    rows = client.get(ARTICLES, {"folder": own.pk}).data["results"]
    assert [row["id"] for row in rows] == [response.data["id"]]


def test_opening_an_article_counts_each_view(api, employee):
    article = ArticleFactory()
    client = api.as_user(employee)
    url = reverse("companies:article-detail", args=[article.pk])
    assert client.get(url).data["views"] == 1
    assert client.get(url).data["views"] == 2
    client.get(ARTICLES)
    article.refresh_from_db()
    assert article.views == 2


def test_article_list_takes_constant_queries(api, employee):
    def add_rows(n):
        for _ in range(n):
            article = ArticleFactory(author=UserFactory())
            article.folders.add(FolderFactory(company=article.company), FolderFactory(company=article.company))

    # the user behind the token, the count, the page with company and author, the folders
    assert assert_constant_queries(api.as_user(employee), ARTICLES, add_rows) <= 4


def test_upload_a_knowledge_base_file(api, employee):
    article = ArticleFactory(company=CompanyFactory(responsible=employee))
    client = api.as_user(employee)
    refused = client.post(
        FILES, {"article": article.pk, "name": "Prices", "file": upload("p.pdf", EXE)}, format="multipart"
    )
    assert refused.status_code == 400
    assert not KnowledgeFile.objects.exists()
    accepted = client.post(
        FILES, {"article": article.pk, "name": "Prices", "file": upload("p.pdf", PDF)}, format="multipart"
    )
    assert accepted.status_code == 201, accepted.data
    assert accepted.data["company"] == article.company_id


def test_files_of_someone_elses_company_cannot_be_added_or_removed(api, employee):
    knowledge_file = KnowledgeFileFactory(article__company__responsible=UserFactory())
    client = api.as_user(employee)
    response = client.post(
        FILES, {"article": knowledge_file.article_id, "name": "X", "file": upload("x.pdf", PDF)}, format="multipart"
    )
    assert response.status_code == 403
    assert client.delete(reverse("companies:file-detail", args=[knowledge_file.pk])).status_code == 403
    assert KnowledgeFile.objects.count() == 1


def test_files_list_takes_constant_queries(api, employee):
    def add_rows(n):
        KnowledgeFileFactory.create_batch(n)

    assert assert_constant_queries(api.as_user(employee), FILES, add_rows) <= 3


def test_folder_list_takes_constant_queries(api, employee):
    def add_rows(n):
        for folder in FolderFactory.create_batch(n):
            ArticleFactory(company=folder.company).folders.add(folder)

    assert assert_constant_queries(api.as_user(employee), FOLDERS, add_rows) <= 3
    assert Article.objects.exists()


HUGE = "-127015456025412059136"


@pytest.mark.parametrize(("url", "name"), [(FILES, "company"), (FILES, "article"), (ARTICLES, "folder")])
def test_huge_ids_in_filters_are_a_400_and_unknown_ones_match_nothing(api, employee, url, name):
    client = api.as_user(employee)
    assert client.get(url, {name: HUGE}).status_code == 400
    unknown = client.get(url, {name: "999999"})
    assert unknown.status_code == 200 and unknown.json()["count"] == 0


def test_a_partial_update_answers_with_every_field(api, employee):
    company = CompanyFactory(responsible=employee)
    response = api.as_user(employee).patch(reverse("companies:company-detail", args=[company.pk]), {"name": "New"})
    assert response.data["contact_person_detail"] is None
    assert response.data["employee_count"] == 0
