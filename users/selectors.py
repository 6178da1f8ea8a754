import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Exists, ManyToManyField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from users.models import ApiToken, Department, Invitation, User
from users.tokens import API_TOKEN_MAX_LENGTH, API_TOKEN_PREFIX, hash_token

# What a user's summary (UserBriefSerializer) reads: prefetches load these, not the password hash.
USER_BRIEF_FIELDS = ("id", "email", "first_name", "last_name", "patronymic", "photo", "role", "status", "last_seen")


def user_briefs() -> QuerySet[User]:
    return User.objects.only(*USER_BRIEF_FIELDS)


def unshown(relation: str, model=User, shown=USER_BRIEF_FIELDS) -> list[str]:
    """The columns of `relation` (a row joined by `select_related`) that its summary does not show: what a list's
    page defers, so that it reads and builds only what it writes."""
    return [f"{relation}__{field.name}" for field in model._meta.concrete_fields if field.name not in shown]


def user_subordinates(*, user: User) -> QuerySet[User]:
    """Members of the departments `user` heads and of every department below them, in one query.

    A department's materialised path starts with the paths of all its ancestors,
    so "below a headed department" is a prefix match, done inside the database.
    """
    headed_above = Department.objects.filter(head=user, path=Substr(OuterRef("department__path"), 1, Length("path")))
    return User.objects.filter(Exists(headed_above)).exclude(pk=user.pk)


def user_managers(*, user: User) -> QuerySet[User]:
    """Those who have `user` as a subordinate: heads of the user's department and of every one above it.

    The mirror of `user_subordinates`, in one query: a department is above the user's
    if its path is a prefix of the path of the user's department.
    """
    if user.department_id is None:
        return User.objects.none()
    member_path = Subquery(Department.objects.filter(pk=user.department_id).values("path")[:1])
    above = Department.objects.filter(path=Substr(member_path, 1, Length("path")))
    return User.objects.filter(headed_departments__in=above).exclude(pk=user.pk).distinct()


def users_visible_as_owners(*, user: User) -> QuerySet[User] | None:
    """Whose records `user` may see under SPEC.md section 3: their own and their subordinates'.

    Returns None for the owner and admins, who see everybody's.
    """
    if user.is_owner_or_admin:
        return None
    return _themselves_and_subordinates(user)


def user_by_pk(pk: int) -> User | None:
    """The user with this id, every column, or None: what `User.objects.get(pk=...)` reads, through SQL compiled
    once per process. It runs on every authenticated request, where building and compiling that queryset cost
    several times its SQL."""
    return next(iter(User._default_manager.raw(_user_by_pk_sql(connection.vendor), [pk])), None)


@functools.cache
def _user_by_pk_sql(vendor: str) -> str:
    sql, params = User._default_manager.filter(pk=0).order_by().query.sql_with_params()
    if list(params) != [0]:
        raise AssertionError(f"the user's id should be the only parameter of {sql!r}")
    return sql


def _themselves_and_subordinates(user: User) -> QuerySet[User]:
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=user_subordinates(user=user).values("pk")))


@functools.lru_cache(maxsize=4096)
def _owner_ids_sql(user_pk: int, vendor: str) -> tuple[str, tuple]:
    """The SQL reading the ids of a user and their subordinates, a function of the user's id alone, compiled
    once per process: building and compiling the department tree's subquery cost several times its SQL."""
    sql, params = _themselves_and_subordinates(User(pk=user_pk)).order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


_shared_owner_ids: ContextVar[dict[int, list[int] | None] | None] = ContextVar("shared_owner_ids", default=None)


@contextmanager
def owner_ids_read_once():
    """Inside the block, `visible_owner_ids` reads a user's ids once, for work that scopes several lists at
    once (the global search, "my work", a task's people and shares); outside it, every call reads them
    afresh, so a long-lived socket never keeps stale ids. Nested blocks share the outermost one's."""
    if _shared_owner_ids.get() is not None:
        yield
        return
    token = _shared_owner_ids.set({})
    try:
        yield
    finally:
        _shared_owner_ids.reset(token)


