"""The news skill against real feed servers on 127.0.0.1: good, unreachable, malformed, huge, slow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, CONF_NEWS_FEEDS, DOMAIN
from custom_components.local_llm_assist.skills.news import tool as news
from custom_components.local_llm_assist.skills.news.feeds import MAX_FEED_BYTES
from toolkit.models import SMOKE_LLM

from .skill_support import async_run_skill, async_setup_skills_home, atom, feed_server, rss, serve, serve_slowly

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><item><title>&lol2;</title></item></channel></rss>"""


@pytest.fixture
async def news_home(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[HomeAssistant]:
    await async_setup_skills_home(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    yield hass


def configure_feeds(hass: HomeAssistant, *feeds: str) -> None:
    """An agent whose options list the feeds (its model need not be loaded for the action)."""
    options = {**default_options(), CONF_NEWS_FEEDS: list(feeds)}
    MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=options).add_to_hass(hass)


async def _headlines_from(hass: HomeAssistant, *feeds: str) -> dict[str, Any]:
    configure_feeds(hass, *feeds)
    return await async_run_skill(hass, "GetNews")


async def test_headlines_from_rss_and_atom(news_home: HomeAssistant) -> None:
    routes = {"/rss": serve(rss("Rain expected", "Local team wins")), "/atom": serve(atom("Bridge reopens"))}
    async with feed_server(routes) as base:
        result = await _headlines_from(news_home, f"{base}/rss", f"{base}/atom")
    assert result["speech"] == "Here are the headlines: Rain expected. Local team wins. Bridge reopens."


async def test_a_broken_feed_does_not_hide_the_good_one(news_home: HomeAssistant) -> None:
    routes = {
        "/good": serve(rss("Rain expected")),
        "/malformed": serve(b"<rss><channel><item><title>unclosed"),
        "/entities": serve(BILLION_LAUGHS),
        "/huge": serve(rss("x" * 100) * (MAX_FEED_BYTES // 100)),
        "/html": serve(b"<html><body>Not a feed</body></html>", "text/html"),
    }
    async with feed_server(routes) as base:
        feeds = [f"{base}/{path}" for path in ("malformed", "entities", "huge", "html", "missing", "good")]
        result = await _headlines_from(news_home, *feeds)
    assert result["speech"] == "Here are the headlines: Rain expected."
    failed = result["data"]["failed_feeds"]
    assert {url.rsplit("/", 1)[1]: code for url, code in failed.items()} == {
        "malformed": "feed_malformed",
        "entities": "feed_malformed",
        "huge": "feed_too_large",
        "html": "feed_malformed",
        "missing": "feed_unreachable",
    }


async def test_unreachable_and_slow_feeds_give_a_clear_answer(
    news_home: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(news, "FETCH_TIMEOUT", aiohttp.ClientTimeout(total=0.5))  # not 10 s per test
    async with feed_server({"/slow": serve_slowly(3)}) as base:
        result = await _headlines_from(news_home, f"{base}/slow", "http://127.0.0.1:9/closed-port")
    assert result["success"] is False
    assert result["speech"] == "Sorry, I couldn't read the news feeds right now."
    assert set(result["data"].values()) == {"news_unavailable"}


async def test_no_feeds_configured(news_home: HomeAssistant) -> None:
    result = await _headlines_from(news_home)
    assert result["success"] is False
    assert "No news feeds are set up" in result["speech"]


async def test_headlines_are_cached_briefly(news_home: HomeAssistant) -> None:
    served: list[str] = []

    async def counting(request: web.Request) -> web.StreamResponse:
        served.append(request.path)
        return web.Response(body=rss("Rain expected"), content_type="application/rss+xml")

    async with feed_server({"/rss": counting}) as base:
        configure_feeds(news_home, f"{base}/rss")
        first = await async_run_skill(news_home, "GetNews")
        second = await async_run_skill(news_home, "GetNews")
    assert first["speech"] == second["speech"]
    assert served == ["/rss"]
