from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from activity.tracking import tracked_create, tracked_delete, tracked_update
from companies.models import Article, Company, Folder, KnowledgeFile
from crm.api.exceptions import conflict_on_duplicate
from crm.trash import trashed_holder_note


def _edrpou_taken(data: dict) -> str:
    return _("A company with this EDRPOU code exists already.") + trashed_holder_note(
        Company, edrpou=data.get("edrpou") or "-"
    )


def company_create(*, actor, data: dict) -> Company:
    data = {"responsible": actor, **data}
    with conflict_on_duplicate(_edrpou_taken(data)):
        return tracked_create(model=Company, actor=actor, data=data)


def company_update(*, company: Company, actor, data: dict) -> Company:
    with conflict_on_duplicate(_edrpou_taken(data)):
        tracked_update(instance=company, actor=actor, data=data)
    return company


def company_delete(*, company: Company, actor) -> None:
    tracked_delete(instance=company, actor=actor)


def folder_create(*, actor, data: dict) -> Folder:
    with conflict_on_duplicate(_("The company has a folder of this name.")):
        return tracked_create(model=Folder, actor=actor, data=data)


def folder_update(*, folder: Folder, actor, data: dict) -> Folder:
    if "company" in data and data["company"] != folder.company:
        raise ValidationError({"company": [_("A folder cannot move to another company.")]})
    with conflict_on_duplicate(_("The company has a folder of this name.")):
        tracked_update(instance=folder, actor=actor, data=data)
    return folder


def folder_delete(*, folder: Folder, actor) -> None:
    tracked_delete(instance=folder, actor=actor)


def _check_folders(company: Company, folders) -> None:
    if any(folder.company_id != company.pk for folder in folders):
        raise ValidationError({"folders": [_("Folders must belong to the article's company.")]})


def article_create(*, actor, data: dict) -> Article:
    _check_folders(data["company"], data.get("folders", []))
    return tracked_create(model=Article, actor=actor, data={"author": actor, **data})


def article_update(*, article: Article, actor, data: dict) -> Article:
    if "company" in data and data["company"] != article.company:
        raise ValidationError({"company": [_("An article cannot move to another company.")]})
    _check_folders(article.company, data.get("folders", []))
    tracked_update(instance=article, actor=actor, data=data)
    return article


def article_delete(*, article: Article, actor) -> None:
    tracked_delete(instance=article, actor=actor)


def article_open(*, article: Article) -> Article:
    """Count one more view, in the database, so that simultaneous readers are all counted."""
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
    article.refresh_from_db(fields=["views"])
    return article


def knowledge_file_create(*, actor, data: dict) -> KnowledgeFile:
    return tracked_create(model=KnowledgeFile, actor=actor, data=data)


def knowledge_file_delete(*, knowledge_file: KnowledgeFile, actor) -> None:
    knowledge_file.file.delete(save=False)
    tracked_delete(instance=knowledge_file, actor=actor)
