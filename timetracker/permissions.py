from users.selectors import users_visible_as_owners


def can_see_records_of(*, viewer, user_id: int) -> bool:
    """Time records are the user's and their managers' (up the department tree); the owner and admins see all."""
    visible = users_visible_as_owners(user=viewer)
    return visible is None or visible.filter(pk=user_id).exists()
