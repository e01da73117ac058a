"""Signals by which governance tells the apps above it what happened, without importing them."""

from django.dispatch import Signal

# Sent with ``successions: list`` (OrganisationSuccession or BoardSuccession rows of one
# change) and ``user`` inside the transaction that recorded them, so a receiver's writes (the
# metrics layer carrying a predecessor's series over) commit or roll back with them.
succeeded = Signal()