def visible_owner_ids(*, user: User) -> list[int] | None:
    """The ids of the users whose records `user` may see, read in one small query; None for everybody's.

    Scopes filter by this short list of literal ids rather than by a subquery over the
    department tree: PostgreSQL then estimates the few rows they match and uses the
    owner indexes, instead of planning for a large share of the table.
    """
    shared = _shared_owner_ids.get()
    if shared is not None and user.pk in shared:
        return shared[user.pk]
    ids = None
    if not user.is_owner_or_admin:
        with connection.cursor() as cursor:
            cursor.execute(*_owner_ids_sql(user.pk, connection.vendor))
            ids = [pk for (pk,) in cursor.fetchall()]
    if shared is not None:
        shared[user.pk] = ids
    return ids


def _own_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a path such as "deal__responsible"
        return None


def scope_to_owners(queryset: QuerySet, *, user: User, fields: tuple[str, ...]) -> QuerySet:
    """Keep the rows whose `fields` (user foreign keys or many-to-many) point at someone `user` may see.

    The visible owners are read when it is called (once per `owner_ids_read_once` block).
    """
    owner_ids = visible_owner_ids(user=user)
    if owner_ids is None:
        return queryset
    model = queryset.model
    condition = Q()
    for name in fields:
        field = model._meta.pk if name == "pk" else _own_field(model, name)
        if field is not None and field.concrete and not field.many_to_many:
            # A column of this table (a user foreign key): compared with the ids directly.
            condition |= Q(**{f"{field.attname}__in": owner_ids})
        elif isinstance(field, ManyToManyField):
            # A subquery on the link table rather than a join keeps one row per object.
            links = field.remote_field.through._base_manager.filter(
                **{f"{field.m2m_reverse_field_name()}__in": owner_ids}
            ).values(field.m2m_field_name())
            condition |= Q(pk__in=links)
        else:  # a path across relations or a reverse relation: a subquery keeps one row per object
            condition |= Q(pk__in=model._base_manager.filter(**{f"{name}__in": owner_ids}).values("pk"))
    return queryset.filter(condition)


def user_list(*, viewer: User) -> QuerySet[User]:
    """The employee list: every colleague; deactivated accounts only for the owner and admins."""
    queryset = User.objects.select_related("department", "group")
    if not viewer.is_owner_or_admin:
        queryset = queryset.filter(is_active=True)
    return queryset


def department_list() -> QuerySet[Department]:
    parent = Department.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Department.steplen)
    ).values("pk")[:1]
    return Department.objects.select_related("head").annotate(parent_id=Subquery(parent))


def company_structure() -> list[dict]:
    """The departments tree with heads and members, built from two queries whatever its size."""
    departments = list(Department.objects.select_related("head", "head__department", "head__group"))
    members = User.objects.filter(is_active=True, department__isnull=False).select_related("department", "group")
    nodes = {d.pk: {"department": d, "members": [], "children": []} for d in departments}
    for member in members:
        nodes[member.department_id]["members"].append(member)
    roots = []
    by_path = {d.path: nodes[d.pk] for d in departments}
    for department in departments:
        parent_path = department.path[: -department.steplen]
        parent = by_path.get(parent_path) if parent_path else None
        (parent["children"] if parent else roots).append(nodes[department.pk])
    return roots


def invitation_list() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("invited_by", "group", "department", "user")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, live, expired and revoked."""
    return ApiToken.objects.filter(user=user)


def api_token_by_secret(secret: str) -> ApiToken | None:
    """The live token of an active user whose secret this is, with its user; None for anything else."""
    if not secret.startswith(API_TOKEN_PREFIX) or len(secret) > API_TOKEN_MAX_LENGTH:
        return None
    return (
        ApiToken.objects.live()
        .select_related("user")
        .filter(token_hash=hash_token(secret), user__is_active=True)
        .first()
    )
