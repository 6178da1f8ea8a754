from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

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
    path("api/tasks/", include(("tasks.urls", "tasks"))),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
