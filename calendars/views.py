import datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from calendars import ical, selectors, services
from calendars.models import FeedToken
from calendars.serializers import (
    CalendarQuerySerializer,
    CalendarSerializer,
    FeedQuerySerializer,
    FeedTokenRequestSerializer,
    FeedTokenSerializer,
)
from crm.api.periods import day_bounds


class CalendarView(APIView):
    """One calendar over every dated source (tasks, deals, work, birthdays, and what other apps register).

    Each source shows only what the caller may see. Days are days of the configured time zone;
    every day of the range is listed with its bounds and its events. A name that is not a dated
    source is a 400 "this data has no date"; leaving a source out of `source` hides it.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[CalendarQuerySerializer], responses=CalendarSerializer)
    def get(self, request):
        query = CalendarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sources = selectors.parse_sources(query.validated_data.get("source"))
        first, last = query.validated_data["first"], query.validated_data["last"]
        start, end = day_bounds(first)[0], day_bounds(last)[1]
        events = selectors.calendar_events(
            user=request.user, sources=sources, start=start, end=end, mine=query.validated_data["mine"]
        )
        days = selectors.calendar_days(events, first=first, last=last)
        zone = timezone.get_current_timezone()
        # Built by hand: thousands of events through DRF field objects would cost most of the response time.
        return Response(
            {
                "first": first.isoformat(),
                "last": last.isoformat(),
                "time_zone": settings.TIME_ZONE,
                "sources": sources,
                "days": [
                    {
                        "date": day["date"].isoformat(),
                        "start": day["start"].isoformat(),
                        "end": day["end"].isoformat(),
                        "events": [selectors.event_as_dict(event, zone) for event in day["events"]],
                    }
                    for day in days
                ],
            }
        )


def _feed_url(request, token: str) -> str:
    return f"{settings.SITE_URL}/api/calendars/feed.ics?token={token}"


class FeedTokenView(APIView):
    """Your personal iCalendar feed link: POST makes a new one (the old stops working), DELETE revokes it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=FeedTokenRequestSerializer, responses={201: FeedTokenSerializer})
    def post(self, request):
        body = FeedTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sources = selectors.parse_sources(body.validated_data.get("source"))
        if not (body.validated_data.get("source") or "").strip():
            sources = []
        token, feed = services.feed_token_issue(user=request.user, sources=sources)
        data = {"url": _feed_url(request, token), "sources": sources, "created_at": feed.created_at}
        return Response(FeedTokenSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, 404: OpenApiResponse(description="No feed link to revoke.")})
    def delete(self, request):
        if not services.feed_token_revoke(user=request.user):
            raise NotFound(_("You have no calendar feed link."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedView(APIView):
    """The iCalendar feed of the token's owner: what they may see, from some weeks back to some months ahead."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[FeedQuerySerializer],
        responses={(200, "text/calendar"): OpenApiTypes.BINARY, 403: OpenApiResponse(description="Revoked token.")},
    )
    def get(self, request):
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        feed: FeedToken | None = services.feed_token_use(token=query.validated_data["token"])
        if feed is None:
            raise PermissionDenied(_("This calendar link was revoked or never existed."))
        today = timezone.localdate()
        start = day_bounds(today - datetime.timedelta(days=settings.CALENDAR_FEED_PAST_DAYS))[0]
        end = day_bounds(today + datetime.timedelta(days=settings.CALENDAR_FEED_FUTURE_DAYS))[1]
        sources = selectors.feed_sources(feed.sources)
        events = selectors.calendar_events(user=feed.user, sources=sources, start=start, end=end)
        body = ical.render_feed(events, name=_("CRM: %(user)s") % {"user": feed.user.get_full_name() or feed.user})
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
