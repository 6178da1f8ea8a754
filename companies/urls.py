from django.urls import path
from rest_framework.routers import SimpleRouter

from companies import views
from tasks.views import CompanyTaskViewSet

router = SimpleRouter()
router.register("folders", views.FolderViewSet, basename="folder")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("files", views.KnowledgeFileViewSet, basename="file")
router.register("", views.CompanyViewSet, basename="company")

urlpatterns = [
    path("<int:company_pk>/tasks/", CompanyTaskViewSet.as_view({"get": "list"}), name="company-tasks"),
    *router.urls,
]
