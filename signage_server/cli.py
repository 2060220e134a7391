"""``signage-server``: run the service and its administrative commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from signage_server.admin_cli import add_commands
from signage_server.core.private_files import make_private_dir
from signage_server.settings import Settings

SOCKET_PING_TIMEOUT_S = 20.0


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "data_dir", None) is not None:
        overrides["data_dir"] = args.data_dir
    return Settings(**overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from signage_server.app import create_app

    settings = _settings(args)
    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    make_private_dir(settings.data_dir)
    app = create_app(settings, serving=True)
    # ws_per_message_deflate off: compression triples memory per board connection. Sockets are
    # pinged every socket_ping_interval_s (players ping every 20 s: they find a dead link themselves).
    # Proxy headers are read by the app itself (SIGNAGE_FORWARDED_ALLOW_IPS), once. Idle connections
    # stay open longer than a proxy or client keeps them for reuse (settings.keep_alive_s).
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_ping_interval=settings.socket_ping_interval_s,
        ws_ping_timeout=SOCKET_PING_TIMEOUT_S,
        timeout_keep_alive=settings.keep_alive_s,
        proxy_headers=False,
    )
    return 0


def cmd_schema(_args: argparse.Namespace) -> int:
    from signage_contract import Manifest, SignedManifest

    schema = {
        "manifest": Manifest.model_json_schema(),
        "signed_manifest": SignedManifest.model_json_schema(),
    }
    json.dump(schema, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signage-server", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory (env SIGNAGE_DATA_DIR)")
    parser.add_argument("--host", default=None, help="listen address (env SIGNAGE_HOST)")
    parser.add_argument("--port", type=int, default=None, help="listen port (env SIGNAGE_PORT)")
    parser.set_defaults(func=cmd_serve)
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the server (the default)")
    serve.set_defaults(func=cmd_serve)
    schema = sub.add_parser("schema", help="print the JSON Schema of the manifest")
    schema.set_defaults(func=cmd_schema)
    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    admin_command = getattr(args, "admin", None)
    if admin_command is not None:
        code: int = admin_command(_settings(args), args)
        return code
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
