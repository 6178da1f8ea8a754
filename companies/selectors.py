from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from companies.models import Article, Company, Folder, KnowledgeFile
from contacts.models import Contact
from contacts.selectors import CONTACT_BRIEF_FIELDS
from crm.merge.duplicates import DuplicatePairs, Rule, name_key
from users.selectors import unshown

COMPANY_DUPLICATES = DuplicatePairs(
    Company, exact=[], similar=Rule("name", key=name_key("name"), present="{t}.name <> ''")
)


def company_list(*, user) -> QuerySet[Company]:
    """Every company: all staff read them.

    The employees are counted per row by a correlated subquery, so a page counts the
    employees of its own companies only, not of every company before the cut.
    """
    employees = Contact.objects.filter(company=OuterRef("pk")).order_by().values("company")
    return Company.objects.select_related("contact_person", "responsible").annotate(
        employee_count=Coalesce(Subquery(employees.annotate(count=Count("pk")).values("count")), 0)
    )


def company_rows(*, user) -> QuerySet[Company]:
    """`company_list` for a list's page: of the contact person and the responsible user, what the row shows."""
    return company_list(user=user).defer(
        *unshown("contact_person", Contact, CONTACT_BRIEF_FIELDS), *unshown("responsible")
    )


def folder_list(*, user) -> QuerySet[Folder]:
    return (
        Folder.objects.select_related("company")
        .annotate(article_count=Count("articles", distinct=True))
        .order_by(*Folder._meta.ordering)
    )


def article_list(*, user) -> QuerySet[Article]:
    return Article.objects.select_related("company", "author").prefetch_related("folders")


def knowledge_file_list(*, user) -> QuerySet[KnowledgeFile]:
    return KnowledgeFile.objects.select_related("article", "article__company")
