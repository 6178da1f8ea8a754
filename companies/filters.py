import django_filters

from companies.models import Article, Company, Folder, KnowledgeFile
from crm.filters import FilterSet, PeriodFilterSet


class CompanyFilter(PeriodFilterSet):
    class Meta:
        model = Company
        fields = ["responsible", "edrpou"]


class FolderFilter(FilterSet):
    class Meta:
        model = Folder
        fields = ["company"]


class ArticleFilter(PeriodFilterSet):
    folder = django_filters.ModelChoiceFilter(field_name="folders", queryset=Folder.objects.all(), distinct=True)

    class Meta:
        model = Article
        fields = ["company", "author"]


class KnowledgeFileFilter(PeriodFilterSet):
    company = django_filters.ModelChoiceFilter(field_name="article__company", queryset=Company.objects.all())

    class Meta:
        model = KnowledgeFile
        fields = ["article"]
