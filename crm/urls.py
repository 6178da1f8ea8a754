from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from chat.urls import page_urlpatterns as chat_pages
from crm.views import SearchView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
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
    path("api/trash/", include(("crm.trash_views", "trash"))),
    path("api/calls/", include(("calls.urls", "calls"))),
]

# Stored files only through the access-checking endpoint: nothing is served from MEDIA_ROOT by path.
urlpatterns += [path("api/files/", include("crm.files"))]
