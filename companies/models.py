from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from companies.validators import validate_edrpou
from crm.files.uploads import UploadTo, validate_upload
from crm.models import TimeStampedModel, optional_reference, user_reference
from crm.trash import TrashableModel


class Company(TrashableModel, TimeStampedModel):
    name = models.CharField(_("name"), max_length=255)
    edrpou = models.CharField(_("EDRPOU code"), max_length=8, blank=True, validators=[validate_edrpou])
    contact_person = optional_reference("contacts.Contact", _("contact person"))
    responsible = user_reference(_("responsible"), related_name="responsible_companies")
    # Employees are the contacts whose `company` is this one (Contact.company, related name "employees").

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.UniqueConstraint(fields=["edrpou"], condition=~models.Q(edrpou=""), name="company_unique_edrpou")
        ]
        indexes = [
            models.Index(Lower("name"), name="company_name_lower_idx"),
            models.Index(fields=["name", "id"], name="company_list_order_idx"),
        ]

    def __str__(self):
        return self.name


class Folder(TimeStampedModel):
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="folder_unique_name_per_company")]

    def __str__(self):
        return self.name


class Article(TimeStampedModel):
    """A knowledge base article of a company, filed in any of its folders."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="articles")
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    folders = models.ManyToManyField(Folder, verbose_name=_("folders"), blank=True, related_name="articles")
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    author = user_reference(_("author"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.name


class KnowledgeFile(TimeStampedModel):
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to=UploadTo("knowledge"), validators=[validate_upload])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("knowledge base file")
        verbose_name_plural = _("knowledge base files")

    def __str__(self):
        return self.name
