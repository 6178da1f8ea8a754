from companies.models import Article, Company, Folder, KnowledgeFile
from crm.api.filters import FilterSet, IdFilter, PeriodFilterSet


class CompanyFilter(PeriodFilterSet):
    class Meta:
        model = Company
        fields = ["responsible", "edrpou"]


class FolderFilter(FilterSet):
    class Meta:
        model = Folder
        fields = ["company"]


class ArticleFilter(PeriodFilterSet):
    folder = IdFilter(field_name="folders", distinct=True)

    class Meta:
        model = Article
        fields = ["company", "author"]


class KnowledgeFileFilter(PeriodFilterSet):
    company = IdFilter(field_name="article__company")

    class Meta:
        model = KnowledgeFile
        fields = ["article"]
