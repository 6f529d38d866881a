"""API clients for the tests, writing as the API's docs tell a script to."""

from urllib.parse import urlsplit

from rest_framework.test import APIClient


class VersionedAPIClient(APIClient):
    """An API client whose changes (``put``, ``patch``, ``delete``) name the version they
    are made from, as a script does: unless the test gives ``If-Match`` itself, the
    record's ``ETag`` is read with a GET first and sent in ``If-Match``.

    A record the client cannot read (absent, unpublished and hidden from it) gets no
    ``If-Match``: the API's answer to the change is then what the test sees.
    """

    def current_etag(self, path: str) -> str | None:
        response = self.get(urlsplit(path).path, HTTP_ACCEPT="application/json")
        return response.headers.get("ETag") if response.status_code == 200 else None

    def _with_version(self, path: str, extra: dict) -> dict:
        headers = {name.lower() for name in extra.get("headers") or {}}
        if "HTTP_IF_MATCH" in extra or "if-match" in headers:
            return extra
        etag = self.current_etag(path)
        return extra if etag is None else {**extra, "HTTP_IF_MATCH": etag}

    def put(self, path, *args, **extra):
        return super().put(path, *args, **self._with_version(path, extra))

    def patch(self, path, *args, **extra):
        return super().patch(path, *args, **self._with_version(path, extra))

    def delete(self, path, *args, **extra):
        return super().delete(path, *args, **self._with_version(path, extra))
