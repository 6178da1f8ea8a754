from django.contrib import admin
from django.utils.translation import pgettext_lazy

from chat.models import Chat, ChatInvite, ChatMember, Message, MessageFile
from crm.admin import CrmModelAdmin, CrmTabularInline
from crm.files.admin import ProtectedFilesAdmin


class ChatMemberInline(CrmTabularInline):
    model = ChatMember
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Chat)
class ChatAdmin(CrmModelAdmin):
    list_display = ["name", "display_name", "owner", "is_channel", "kind", "created_at"]
    list_filter = ["is_channel", "kind", "created_at"]
    search_fields = ["name", "display_name", "owner__email"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner", "direct_low", "direct_high"]
    inlines = [ChatMemberInline]


class MessageFileInline(ProtectedFilesAdmin, CrmTabularInline):
    model = MessageFile
    extra = 0


@admin.register(Message)
class MessageAdmin(CrmModelAdmin):
    list_display = ["created_at", "chat", "author", "status", "__str__"]
    list_filter = ["status", "created_at", "chat"]
    search_fields = ["text", "author__email", "chat__name"]
    list_select_related = ["chat", "author"]
    autocomplete_fields = ["chat", "author"]
    date_hierarchy = "created_at"
    inlines = [MessageFileInline]


@admin.register(ChatMember)
class ChatMemberAdmin(CrmModelAdmin):
    name_accusative = pgettext_lazy("accusative", "chat member")
    list_display = ["chat", "user", "is_admin", "joined_at"]
    list_filter = ["is_admin"]
    search_fields = ["chat__name", "user__email"]
    list_select_related = ["chat", "user"]
    autocomplete_fields = ["chat", "user"]


@admin.register(ChatInvite)
class ChatInviteAdmin(CrmModelAdmin):
    list_display = ["chat", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["created_at", "expires_at", "revoked_at"]
    search_fields = ["chat__name", "created_by__email"]
    list_select_related = ["chat", "created_by"]
    autocomplete_fields = ["chat"]
    readonly_fields = ["token_hash"]
