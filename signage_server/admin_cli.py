"""Administrative commands of ``signage-server``: migrate, seed-units, create-admin, reorganise,
cap-senders, backup, restore.

Each takes the parsed arguments and settings, works on the configured database and returns an
exit code; messages go to stderr, so a script can tell success from failure.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from signage_server.core.auth import hash_password
from signage_server.core.passwords import password_problem
from signage_server.core.private_files import make_private_dir
from signage_server.core.users import names_for_password
from signage_server.models import Role, User
from signage_server.settings import Settings
from signage_server.units.service import UnitError, reorganise, resolve_unit, seed_units


def _session(settings: Settings) -> Session:
    """The database as the server would find it: migrated, units seeded, built-in layouts stored."""
    from signage_server.app import prepare_database

    make_private_dir(settings.data_dir)
    return Session(prepare_database(settings))


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    with _session(settings):
        pass
    print("database is at the latest schema", file=sys.stderr)
    return 0


def cmd_seed_units(settings: Settings, _args: argparse.Namespace) -> int:
    with _session(settings) as session:
        added = seed_units(session)
    print(f"added {added} administrative units", file=sys.stderr)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise ValueError("the passwords differ")
    return first


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> int:
    try:
        password = _read_password(args)
        with _session(settings) as session:
            unit = resolve_unit(session, args.unit)
            assert unit.id is not None
            inputs = names_for_password(session, username=args.username, full_name=args.full_name,
                                        unit_id=unit.id)
            problem = password_problem(password, username=args.username, user_inputs=inputs)
            if problem is not None:
                raise ValueError(f"{problem.en}\n{problem.vi}")
            if session.exec(select(User).where(User.username == args.username)).first() is not None:
                raise ValueError(f"user name {args.username!r} is taken")
            session.add(User(username=args.username, full_name=args.full_name, role=Role.ADMIN,
                             unit_id=unit.id or 0, password_hash=hash_password(password)))
            session.commit()
            print(f"admin {args.username!r} created for {unit.name} (unit {unit.id})", file=sys.stderr)
    except (ValueError, UnitError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_reorganise(settings: Settings, args: argparse.Namespace) -> int:
    try:
        effective = date.fromisoformat(args.date)
        from_ids = [int(part) for part in args.from_ids.split(",") if part.strip()]
        with _session(settings) as session:
            if args.name:
                result = reorganise(session, from_ids, effective, new_code=args.into, new_name=args.name,
                                    note=args.note)
            else:
                into = resolve_unit(session, args.into, effective)
                assert into.id is not None
                result = reorganise(session, from_ids, effective, into_id=into.id, note=args.note)
    except ValueError as exc:  # UnitError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"retired units {list(result.retired_unit_ids)}; new units {list(result.new_unit_ids)}; "
          f"re-homed boards {list(result.board_ids)}", file=sys.stderr)
    return 0


def cmd_cap_senders(settings: Settings, _args: argparse.Namespace) -> int:
    """Check and show the trusted CAP senders (``SIGNAGE_CAP_SENDERS``), their tokens left out."""
    from signage_server.emergency.sources.cap.signature import load_certificate

    problems = 0
    for name, sender in sorted(settings.cap_senders.items()):
        signing = "unsigned messages accepted"
        if sender.certificate is not None:
            try:
                cert = load_certificate(sender.certificate.read_bytes())
                signing = (f"must sign with {cert.subject.rfc4514_string()} "
                           f"(certificate valid until {cert.not_valid_after_utc:%Y-%m-%d})")
            except (OSError, ValueError) as exc:
                problems += 1
                signing = f"ERROR: certificate {sender.certificate} cannot be read: {exc}"
        print(f"{name}: unit {sender.unit or 'nationwide'}; geocodes {', '.join(sender.geocode_names)}; "
              f"{signing}")
    if not settings.cap_senders:
        print("no CAP senders configured (SIGNAGE_CAP_SENDERS)", file=sys.stderr)
    return 2 if problems else 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from signage_server.backup import BackupError, backup

    try:
        done = backup(settings, args.output)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"backup written to {done.path}: {done.database} database at schema {done.revision}, "
          f"{done.files} data files, {done.bytes / 1e6:.1f} MB; it holds the signing key and password "
          "hashes: keep it private", file=sys.stderr)
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from signage_server.backup import BackupError, restore, verify

    try:
        if args.check:
            manifest = verify(args.archive)
            print(f"{args.archive}: complete and intact ({len(manifest['files'])} files, "
                  f"{manifest['database']}, made {manifest['created_at']} by {manifest['server_version']})",
                  file=sys.stderr)
            return 0
        manifest = restore(settings, args.archive, force=args.force)
    except BackupError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 2
    print(f"restored the backup made {manifest['created_at']} ({len(manifest['files'])} files); "
          "the database is at the latest schema", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("migrate", help="bring the database to the latest schema").set_defaults(admin=cmd_migrate)
    sub.add_parser("seed-units", help="add the official 2025 administrative units (idempotent)").set_defaults(
        admin=cmd_seed_units
    )
    create = sub.add_parser("create-admin", help="create an admin user (asks for the password)")
    create.add_argument("--username", required=True)
    create.add_argument("--unit", required=True, help="scope: unit code (e.g. 01 for Hà Nội) or id:N")
    create.add_argument("--full-name", default="")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(admin=cmd_create_admin)
    reorg = sub.add_parser("reorganise", help="merge units into an existing or a new unit on a date")
    reorg.add_argument("--into", required=True,
                       help="existing unit (code or id:N); with --name, the code of a new unit")
    reorg.add_argument("--from", dest="from_ids", required=True, help="ids of the old units, comma-separated")
    reorg.add_argument("--date", required=True, help="effective date YYYY-MM-DD (local)")
    reorg.add_argument("--name", default=None, help="name of the new unit (creates it)")
    reorg.add_argument("--note", default="", help="legal basis, e.g. the resolution number")
    reorg.set_defaults(admin=cmd_reorganise)
    senders = sub.add_parser("cap-senders", help="check and show the trusted CAP senders (tokens left out)")
    senders.set_defaults(admin=cmd_cap_senders)
    save = sub.add_parser("backup", help="write the database and the data directory to one archive (0600)")
    save.add_argument("output", type=Path, help="the archive to write, outside the data directory")
    save.set_defaults(admin=cmd_backup)
    back = sub.add_parser("restore", help="check an archive, then restore it into an empty database")
    back.add_argument("archive", type=Path)
    back.add_argument("--check", action="store_true", help="only check the archive; change nothing")
    back.add_argument("--force", action="store_true",
                      help="replace a database that already holds users or boards")
    back.set_defaults(admin=cmd_restore)
