"""The REST API (Django REST framework) over :mod:`jobs.services`, mounted at ``/api/``."""
