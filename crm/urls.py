from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from chat.urls import page_urlpatterns as chat_pages
from crm.front import api_index, front_page
from crm.search.views import SearchView
from users.admin import throttled_admin_login


class DocsReader(BasePermission):
    """The schema and its viewer: anyone with API_DOCS_PUBLIC, else a signed-in user (JWT or admin session)."""

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class DocsView(SpectacularSwaggerView):
    """Swagger UI; a browser that is not signed in is sent to the admin's login, and back here after it."""

    permission_classes = [DocsReader]

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path(), reverse("admin:login"))
        return super().handle_exception(exc)


urlpatterns = [
    path("", front_page, name="front"),
    path("api/", api_index, name="api-index"),
    # Before the admin's own URLs: its login counts against the API login's allowance (crm.api.throttling).
    path("admin/login/", throttled_admin_login),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[DocsReader]), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("api/auth/", include(("users.auth_urls", "auth"))),
    path("api/users/", include(("users.urls", "users"))),
    path("api/activity/", include(("activity.urls", "activity"))),
    path("api/notifications/", include(("notifications.urls", "notifications"))),
    path("api/contacts/", include(("contacts.urls", "contacts"))),
    path("api/companies/", include(("companies.urls", "companies"))),
    path("api/comments/", include(("comments.urls", "comments"))),
    path("api/leads/", include(("leads.urls", "leads"))),
    path("api/deals/", include(("deals.urls", "deals"))),
    path("api/promotions/", include(("promotions.urls", "promotions"))),
    path("api/chat/", include(("chat.urls", "chat"))),
    path("api/timetracker/", include(("timetracker.urls", "timetracker"))),
    path("chat/", include((chat_pages, "chat-pages"))),
    path("api/tasks/", include(("tasks.urls", "tasks"))),
    path("api/calendars/", include(("calendars.urls", "calendars"))),
    path("api/dashboard/", include(("dashboard.urls", "dashboard"))),
    path("api/search/", SearchView.as_view(), name="search"),
    path("api/trash/", include(("crm.trash.views", "trash"))),
    path("api/calls/", include(("calls.urls", "calls"))),
    path("api/webhooks/", include(("crm.webhooks.urls", "webhooks"))),
]

# Stored files only through the access-checking endpoint: nothing is served from MEDIA_ROOT by path.
urlpatterns += [path("api/files/", include("crm.files.downloads"))]
