from rest_framework.routers import SimpleRouter

from comments import views

router = SimpleRouter()
router.register("", views.CommentViewSet, basename="comment")

urlpatterns = router.urls
