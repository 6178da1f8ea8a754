from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from crm.api import viewsets
from crm.api.exceptions import DomainError
from crm.api.parsers import JSONParser
from crm.api.parsing import parse_int, query_param
from crm.api.permissions import IsOwnerOrAdmin, ReadOnlyOrOwnerOrAdmin
from crm.api.throttling import ScopedRateThrottle
from users import center, selectors, services
from users.authentication import NotByApiToken
from users.filters import InvitationFilter, UserFilter
from users.models import ApiToken, Department, Invitation, User, UserGroup
from users.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    CenterSerializer,
    DepartmentSerializer,
    InvitationAcceptSerializer,
    InvitationSerializer,
    LogoutSerializer,
    MeUpdateSerializer,
    QuestionnaireSerializer,
    StatusSerializer,
    StructureNodeSerializer,
    TokenRefreshSerializer,
    UserAdminUpdateSerializer,
    UserGroupSerializer,
    UserSerializer,
    WsTicketSerializer,
)

# Authentication


class TokenView(TokenObtainPairView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class TokenRefreshThrottledView(TokenRefreshView):
    serializer_class = TokenRefreshSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class LogoutView(GenericAPIView):
    """Blacklists a refresh token. Holding the token is the authority, so an expired access token is no obstacle."""

    serializer_class = LogoutSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses={204: None})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = RefreshToken(serializer.validated_data["refresh"])
        except TokenError:
            raise DomainError(_("The refresh token is invalid or expired.")) from None
        token.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


class WsTicketView(APIView):
    @extend_schema(request=None, responses={201: WsTicketSerializer})
    def post(self, request):
        ticket = services.ws_ticket_issue(user=request.user)
        data = {"ticket": ticket, "expires_in": int(settings.WS_TICKET_TTL.total_seconds())}
        return Response(WsTicketSerializer(data).data, status=status.HTTP_201_CREATED)


# Personal API tokens


class ApiTokenViewSet(viewsets.GenericViewSet):
    """My personal API tokens, for the shop's other systems: each acts as me, read-only or read-write, until
    it is revoked, expires, or I am deactivated or change my password. Send one as `Authorization: Token
    <secret>`; the secret is in the answer that creates the token and nowhere else. Tokens are managed
    signed in, not with a token."""

    model = ApiToken
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated, NotByApiToken]
    ordering_fields = ["created_at", "name", "expires_at", "last_used_at"]
    search_fields = ["name", "prefix"]

    def scoped_queryset(self, user):
        return selectors.api_token_list(user=user)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=ApiTokenSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.api_token_create(user=request.user, **serializer.validated_data)
        token.secret = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, summary=_("API tokens: revoke"))
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.api_token_revoke(token=self.get_object())
        return Response(self.get_serializer(token).data)


# Users


class MeView(APIView):
    parser_classes = [JSONParser, MultiPartParser]  # the photo is a file; the rest may come as JSON

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user, context={"request": request}).data)

    @extend_schema(request={"multipart/form-data": MeUpdateSerializer}, responses=UserSerializer)
    def patch(self, request):
        serializer = MeUpdateSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, actor=request.user, data=serializer.validated_data)
        return Response(UserSerializer(user, context={"request": request}).data)


