"""The GraphQL API (graphene-django) over :mod:`jobs.services`, served at ``/graphql/``."""
