from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from chat import selectors, services
from chat.filters import MessageFilter
from chat.forms import ChatCreateForm
from chat.models import Chat, Message
from chat.permissions import can_manage
from chat.serializers import (
    ChatCreateSerializer,
    ChatSerializer,
    ChatUpdateSerializer,
    ChatUserSerializer,
    InviteCreatedSerializer,
    InviteCreateSerializer,
    InviteSerializer,
    JoinSerializer,
    MessageCreateSerializer,
    MessageSerializer,
)
from crm.api import viewsets
from crm.api.exceptions import DomainError
from crm.api.ids import MAX_ID
from crm.api.parsers import JSONParser
from users.models import User

USER_ID = OpenApiParameter("user_id", int, OpenApiParameter.PATH)
INVITE_ID = OpenApiParameter("invite_id", int, OpenApiParameter.PATH)


def _active_user(user_id: int, field: str = "user") -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({field: [_("No such active user.")]})
    return user


class ChatViewSet(viewsets.GenericViewSet):
    """Your chats (the side panel): each with its members, last message and your unread count.

    Only members see a chat; only its owner and admins rename it and manage its members.
    """

    model = Chat
    serializer_class = ChatSerializer
    filter_backends: list = []

    def scoped_queryset(self, user):
        return selectors.chat_list(user=user)

    def _respond(self, chat_id, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=chat_id)).data, status=code)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=ChatCreateSerializer, responses={201: ChatSerializer})
    def create(self, request):
        serializer = ChatCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ids = set(data.pop("members"))
        members = list(User.objects.filter(pk__in=ids, is_active=True))
        if len(members) != len(ids):
            raise ValidationError({"members": [_("Some of these users do not exist or are deactivated.")]})
        chat = services.chat_create(owner=request.user, members=members, **data)
        return self._respond(chat.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ChatUpdateSerializer, responses=ChatSerializer)
    def partial_update(self, request, pk=None):
        chat = self.get_object()
        serializer = ChatUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.chat_update(chat=chat, actor=request.user, data=serializer.validated_data)
        return self._respond(chat.pk)

    @extend_schema(request=ChatUserSerializer, responses=ChatSerializer)
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request, pk=None):
        chat = self.get_object()
        serializer = ChatUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _active_user(serializer.validated_data["user"])
        services.chat_add_member(chat=chat, actor=request.user, user=user)
        return self._respond(chat.pk)

    @extend_schema(request=None, responses=ChatSerializer, parameters=[USER_ID])
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>[0-9]+)")
    def remove_member(self, request, pk=None, user_id=None):
        chat = self.get_object()
        services.chat_remove_member(chat=chat, actor=request.user, user=self._member(chat, user_id))
        return self._respond(chat.pk)

    @extend_schema(request=ChatUserSerializer, responses=ChatSerializer)
    @action(detail=True, methods=["post"], url_path="admins")
    def add_admin(self, request, pk=None):
        chat = self.get_object()
        serializer = ChatUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _active_user(serializer.validated_data["user"])
        services.chat_add_member(chat=chat, actor=request.user, user=user, is_admin=True)
        return self._respond(chat.pk)

    @extend_schema(request=None, responses=ChatSerializer, parameters=[USER_ID])
    @action(detail=True, methods=["delete"], url_path=r"admins/(?P<user_id>[0-9]+)")
    def remove_admin(self, request, pk=None, user_id=None):
        chat = self.get_object()
        services.chat_remove_admin(chat=chat, actor=request.user, user=self._member(chat, user_id))
        return self._respond(chat.pk)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        services.chat_leave(chat=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ChatUserSerializer, responses={200: ChatSerializer, 201: ChatSerializer})
    @action(detail=False, methods=["post"])
    def direct(self, request):
        """The direct chat between you and `user`: found, or created on first use (201)."""
        serializer = ChatUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other = _active_user(serializer.validated_data["user"])
        chat, created = services.chat_direct(user=request.user, other=other)
        return self._respond(chat.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=JoinSerializer, responses=ChatSerializer)
    @action(detail=False, methods=["post"])
    def join(self, request):
        """Become a member through an invite link's token (404 unknown, 410 expired or revoked)."""
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chat = services.invite_accept(token=serializer.validated_data["token"], user=request.user)
        return self._respond(chat.pk)

    @extend_schema(methods=["get"], request=None, responses=InviteSerializer(many=True))
    @extend_schema(methods=["post"], request=InviteCreateSerializer, responses={201: InviteCreatedSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def invites(self, request, pk=None):
        """The chat's invite links (owner and admins); POST makes a new one, optionally expiring."""
        chat = self.get_object()
        if request.method == "GET":
            if not can_manage(selectors.chat_membership(chat_id=chat.pk, user=request.user)[1]):
                raise PermissionDenied(_("Only the chat's owner and admins can do this."))
            return Response(InviteSerializer(selectors.invite_list(chat=chat), many=True).data)
        serializer = InviteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite, token = services.invite_create(chat=chat, actor=request.user, **serializer.validated_data)
        invite.token = token
        return Response(InviteCreatedSerializer(invite).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InviteSerializer, parameters=[INVITE_ID])
    @action(detail=True, methods=["delete"], url_path=r"invites/(?P<invite_id>[0-9]+)")
    def revoke_invite(self, request, pk=None, invite_id=None):
        chat = self.get_object()
        invite = selectors.invite_list(chat=chat).filter(pk=invite_id).first() if int(invite_id) <= MAX_ID else None
        if invite is None:
            raise NotFound(_("No such invite."))
        return Response(InviteSerializer(services.invite_revoke(invite=invite, actor=request.user)).data)

    @staticmethod
    def _member(chat, user_id) -> User:
        member = chat.members.filter(pk=user_id).first() if int(user_id) <= MAX_ID else None
        if member is None:
            raise NotFound(_("This user is not a member of the chat."))
        return member


class MessageViewSet(viewsets.GenericViewSet):
    """Messages of your chats: search them (`?search=`, `?chat=`, periods) and post one with a file."""

    model = Message
    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    search_fields = ["text"]
    ordering_fields = ["created_at", "id"]
    parser_classes = [JSONParser, MultiPartParser]

    def scoped_queryset(self, user):
        return selectors.message_list(user=user)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    # Declared as multipart, the one body that carries a file; a message without one may be sent as JSON too.
    @extend_schema(request={"multipart/form-data": MessageCreateSerializer}, responses={201: MessageSerializer})
    def create(self, request):
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chat, membership = selectors.chat_membership(chat_id=data["chat"], user=request.user)
        if membership is None:
            raise ValidationError({"chat": [_("No such chat.")]})
        files = [data["file"]] if data.get("file") else []
        message = services.message_create(chat=chat, author=request.user, text=data["text"], files=files)
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


# Server-rendered pages for staff logged in through the admin.


@staff_member_required
def lobby(request):
    form = ChatCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chat = services.chat_create(owner=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("name", str(error.detail))
        else:
            return redirect("chat-pages:room", chat_id=chat.pk)
    opened = request.GET.get("open", "").strip()
    if opened:
        chat = selectors.chat_list(user=request.user).filter(name=opened).first()
        if chat is not None:
            return redirect("chat-pages:room", chat_id=chat.pk)
        messages.error(request, _("You are not a member of a chat with this name."))
    chats = selectors.chat_list(user=request.user)
    return render(request, "chat/index.html", {"chats": chats, "form": form})


@staff_member_required
def room(request, chat_id: int):
    chat, membership = selectors.chat_membership(chat_id=chat_id, user=request.user)
    if membership is None:
        raise Http404
    return render(request, "chat/room.html", {"chat": chat, "membership": membership})
