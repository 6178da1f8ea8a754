from django.db import transaction
from django.utils import timezone

from calendars.models import FeedToken
from users.tokens import hash_token, new_token


@transaction.atomic
def feed_token_issue(*, user, sources: list[str]) -> tuple[str, FeedToken]:
    """A new personal feed token for `user`; the previous one, if any, stops working."""
    token, token_hash = new_token()
    FeedToken.objects.filter(user=user).delete()
    feed = FeedToken.objects.create(user=user, token_hash=token_hash, sources=",".join(sources))
    return token, feed


def feed_token_revoke(*, user) -> bool:
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def feed_token_use(*, token: str) -> FeedToken | None:
    """The live feed a token opens (its user still active), marking it used; None for a revoked or unknown one."""
    feed = FeedToken.objects.select_related("user").filter(token_hash=hash_token(token), user__is_active=True).first()
    if feed is not None:
        FeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed
