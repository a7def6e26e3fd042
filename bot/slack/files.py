"""Files people give the app in Slack (a modal's file_input): what Slack knows about one
(files.info) and its bytes (the file's url_private, fetched with the bot token, which
needs the files:read scope)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient

DOWNLOAD_TIMEOUT_SECONDS = 2.0  # the upload is read before Slack's 3-second answer


@dataclass(frozen=True)
class SlackFile:
    id: str
    name: str
    size: int
    url_private: str


class DownloadFailed(Exception):
    """Slack did not hand over the file's bytes (the reason is the message)."""


class TooBig(Exception):
    """The file is larger than the caller takes."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def file_info(client: WebClient, file_id: str) -> SlackFile:
    """What Slack says about a file (raises SlackApiError, e.g. file_not_found)."""
    found: dict[str, Any] = client.files_info(file=file_id)["file"]
    return SlackFile(id=str(found["id"]), name=str(found.get("name") or ""),
                     size=int(found.get("size") or 0),
                     url_private=str(found.get("url_private_download")
                                     or found.get("url_private") or ""))


def download(client: WebClient, file: SlackFile, max_bytes: int) -> bytes:
    """The file's bytes, with the bot token; TooBig past `max_bytes` (read no further),
    DownloadFailed if Slack does not give them. The token only goes over HTTPS, or to the
    host of the Web API the client uses (a local stand-in)."""
    if file.size > max_bytes:
        raise TooBig(file.size)
    url = file.url_private
    parts, api = urlsplit(url), urlsplit(client.base_url)
    if parts.scheme != "https" and (parts.scheme, parts.netloc) != (api.scheme, api.netloc):
        raise DownloadFailed(f"not an https URL: {parts.scheme}://{parts.netloc}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": client.proxy} if client.proxy else {}))
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as answer:
            if "text/html" in (answer.headers.get("Content-Type") or ""):
                # Slack answers a request it does not accept with its sign-in page.
                raise DownloadFailed("Slack answered with a web page, not the file")
            content: bytes = answer.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        raise DownloadFailed(f"HTTP {error.code}") from None
    except OSError as error:
        raise DownloadFailed(str(error)) from None
    if len(content) > max_bytes:
        raise TooBig(len(content))
    return content
