from rest_framework.routers import SimpleRouter

from companies import views

router = SimpleRouter()
router.register("folders", views.FolderViewSet, basename="folder")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("files", views.KnowledgeFileViewSet, basename="file")
router.register("", views.CompanyViewSet, basename="company")

urlpatterns = router.urls
