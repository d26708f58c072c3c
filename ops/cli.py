"""The `smartgen` command: run the stack or one role of it, and talk to a running service."""

import argparse
import asyncio
import importlib
import logging
import sys
from pathlib import Path

from ops.settings import Settings, from_env


def _settings(args: argparse.Namespace) -> Settings:
    return from_env(
        port=getattr(args, "port", None),
        host=getattr(args, "host", None),
        data_dir=Path(args.data) if getattr(args, "data", None) else None,
    )


def cmd_up(args: argparse.Namespace) -> int:
    from ops.embedded_stack import run_until_signalled

    asyncio.run(run_until_signalled(_settings(args), workers=args.workers))
    return 0


def cmd_actor(args: argparse.Namespace) -> int:
    from ops.processes import run_actors

    asyncio.run(run_actors(_settings(args), args.names))
    return 0


def cmd_bridge(args: argparse.Namespace) -> int:
    from ops.processes import run_bridge

    asyncio.run(run_bridge(_settings(args)))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from ops.client import generate

    return generate(args.url, args.character, args.prompt, args.option or [])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smartgen", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start nats-server, every actor and the bridge, with a demo character")
    up.add_argument("--port", type=int, help="bridge port (default 3000, or SMARTGEN_PORT)")
    up.add_argument("--host", help="bridge address (default 127.0.0.1)")
    up.add_argument("--data", help="data directory: JetStream store and catalog (default ./var)")
    up.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes running the CPU-bound generator and validator (0: everything in one process)",
    )
    up.set_defaults(run=cmd_up)

    actor = sub.add_parser("actor", help="run one or more actors against NATS_URL")
    actor.add_argument("names", nargs="+", help="saga, analyzer, selector, generator, validator, gallery")
    actor.add_argument("--data", help="data directory (the gallery's catalog lives here)")
    actor.set_defaults(run=cmd_actor)

    bridge = sub.add_parser("bridge", help="run the HTTP bridge against NATS_URL")
    bridge.add_argument("--port", type=int)
    bridge.add_argument("--host")
    bridge.set_defaults(run=cmd_bridge)

    generate = sub.add_parser("generate", help="ask a running service for a smart image (REST)")
    generate.add_argument("character")
    generate.add_argument("prompt")
    generate.add_argument("--url", default="http://127.0.0.1:3000")
    generate.add_argument("-o", "--option", action="append", help="extra body field, e.g. -o maxRetries=5")
    generate.set_defaults(run=cmd_generate)
    # Listed for --help only: main() hands these to their own parsers before argparse sees them.
    sub.add_parser("analyze", help="print the prompt analysis as JSON (prompts as arguments, or one per line on stdin)")
    sub.add_parser("score", help="score candidate images against a reference, as the validator does")
    return parser


# Commands that parse their own arguments (argparse would swallow their --help and options otherwise).
DELEGATED = {"analyze": "ops.analyze_cli", "score": "ops.score"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in DELEGATED:
        module = importlib.import_module(DELEGATED[argv[0]])
        return int(module.main(argv[1:]))
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    for noisy in ("faststream", "smartgen.bus"):  # per-message and shutdown chatter
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
