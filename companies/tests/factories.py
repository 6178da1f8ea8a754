import factory

from companies.models import Article, Company, Folder, KnowledgeFile


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Folder

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Folder {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Article {n}")


class KnowledgeFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeFile

    article = factory.SubFactory(ArticleFactory)
    name = "Price list"
    file = factory.django.FileField(filename="prices.pdf", data=b"%PDF-1.4\n%%EOF\n")
