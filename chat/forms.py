from django import forms
from django.utils.translation import gettext_lazy as _


class ChatCreateForm(forms.Form):
    name = forms.SlugField(label=_("Name (letters, digits, hyphens)"), max_length=64)
    display_name = forms.CharField(label=_("Display name"), max_length=150)
    is_channel = forms.BooleanField(label=_("Channel (only admins post)"), required=False)
