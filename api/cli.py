"""`koppelwerk` command line: migrate, serve, create the first admin and system clients, demo data,
retention, purging expired idempotency keys, export the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from api.passwords import Argon2SecretHasher
from api.settings import Settings
from domain import accounts
from domain.errors import DomainError
from domain.identity import OrganisationKind, Role
from domain.pagination import PageRequest
from persistence import migrate
from persistence.db import create_engine, create_session_factory
from persistence.uow import SqlUnitOfWork

T = TypeVar("T")


def _with_uow(settings: Settings, work: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(settings.database)
        try:
            async with create_session_factory(engine)() as session:
                return await work(SqlUnitOfWork(session))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _cmd_migrate(settings: Settings, _args: argparse.Namespace) -> None:
    migrate.upgrade(settings.database_url)
    print("database schema is up to date")


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    if not args.no_migrate:
        migrate.upgrade(settings.database_url)
    if args.demo or settings.demo_data:
        _cmd_demo(settings, args)
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_config=None,
        proxy_headers=True,
    )


def _cmd_demo(settings: Settings, _args: argparse.Namespace) -> None:
    from api.demo import load_demo_data

    created = _with_uow(settings, lambda uow: load_demo_data(uow, Argon2SecretHasher()))
    print("demo data loaded" if created else "demo data already present")


def _cmd_create_admin(settings: Settings, args: argparse.Namespace) -> None:
    password = os.environ.get("KOPPELWERK_ADMIN_PASSWORD") or getpass.getpass("password for the admin: ")

    async def work(uow: SqlUnitOfWork) -> str:
        now = datetime.now(UTC)
        existing = await uow.organisations.list(
            PageRequest(limit=200), kind=OrganisationKind(args.organisation_kind), active=True
        )
        organisation = next((o for o in existing.items if o.name == args.organisation_name), None)
        if organisation is None:
            organisation = await accounts.create_organisation(
                uow,
                accounts.NewOrganisation(args.organisation_name, OrganisationKind(args.organisation_kind), args.municipality_code),
                now,
            )
        user = await accounts.create_user(
            uow,
            Argon2SecretHasher(),
            accounts.NewUser(args.username, args.display_name or args.username, password, Role.admin, organisation.id),
            now,
        )
        return f"admin '{user.username}' created in organisation '{organisation.name}' ({organisation.id})"

    print(_with_uow(settings, work))


def _cmd_create_client(settings: Settings, args: argparse.Namespace) -> None:
    from uuid import UUID

    async def work(uow: SqlUnitOfWork) -> accounts.IssuedClient:
        return await accounts.create_client(
            uow,
            Argon2SecretHasher(),
            accounts.NewClient(args.name, Role(args.role), UUID(args.organisation_id)),
            datetime.now(UTC),
        )

    issued = _with_uow(settings, work)
    print(f"client_id={issued.client.client_id}")
    print(f"client_secret={issued.client_secret}")
    print("store the secret now: it is not shown again", file=sys.stderr)


def _cmd_retention(settings: Settings, args: argparse.Namespace) -> None:
    from domain import rights
    from domain.audit import SYSTEM

    months = args.months if args.months is not None else settings.retention_months
    report = _with_uow(settings, lambda uow: rights.run_retention(uow, SYSTEM, months, datetime.now(UTC)))
    print(
        f"retention: {len(report.anonymised)} resident(s) without activity since {report.cutoff.isoformat()} "
        f"({report.months} months) anonymised; {report.notes_removed} note(s) removed, "
        f"{report.consents_closed} consent(s) closed"
    )
    for resident_id in report.anonymised:
        print(f"anonymised {resident_id}")


def _cmd_purge_keys(settings: Settings, _args: argparse.Namespace) -> None:
    from domain.idempotency import purge_expired_keys

    removed = _with_uow(settings, lambda uow: purge_expired_keys(uow, datetime.now(UTC)))
    print(f"idempotency keys: {removed} expired key(s) removed")


def _cmd_openapi(_settings: Settings, args: argparse.Namespace) -> None:
    from api.app import create_app
    from api.openapi import EXPORT_PATH, build_openapi, render

    target = args.output or EXPORT_PATH
    with open(target, "wb") as handle:
        handle.write(render(build_openapi(create_app())))
    print(f"wrote {target}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="koppelwerk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply all database migrations").set_defaults(run=_cmd_migrate)

    serve = sub.add_parser("serve", help="migrate, then run the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load the demo data first (idempotent)")
    serve.add_argument("--no-migrate", action="store_true", help="skip `migrate` (when a deploy step ran it)")
    serve.set_defaults(run=_cmd_serve)

    sub.add_parser("demo-data", help="load the demo data (idempotent)").set_defaults(run=_cmd_demo)

    admin = sub.add_parser("create-admin", help="create an admin account (password from KOPPELWERK_ADMIN_PASSWORD or a prompt)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name")
    admin.add_argument("--organisation-name", required=True, help="created when it does not exist yet")
    admin.add_argument("--organisation-kind", default="welzijn", choices=[k.value for k in OrganisationKind])
    admin.add_argument("--municipality-code")
    admin.set_defaults(run=_cmd_create_admin)

    client = sub.add_parser("create-client", help="register a police or housing system and print its secret")
    client.add_argument("--name", required=True)
    client.add_argument("--role", required=True, choices=[Role.police_system.value, Role.housing_system.value])
    client.add_argument("--organisation-id", required=True)
    client.set_defaults(run=_cmd_create_client)

    retention = sub.add_parser(
        "retention", help="anonymise residents without activity for the retention period (idempotent)"
    )
    retention.add_argument(
        "--months", type=int, help="the retention period in months (default KOPPELWERK_RETENTION_MONTHS)"
    )
    retention.set_defaults(run=_cmd_retention)

    sub.add_parser(
        "purge-idempotency-keys", help="remove Idempotency-Keys older than KOPPELWERK_IDEMPOTENCY_KEY_HOURS"
    ).set_defaults(run=_cmd_purge_keys)

    export = sub.add_parser("openapi", help="write the OpenAPI document (default openapi/openapi.json)")
    export.add_argument("--output")
    export.set_defaults(run=_cmd_openapi)

    args = parser.parse_args(argv)
    settings = Settings()
    try:
        args.run(settings, args)
    except DomainError as exc:
        detail = exc.detail
        params = getattr(exc, "params", [])
        if params:
            detail += " (" + "; ".join(f"{p.name}: {p.reason}" for p in params) + ")"
        print(f"error: {detail}", file=sys.stderr)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
