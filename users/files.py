"""Photos are seen by every colleague who sees the user's card (deactivated ones: owner and admins only)."""

from crm.files import downloads
from users.models import User
from users.selectors import user_list


def _photos_visible(*, user):
    return user_list(viewer=user)


downloads.register("photo", User, field="photo", visible_to=_photos_visible, inline=True)
