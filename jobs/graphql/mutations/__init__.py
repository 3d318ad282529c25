"""Mutations, one module per object: jobs, queues, recurring jobs, alert rules.

Each parses its input, checks the action's permission and the shared throttle, calls
one :mod:`jobs.services` function and returns the changed object with ``errors`` (see
:mod:`jobs.graphql.mutations.base`).
"""
