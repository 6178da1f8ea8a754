from django import forms
from django.utils.translation import gettext_lazy as _

from chat.models import DIRECT_NAME


class ChatCreateForm(forms.Form):
    name = forms.SlugField(label=_("Name (letters, digits, hyphens)"), max_length=64)
    display_name = forms.CharField(label=_("Display name"), max_length=150)
    is_channel = forms.BooleanField(label=_("Channel (only admins post)"), required=False)

    def clean_name(self):
        name = self.cleaned_data["name"]
        if DIRECT_NAME.fullmatch(name):
            raise forms.ValidationError(_("Names like direct-1-2 are kept for direct chats."))
        return name
