"""The front door: `/`, a page for whoever opens the server in a browser, and `/api/`, the API's index.

The index is read from the URL conf: every `api/<section>/` mounted in crm/urls.py, with
its description from `SECTION_DESCRIPTIONS` (crm/tests/test_front.py keeps the two in step).
It is public, like the page: the names of the sections reveal nothing the docs' login
guards; the schema and its viewer stay behind `DocsReader` unless API_DOCS_PUBLIC.
"""

import re

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import get_resolver, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

PRODUCT = _("A CRM for a company that sells through an online shop: contacts, leads, deals, tasks, chat and calls.")

SECTION_DESCRIPTIONS = {
    "auth": _("Sign in for JWT tokens, refresh them, sign out, and get single-use tickets for the WebSockets."),
    "users": _("Staff, your profile and status, invitations, departments, groups and the company structure."),
    "activity": _("The activity feed: what you and your subordinates did."),
    "notifications": _("Your notifications, the unread count and which of them are emailed."),
    "contacts": _("Customers: contacts, their requests and returns."),
    "companies": _("Companies and their knowledge base: folders, articles and files."),
    "comments": _("Comments on records."),
    "leads": _("Leads and their calls."),
    "deals": _("Deals through pipelines and stages, products and shop orders."),
    "promotions": _("Promotions, promo codes and discounts from the shop."),
    "chat": _("Chats and their messages; live on the /ws/chat/<id>/ socket."),
    "timetracker": _("The work timer and the periods worked, with reports."),
    "tasks": _("Tasks, projects and tags."),
    "calendars": _("The calendar of events and a personal iCalendar feed."),
    "dashboard": _("The dashboard's metrics and employees' results."),
    "search": _("Search across the records you may see."),
    "trash": _("Deleted records, and restoring them."),
    "calls": _("Telephone calls from Binotel."),
    "webhooks": _("Outbound webhooks: the URLs that receive the CRM's events, signed, and their delivery log."),
    "files": _("Downloads of stored files, allowed by the record they belong to."),
}

# The index's own links, not sections.
_NOT_SECTIONS = {"schema", "docs"}


def api_sections() -> list[str]:
    """The `api/<section>/` prefixes of the root URL conf, in its order."""
    found = []
    for pattern in get_resolver().url_patterns:
        match = re.fullmatch(r"api/([\w-]+)/", str(pattern.pattern))
        if match and match.group(1) not in _NOT_SECTIONS:
            found.append(match.group(1))
    return found


@require_safe
def front_page(request):
    return render(request, "front.html", {"product": PRODUCT})


@require_safe
def api_index(request):
    sections = [
        {"name": name, "url": f"/api/{name}/", "description": SECTION_DESCRIPTIONS.get(name, "")}
        for name in api_sections()
    ]
    return JsonResponse(
        {
            "description": PRODUCT,
            "sections": sections,
            "schema": reverse("schema"),
            "docs": reverse("docs"),
        },
        json_dumps_params={"ensure_ascii": False},
    )
