from django.urls import path

from calendars import views

urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("feed-token/", views.FeedTokenView.as_view(), name="feed-token"),
    path("feed.ics", views.FeedView.as_view(), name="feed"),
]
