"""A return's file is downloaded by whoever sees the return (all staff, as the contact)."""

from contacts.models import Return
from contacts.selectors import return_list
from crm.files import downloads

downloads.register("return", Return, visible_to=return_list)
