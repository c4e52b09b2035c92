"""News: the latest headlines from the RSS/Atom feeds the user configured, read as a short list.

Feeds are fetched with Home Assistant's aiohttp session, with a time limit and a size cap, parsed
by feeds.py (no DTDs or entities) in an executor, and kept for a few minutes so that asking
twice does not fetch twice.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...const import LOGGER
from ...engine.data import ToolExample
from ...spoken import async_sentence
from ..base import Skill, SkillOrigin, SkillReply
from ..settings import news_feeds
from .feeds import MAX_FEED_BYTES, FeedError, parse_headlines

HEADLINES = 5
FETCH_TIMEOUT = aiohttp.ClientTimeout(total=10)
CACHE_SECONDS = 300


@dataclass
class NewsCache:
    headlines: dict[str, tuple[float, list[str]]] = field(default_factory=dict)  # url → (fetched at, headlines)


NEWS_CACHE: HassKey[NewsCache] = HassKey("local_llm_assist_news_cache")


class GetNewsSkill(Skill):
    name = "GetNews"
    examples = (ToolExample(name, "read me the headlines"),)
    feature = "news"
    description = "Reads the latest news headlines."

    def is_available(self, hass: HomeAssistant) -> bool:
        return bool(news_feeds(hass))

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        feeds = news_feeds(hass)
        if not feeds:
            return await self.async_fail(hass, origin, "news_no_feeds")
        results = await asyncio.gather(*(async_headlines(hass, url) for url in feeds), return_exceptions=True)
        headlines: list[str] = []
        failed: dict[str, str] = {}
        for url, result in zip(feeds, results, strict=True):
            if isinstance(result, FeedError):
                failed[url] = result.code
            elif isinstance(result, BaseException):
                raise result
            else:
                headlines.extend(result)
        if not headlines:
            return await self.async_fail(hass, origin, "news_unavailable" if failed else "news_empty")
        headlines = headlines[:HEADLINES]
        speech = await async_sentence(hass, origin.language, "news_headlines", headlines=". ".join(headlines))
        return SkillReply(speech, {"headlines": headlines, "failed_feeds": failed})


async def async_headlines(hass: HomeAssistant, url: str) -> list[str]:
    """A feed's first headlines, from the cache when fresh; raises FeedError."""
    cache = hass.data.setdefault(NEWS_CACHE, NewsCache())
    cached = cache.headlines.get(url)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    document = await _fetch(hass, url)
    headlines = await hass.async_add_executor_job(parse_headlines, document, HEADLINES)
    cache.headlines[url] = (time.monotonic(), headlines)
    return headlines


async def _fetch(hass: HomeAssistant, url: str) -> bytes:
    session = async_get_clientsession(hass)
    try:
        async with session.get(url, timeout=FETCH_TIMEOUT) as response:
            if response.status != 200:
                raise FeedError("feed_unreachable", f"HTTP {response.status}")
            document = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                document += chunk
                if len(document) > MAX_FEED_BYTES:  # refused without reading the rest
                    raise FeedError("feed_too_large")
    except (aiohttp.ClientError, TimeoutError) as err:
        LOGGER.debug("News feed %s failed: %s", url, err)
        raise FeedError("feed_unreachable", str(err)) from err
    return bytes(document)
