"""Signals other apps listen to, so contacts need not know them."""

from django.dispatch import Signal

# Sent inside the transaction that gave `contact` the phone `numbers` (E.164), with contact= and numbers=.
phones_added = Signal()
