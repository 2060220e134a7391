"""The FastAPI application factory: settings in, app out; resources built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlmodel import Session

from . import __version__, errors
from .changes import ChangeFeed
from .db import make_engine
from .migrate import upgrade
from .routers import API_ROUTERS
from .settings import Settings
from .units import seed_if_empty


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        app.state.engine = make_engine(settings.resolved_database_url)
        upgrade(app.state.engine)
        if settings.seed_units:
            with Session(app.state.engine) as session:
                seed_if_empty(session)
        try:
            yield
        finally:
            app.state.engine.dispose()

    app = FastAPI(
        title="Signage controller",
        version=__version__,
        description="Central service for public electronic bulletin boards (bảng tin điện tử công cộng).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.changes = ChangeFeed()
    errors.install(app)
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api/v1")

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
