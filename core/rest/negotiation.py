"""Content negotiation that says what it can answer in when it cannot answer as asked.

DRF answers ``?format=xml`` with a bare "Not found." and an ``Accept`` it cannot satisfy
with "Could not satisfy the request Accept header.". Here both are a 406 problem that
lists the formats (``formats``: the values ``format`` takes) and media types the endpoint
offers.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


def formats_refused(renderers, asked: str) -> NotAcceptable:
    formats = list(dict.fromkeys(renderer.format for renderer in renderers))
    media_types = list(dict.fromkeys(renderer.media_type for renderer in renderers))
    error = NotAcceptable(
        f"{asked} is not offered here. format takes: {', '.join(formats)} "
        f"(or send Accept: {', '.join(media_types)})."
    )
    error.formats = formats
    return error


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        self.offered = list(renderers)
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable as error:
            if getattr(error, "formats", None):
                raise
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            raise formats_refused(self.offered, f"Accept: {accept}") from error

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            raise formats_refused(renderers, f"format={format}")
        return chosen
