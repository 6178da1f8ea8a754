"""The kinds of notification the project sends, and whether each is emailed unless the user says otherwise."""

from django.utils.translation import gettext_lazy as _

# kind: (label, emailed by default). Direct chat messages come often and are seen live, so they are not emailed;
# a mention is addressed to one person and is.
KINDS = {
    "chat_message": (_("New chat message"), False),
    "chat_mention": (_("Mentioned in a chat"), True),
    "invitation_accepted": (_("Invitation accepted"), True),
    "task_shared": (_("Task shared with you"), True),
    "task_declined": (_("Task declined"), True),
    "task_reminder": (_("Task reminder"), True),
    "return_decided": (_("Return decided"), True),
    "webhook_disabled": (_("Webhook switched off after failing"), True),
}
# A kind nobody registered above is not emailed until its recipient asks for it.
EMAIL_BY_DEFAULT_FOR_UNKNOWN = False


def kind_label(kind: str) -> str:
    return str(KINDS[kind][0]) if kind in KINDS else kind


def email_by_default(kind: str) -> bool:
    return KINDS[kind][1] if kind in KINDS else EMAIL_BY_DEFAULT_FOR_UNKNOWN
