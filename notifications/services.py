from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from crm.realtime.broadcast import broadcast, broadcast_many, user_group
from notifications import selectors
from notifications.models import Notification, NotificationPreference
from notifications.serializers import NotificationSerializer

STREAM = "notifications"


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    description: str = "",
    target: models.Model | None = None,
) -> Notification:
    """Store a notification for `recipient`, push it to all their tabs and email it if they want that kind.

    Every domain event that concerns a user goes through here (or `notify_many`). The
    push and the email leave only once the surrounding transaction commits.
    """
    return notify_many(recipients=[recipient], kind=kind, title=title, description=description, target=target)[0]


def notify_many(
    *,
    recipients,
    kind: str,
    title: str,
    description: str = "",
    target: models.Model | None = None,
) -> list[Notification]:
    """`notify` for several people at once: one insert, one preference query and one push however many they are."""
    recipients = list(recipients)
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                kind=kind,
                title=str(title)[:255],
                description=str(description),
                target_type=target_type,
                target_id=str(target.pk) if target is not None else "",
            )
            for recipient in recipients
        ]
    )
    emailed = selectors.recipients_wanting_email(users=[r for r in recipients if r.email], kind=kind)
    broadcast_many(
        [
            (
                user_group(STREAM, notification.recipient_id),
                "notification.created",
                {"notification": NotificationSerializer(notification).data},
            )
            for notification in notifications
        ]
    )
    for notification in notifications:
        if notification.recipient_id in emailed:
            transaction.on_commit(lambda notification=notification: _send_email(notification))
    return notifications


def _send_email(notification: Notification) -> None:
    context = {"notification": notification, "site_url": settings.SITE_URL}
    with override(settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    # A title quotes what users typed (a task's name): on one line, a line break in it starts no other header.
    subject = " ".join(notification.title.split())
    message = EmailMultiAlternatives(subject=subject, body=text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _push_seen(user, ids: list[int] | None) -> None:
    payload = {"ids": ids, "all": ids is None, "unread_count": selectors.notification_unread_count(user=user)}
    broadcast(user_group(STREAM, user.pk), "notification.seen", payload)


def notification_mark_seen(*, notification: Notification) -> Notification:
    if notification.seen_at is None:
        notification.seen_at = timezone.now()
        notification.save(update_fields=["seen_at"])
        _push_seen(notification.recipient, [notification.pk])
    return notification


def notification_mark_seen_for(*, user, notifications) -> int:
    """Mark seen those of `notifications` (a queryset) that are the user's and unseen; returns how many."""
    ids = list(notifications.filter(recipient=user, seen_at__isnull=True).values_list("pk", flat=True))
    if ids:
        Notification.objects.filter(pk__in=ids).update(seen_at=timezone.now())
        _push_seen(user, ids)
    return len(ids)


def notification_mark_all_seen(*, user) -> int:
    marked = Notification.objects.filter(recipient=user, seen_at__isnull=True).update(seen_at=timezone.now())
    if marked:
        _push_seen(user, None)
    return marked


def preference_set(*, user, kind: str, email: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": email}
    )
    return preference
