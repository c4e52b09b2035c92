"""What the skills tests share: the skills home, a real feed server, running a skill as an action."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict

from custom_components.local_llm_assist.const import DOMAIN
from toolkit.local_web import serving

from .helpers import HOMES

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def async_setup_skills_home(hass: HomeAssistant, *, weather: bool = True) -> None:
    """basic.yaml plus a weather entity (unless weather=False) and a kitchen speaker."""
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    home = load_yaml_dict(HOMES / "basic.yaml")
    extra = load_yaml_dict(HOMES / "skills_extra.yaml")["entities"]
    home["entities"] = [*home["entities"], *(e for e in extra if weather or e["domain"] != "weather")]
    assert await async_setup_component(hass, "fixture_home", {"fixture_home": home})
    await hass.async_block_till_done()


async def async_run_skill(hass: HomeAssistant, skill: str, **arguments: Any) -> dict[str, Any]:
    """The action `local_llm_assist.run_skill`, as an automation calls it."""
    response = await hass.services.async_call(
        DOMAIN, "run_skill", {"skill": skill, "arguments": arguments}, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


@asynccontextmanager
async def feed_server(routes: dict[str, Handler]) -> AsyncIterator[str]:
    """A real HTTP server on 127.0.0.1 serving the given paths; yields its base URL."""
    app = web.Application()
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    async with serving(app) as base_url:
        yield base_url


def rss(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>http://example.invalid/{i}</link></item>" for i, title in enumerate(titles)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{items}</channel></rss>'.encode()


def atom(*titles: str) -> bytes:
    entries = "".join(f"<entry><title>{title}</title></entry>" for title in titles)
    return (
        f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>{entries}</feed>'.encode()
    )


def serve(body: bytes, content_type: str = "application/rss+xml") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type=content_type)

    return handler


def serve_slowly(delay: float) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(delay)
        return web.Response(body=rss("Too late"), content_type="application/rss+xml")

    return handler
