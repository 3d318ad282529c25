"""The REST API's viewsets: thin layers that parse, check permission, call one service."""
