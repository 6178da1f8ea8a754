from django.contrib import admin

from chat.models import Chat, ChatInvite, ChatMember, Message, MessageFile
from crm.files_admin import ProtectedFilesAdmin


class ChatMemberInline(admin.TabularInline):
    model = ChatMember
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "owner", "is_channel", "kind", "created_at"]
    list_filter = ["is_channel", "kind", "created_at"]
    search_fields = ["name", "display_name", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "direct_low", "direct_high"]
    inlines = [ChatMemberInline]


class MessageFileInline(ProtectedFilesAdmin, admin.TabularInline):
    model = MessageFile
    extra = 0


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "chat", "author", "status", "__str__"]
    list_filter = ["status", "created_at", "chat"]
    search_fields = ["text", "author__email", "chat__name"]
    list_select_related = ["chat", "author"]
    raw_id_fields = ["chat", "author"]
    date_hierarchy = "created_at"
    inlines = [MessageFileInline]


@admin.register(ChatMember)
class ChatMemberAdmin(admin.ModelAdmin):
    list_display = ["chat", "user", "is_admin", "joined_at"]
    list_filter = ["is_admin"]
    search_fields = ["chat__name", "user__email"]
    list_select_related = ["chat", "user"]
    raw_id_fields = ["chat", "user"]


@admin.register(ChatInvite)
class ChatInviteAdmin(admin.ModelAdmin):
    list_display = ["chat", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["created_at", "expires_at", "revoked_at"]
    search_fields = ["chat__name", "created_by__email"]
    list_select_related = ["chat", "created_by"]
    raw_id_fields = ["chat", "created_by"]
    readonly_fields = ["token_hash"]
