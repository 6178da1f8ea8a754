from rest_framework.routers import SimpleRouter

from tasks import views

router = SimpleRouter()
router.register("tags", views.TagViewSet, basename="tag")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("", views.TaskViewSet, basename="task")

urlpatterns = router.urls