class CenterView(APIView):
    """My communication centre in one request: each section is built in a fixed number of queries."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description=_("Rows per section, 1 to 50; 10 by default."))],
        responses=CenterSerializer,
    )
    def get(self, request):
        limit = query_param(request, "limit", parse_int, default=10, min_value=1, max_value=50)
        return Response(CenterSerializer(center.build(user=request.user, limit=limit)).data)


class MeStatusView(APIView):
    @extend_schema(request=StatusSerializer, responses=UserSerializer)
    def patch(self, request):
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_set_status(user=request.user, status=serializer.validated_data["status"])
        return Response(UserSerializer(user, context={"request": request}).data)


class UserViewSet(viewsets.ListRetrieveUpdateViewSet):
    """Employees: every colleague reads the list and the cards; the owner and admins edit them."""

    model = User
    serializer_class = UserSerializer
    permission_classes = [ReadOnlyOrOwnerOrAdmin]
    filterset_class = UserFilter
    search_fields = ["email", "first_name", "last_name", "patronymic", "chat_nickname", "work_phone"]
    ordering_fields = ["last_name", "first_name", "email", "role", "created_at", "last_seen"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def scoped_queryset(self, user):
        return selectors.user_list(viewer=user)

    @extend_schema(request=UserAdminUpdateSerializer, responses=UserSerializer)
    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        serializer = UserAdminUpdateSerializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=target, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(user).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = services.user_deactivate(user=self.get_object(), actor=request.user)
        return Response(self.get_serializer(user).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        user = services.user_activate(user=self.get_object(), actor=request.user)
        return Response(self.get_serializer(user).data)


class UserGroupViewSet(viewsets.ModelViewSet):
    model = UserGroup
    serializer_class = UserGroupSerializer
    permission_classes = [ReadOnlyOrOwnerOrAdmin]
    search_fields = ["name"]
    ordering_fields = ["name"]

    def scoped_queryset(self, user):
        return UserGroup.objects.all()


class DepartmentViewSet(viewsets.ModelViewSet):
    """Departments of the company structure; the owner and admins edit it."""

    model = Department
    serializer_class = DepartmentSerializer
    permission_classes = [ReadOnlyOrOwnerOrAdmin]
    filterset_fields = ["head", "depth"]
    search_fields = ["name"]
    ordering_fields = ["path", "name"]

    def scoped_queryset(self, user):
        return selectors.department_list()

    def perform_create(self, serializer):
        serializer.instance = services.department_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.department_update(
            department=serializer.instance, actor=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.department_delete(department=instance, actor=self.request.user)


class StructureView(APIView):
    """The whole company structure: departments with their heads, members and sub-departments."""

    @extend_schema(responses=StructureNodeSerializer(many=True))
    def get(self, request):
        roots = selectors.company_structure()
        return Response(StructureNodeSerializer(roots, many=True, context={"request": request}).data)


# Invitations


class InvitationViewSet(viewsets.GenericViewSet):
    """Invitations sent by the owner and admins: list, send, resend, revoke."""

    model = Invitation
    serializer_class = InvitationSerializer
    permission_classes = [IsOwnerOrAdmin]
    filterset_class = InvitationFilter
    search_fields = ["email", "first_name", "last_name"]
    ordering_fields = ["created_at", "email", "expires_at"]

    def scoped_queryset(self, user):
        return selectors.invitation_list()

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(invited_by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        invitation = services.invitation_resend(invitation=self.get_object(), actor=request.user)
        return Response(self.get_serializer(invitation).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(invitation=self.get_object(), actor=request.user)
        return Response(self.get_serializer(invitation).data)


class InvitationQuestionnaireView(APIView):
    """The link from the invitation email: the prefilled questionnaire, and its submission."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitation"

    @extend_schema(
        operation_id="users_invitations_questionnaire",
        responses={
            200: QuestionnaireSerializer,
            404: OpenApiResponse(description=_("No such invitation.")),
            409: OpenApiResponse(description=_("Already used.")),
            410: OpenApiResponse(description=_("Expired.")),
        },
    )
    def get(self, request, token):
        invitation = services.invitation_usable(token=token)
        return Response(QuestionnaireSerializer(invitation).data)

    @extend_schema(
        operation_id="users_invitations_accept",
        request=InvitationAcceptSerializer,
        responses={
            201: UserSerializer,
            404: OpenApiResponse(description=_("No such invitation.")),
            409: OpenApiResponse(description=_("Already used, or the email has an account.")),
            410: OpenApiResponse(description=_("Expired.")),
        },
    )
    def post(self, request, token):
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.invitation_accept(token=token, **serializer.validated_data)
        return Response(UserSerializer(user, context={"request": request}).data, status=status.HTTP_201_CREATED)
