"""Server settings: one class, read from SIGNAGE_* environment variables, built in ``main``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic_settings import BaseSettings, SettingsConfigDict

GeocodeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class CapSender(BaseModel):
    """A trusted CAP sender: the token it sends (header ``X-CAP-Token``), the unit whose subtree
    its alerts may cover (an official code; None: nationwide), the geocode valueNames under which
    it sends unit codes, and the certificate it signs with (PEM file; when set, every message from
    it must carry a valid XML signature by that certificate)."""

    token: str = Field(min_length=16)
    unit: str | None = None
    geocode_names: list[GeocodeName] = Field(default_factory=lambda: ["UNIT_CODE", "MA_DVHC"], min_length=1,
                                             max_length=10)
    certificate: Path | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNAGE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Database (SQLite), media store, keys")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///DATA_DIR/signage.db"
    )
    redis_url: str | None = Field(default=None, description="Redis for multi-instance fan-out")
    shared_store: Literal["local", "database"] = Field(
        default="local",
        description="How instances share uploaded media and screenshots: local (one instance, or one shared "
                    "data directory) or database (chunks in the shared PostgreSQL; core/blobs.py)",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(default=None, description="Address players use; shown to operators")
    max_upload_bytes: int = 50 * 1024 * 1024
    max_body_bytes: int = Field(
        default=1024 * 1024, gt=0,
        description="Largest JSON or form body; uploads, screenshots, CAP and play batches have their own",
    )
    speech_piper_model: Path | None = Field(
        default=None, description="A Vietnamese Piper voice (.onnx) for spoken announcements; "
                                  "without it (or without piper) espeak-ng's Vietnamese voice speaks")
    max_image_pixels: int = 40_000_000  # well under Pillow's 90 MP warning: a 263 KB PNG can be 270 MB
    token_ttl_hours: int = 12
    seed_units: bool = Field(
        default=True, description="Seed the official 2025 administrative units when the table is empty"
    )
    poll_interval_s: int = 60
    socket_ping_interval_s: float = Field(
        default=60.0, gt=0,
        description="How often the server pings each board's socket to find dead ones (players ping "
                    "every 20 s themselves); 10,000 boards at uvicorn's 20 s took ~20 % of a core")
    keep_alive_s: int = Field(
        default=130, gt=0,
        description="How long an idle HTTP connection is kept open for the next request: longer than "
                    "any reverse proxy or client keeps one idle for reuse (nginx upstream keepalive 60 s, "
                    "Caddy 2 min), so the server never closes a connection just as a request is sent on "
                    "it (the request would fail with a reset; uvicorn's own default is 5 s)")
    nudge_fetch_rate: float = Field(
        default=150.0, gt=0,
        description="Manifest fetches per second asked of boards nudged together (all instances): "
                    "a change that reaches more boards spreads their fetches over boards / rate seconds")
    device_threads: int = Field(
        default=12, gt=0,
        description="Worker threads board traffic may hold at once (polls answered from the database, "
                    "sockets opening, heartbeat commits, proof of play); the rest of the pool stays free "
                    "for people, so an operator's emergency never queues behind 10,000 boards")
    database_pool_size: int = Field(
        default=20, gt=0,
        description="Database connections each instance keeps (PostgreSQL; up to 10 more under load): "
                    "more than device_threads, so that people's requests find one free. Mind "
                    "PostgreSQL's max_connections (100 by default) across instances")
    log_level: str = "info"
    # Behind a reverse proxy (docs/deploy.md)
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies trusted for X-Forwarded-For/-Proto: addresses or networks, comma-separated",
    )
    api_docs: bool = Field(default=True, description="Serve /docs, /redoc, /openapi.json (off in production)")
    # Board health (health.py, link_state.py, uptime.py)
    heartbeat_interval_s: int = Field(default=30, gt=0, description="Interval players are told to use")
    offline_after_missed: int = Field(default=3, gt=0, description="Missed heartbeats before offline")
    flap_hold_down_s: int = Field(default=600, ge=0, description="Minimum time between recorded events")
    health_sweep_s: float = Field(default=10.0, gt=0, description="How often the offline sweeper runs")
    health_retention_days: int = Field(default=400, gt=0, description="Seen intervals and events kept")
    webhook_url: str | None = Field(default=None, description="POSTed each offline/back_online event")
    # RSS and Atom feeds (feeds/)
    feed_tick_s: float = Field(default=15.0, gt=0, description="How often due feeds are read")
    feed_timeout_s: float = Field(default=15.0, gt=0, description="Longest wait for one feed document")
    feed_max_bytes: int = Field(default=2 * 1024 * 1024, gt=0, description="Largest feed document read")
    feed_allow_private: bool = Field(default=False, description="Allow feeds on private addresses")
    # Bulletin webhooks of source accounts (reports/bulletin_events.py)
    bulletin_events_interval_s: float = Field(
        default=60.0, gt=0, description="How often bulletin events are looked for"
    )
    bulletin_deadline_grace_min: int = Field(
        default=60, ge=0,
        description="A targeted board that has not aired a bulletin this long after its start missed it",
    )
    bulletin_webhook_allow_private: bool = Field(
        default=False, description="Let accounts register webhooks on loopback or private addresses"
    )
    # Screenshots (screenshots.py)
    screenshot_keep: int = Field(default=48, gt=0, description="Screenshots kept per board")
    screenshot_max_bytes: int = 8 * 1024 * 1024
    # Proof of play (plays.py): records ending further ahead of the server clock (after correction)
    # are kept but marked unverified; a board clock off by at least play_clock_correct_from_s (as
    # its heartbeats measure it) has its records' times corrected by that offset
    play_future_tolerance_s: int = 3600
    play_clock_correct_from_s: int = 60
    override_max_hours: int = Field(
        default=72, ge=1, le=24 * 30, description="Longest an emergency override may run (expiry is required)"
    )
    # Pairing (devices/pairing.py): unauthenticated, so limited
    pairing_per_address: int = Field(default=20, gt=0, description="Tickets one address opens per window")
    pairing_window_s: int = Field(default=600, gt=0, description="The window of pairing_per_address")
    pairing_max_open: int = Field(default=1000, gt=0, description="Unclaimed pairing tickets open at once")
    cap_senders: dict[str, CapSender] = Field(
        default_factory=dict,
        description='Trusted CAP senders, JSON: {"sender@example.vn": {"token": "...", "unit": "51", '
                    '"geocode_names": ["UNIT_CODE", "MA_DVHC"], "certificate": "/etc/signage/nchmf.pem"}}',
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'signage.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def screenshot_dir(self) -> Path:
        return self.data_dir / "screenshots"

    signing_key_file: Path | None = Field(
        default=None, description="Ed25519 signing key; default DATA_DIR/signing.key (shared by instances)"
    )

    @property
    def key_path(self) -> Path:
        return self.signing_key_file or self.data_dir / "signing.key"
