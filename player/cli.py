"""``signage-player``: run a board, or render one frame of a manifest headless (panel previews).

Argument parsing only; the pieces are built in player/app.py, imported once a command needs them,
so ``--help`` and the panel's preview probe stay light.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from signage_contract import Manifest, SignedManifest
from signage_contract.timezone import zone_named

from . import __version__

GEOMETRY = re.compile(r"^(\d+)x(\d+)(?:([+-]\d+)([+-]\d+))?$")
log = logging.getLogger("player")


def parse_geometry(text: str) -> tuple[int, int, int | None, int | None]:
    """``WxH+X+Y`` (X11 style): the exact desktop rectangle an LED sending card captures."""
    match = GEOMETRY.match(text.strip())
    if not match or int(match[1]) <= 0 or int(match[2]) <= 0:
        raise argparse.ArgumentTypeError(f"expected WxH or WxH+X+Y, got {text!r}")
    x = int(match[3]) if match[3] else None
    y = int(match[4]) if match[4] else None
    return int(match[1]), int(match[2]), x, y


def default_state_dir() -> Path:
    base = os.environ.get("LOCALAPPDATA") if os.name == "nt" else os.environ.get("XDG_STATE_HOME")
    return Path(base or Path.home() / ".local" / "state") / "signage-player"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signage-player", description="Bulletin board player")
    parser.add_argument("--server", help="server base URL, e.g. http://10.0.0.5:8000")
    parser.add_argument(
        "--headless", action="store_true", help="no display (SDL dummy driver); saves frame.png"
    )
    parser.add_argument("--geometry", type=parse_geometry, help="window WxH+X+Y, borderless")
    parser.add_argument("--fullscreen", action="store_true")
    parser.add_argument("--state-dir", type=Path, default=None, help="credential, manifest and media cache")
    parser.add_argument("--poll-interval", type=float, default=None, help="seconds (default: manifest's, 60)")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--config", type=Path, default=None,
                        help="display power and brightness command (default: STATE_DIR/player.toml)")
    commands = parser.add_subparsers(dest="command")
    draw = commands.add_parser("render", help="render what a board shows at an instant into a PNG")
    draw.add_argument("manifest", type=Path, help="Manifest or SignedManifest JSON")
    draw.add_argument("--at", required=True, help="ISO 8601 instant (naive = the board's local time)")
    draw.add_argument("--size", type=parse_geometry, default=None,
                      help="WxH (default: the board's capture rectangle or resolution in the manifest)")
    draw.add_argument("-o", "--output", type=Path, required=True)
    draw.add_argument("--media-dir", type=Path, default=None, help="files named by sha256 (a player cache)")
    draw.add_argument("--pages", action="store_true",
                      help="every page of the main region's text: OUTPUT is page 1, STEM-N.png page N")
    bundle = commands.add_parser(
        "import-bundle",
        help="play a USB bundle the server exported for boards without a link (verified like a "
             "fetched manifest), and write this board's proof of play beside it")
    bundle.add_argument("bundle", type=Path, help="the bundle's tar, e.g. /media/usb/signage-bundle.tar")
    bundle.add_argument("--plays-dir", type=Path, default=None,
                        help="where to write the proof of play (default: the bundle's directory)")
    service = commands.add_parser(
        "install-service",
        help="start this player at boot and restart it if it stops or freezes (systemd; a logon task on "
             "Windows), with the --server, --state-dir and --geometry given")
    service.add_argument("--user", default=None,
                         help="as root: the board's desktop account the player runs as")
    service.add_argument("--display", default=None,
                         help="X display of the board (default :0 for a system unit)")
    service.add_argument("--platform", choices=("auto", "linux", "windows"), default="auto")
    service.add_argument("--dry-run", action="store_true",
                         help="print the unit or task and the commands only")
    service.add_argument("--no-enable", action="store_true", help="write the unit, do not enable or start it")
    return parser


def format_geometry(geometry: tuple[int, int, int | None, int | None] | None) -> str | None:
    if geometry is None:
        return None
    width, height, x, y = geometry
    offset = "" if x is None or y is None else f"{x:+d}{y:+d}"
    return f"{width}x{height}{offset}"


def load_manifest_file(path: Path) -> Manifest:
    """A bare Manifest or a SignedManifest (its payload is parsed; the preview trusts its own server)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "payload" in data and "signature" in data:
        return Manifest.model_validate_json(SignedManifest.model_validate(data).payload)
    return Manifest.model_validate(data)


def parse_instant(text: str, manifest: Manifest) -> datetime:
    instant = datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=zone_named(manifest.timezone))


def manifest_size(manifest: Manifest) -> tuple[int, int]:
    from .screen.window import HEADLESS_SIZE, board_geometry

    geometry = board_geometry(manifest)
    return geometry[:2] if geometry else HEADLESS_SIZE


def render_command(args: argparse.Namespace) -> int:
    try:
        manifest = load_manifest_file(args.manifest)
        at = parse_instant(args.at, manifest)
    except (OSError, ValueError, ValidationError) as exc:
        print(f"cannot render: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    import pygame

    from .app import render_frame, render_pages

    pygame.display.init()
    pygame.font.init()
    try:
        size = args.size[:2] if args.size else manifest_size(manifest)
        if args.pages:
            pages = render_pages(manifest=manifest, at=at, size=size, output=args.output,
                                 media_dir=args.media_dir)
            print(f"pages: {pages}")
        else:
            render_frame(manifest=manifest, at=at, size=size, output=args.output, media_dir=args.media_dir)
    finally:
        pygame.quit()
    return 0


def run_command(args: argparse.Namespace) -> int:
    if not args.server:
        print("--server URL is required to run a board", file=sys.stderr)
        return 2
    from .app import run_board
    from .core.config import CONFIG_NAME, ConfigError, load_config, load_usb_bundles

    state_dir = args.state_dir or default_state_dir()
    try:
        display = load_config(args.config or state_dir / CONFIG_NAME)
        usb_bundles = load_usb_bundles(args.config or state_dir / CONFIG_NAME)
    except ConfigError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    from .core.care import install_log_file

    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    install_log_file(state_dir)  # bounded, in the state directory; the panel can fetch its tail
    # The first line of every run: a log fetched from the panel shows where each run began (and a
    # fetch that arrives before the board has anything else to say is not empty).
    log.info("player %s starting: server %s, state %s", __version__, args.server, state_dir)
    return run_board(
        server=args.server,
        state_dir=state_dir,
        poll_interval_s=args.poll_interval,
        headless=args.headless,
        geometry=args.geometry,
        fullscreen=args.fullscreen,
        display=display,
        usb_bundles=usb_bundles,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll would drown the log
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if args.command == "render":
        return render_command(args)
    if args.command == "import-bundle":
        from .core.bundle_import import import_bundle_command

        return import_bundle_command(state_dir=args.state_dir or default_state_dir(), path=args.bundle,
                                     plays_dir=args.plays_dir or args.bundle.parent)
    if args.command == "install-service":
        from .service import install_service_command

        return install_service_command(
            server=args.server, state_dir=args.state_dir or default_state_dir(),
            geometry=format_geometry(args.geometry), fullscreen=args.fullscreen, user=args.user,
            display=args.display, platform=args.platform, dry_run=args.dry_run, enable=not args.no_enable)
    return run_command(args)


if __name__ == "__main__":
    raise SystemExit(main())
