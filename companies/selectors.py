from django.db.models import Count, QuerySet

from companies.models import Article, Company, Folder, KnowledgeFile
from crm.duplicates import DuplicatePairs, Rule, name_key

COMPANY_DUPLICATES = DuplicatePairs(
    Company, exact=[], similar=Rule("name", key=name_key("name"), present="{t}.name <> ''")
)


def company_list(*, user) -> QuerySet[Company]:
    """Every company: all staff read them."""
    return (
        Company.objects.select_related("contact_person", "responsible")
        .annotate(employee_count=Count("employees", distinct=True))
        .order_by(*Company._meta.ordering)
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
