from django.urls import path

from users import views

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="token"),
    path("token/refresh/", views.TokenRefreshThrottledView.as_view(), name="token-refresh"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("ws-ticket/", views.WsTicketView.as_view(), name="ws-ticket"),
]
