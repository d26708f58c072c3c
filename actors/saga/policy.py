"""Retry policy as data: which reference each attempt uses and how each retry adjusts the parameters.

The spec's strategy: attempt 1 takes the top-ranked reference, attempt 2 the master if it is a different image,
then the remaining references in rank order, cycling when they run out. Parameter changes depend on why the
previous attempt failed: a consistency miss holds the reference harder; a quality miss tries a new seed with
less strength (over-constrained edits tend to carry the reference's flaws and compression into the output).
"""

import hashlib
from collections.abc import Sequence
from typing import Literal, NamedTuple

import msgspec

from contracts.model import GenerationParams, RankedReference

FailureCause = Literal["quality", "consistency", "both", "generation"]


class Adjustment(msgspec.Struct, frozen=True, kw_only=True):
    strength_delta: float = 0.0
    guidance_delta: float = 0.0
    new_seed: bool = False


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    strength: float = 0.75
    guidance: float = 5.0
    min_strength: float = 0.4
    max_strength: float = 0.95
    min_guidance: float = 1.0
    max_guidance: float = 12.0
    width: int = 0  # 0: generate at the reference's size
    height: int = 0
    adjustments: dict[str, Adjustment] = msgspec.field(
        default_factory=lambda: {
            "consistency": Adjustment(strength_delta=0.1, guidance_delta=0.5),
            "quality": Adjustment(strength_delta=-0.1, new_seed=True),
            "both": Adjustment(strength_delta=0.05, guidance_delta=0.5, new_seed=True),
            "generation": Adjustment(new_seed=True),
        }
    )
    # How long the saga waits on each stage before it gives up on the request (ms).
    stage_timeouts_ms: dict[str, int] = msgspec.field(
        default_factory=lambda: {
            "analyzer": 10_000,
            "selector": 10_000,
            "generator": 180_000,
            "validator": 60_000,
            "gallery": 15_000,
        }
    )


def attempt_order(ranking: Sequence[RankedReference]) -> tuple[RankedReference, ...]:
    """Top-ranked first, then the master if different, then the rest in rank order."""
    if not ranking:
        return ()
    top = ranking[0]
    master = next((r for r in ranking if r.reference.role == "master"), None)
    order = [top]
    if master is not None and master.reference.id != top.reference.id:
        order.append(master)
    order.extend(r for r in ranking if r.reference.id not in {o.reference.id for o in order})
    return tuple(order)


def reference_for_attempt(order: Sequence[RankedReference], attempt: int) -> tuple[RankedReference, str]:
    """The reference for a 1-based attempt number, cycling, and the reason it was chosen."""
    chosen = order[(attempt - 1) % len(order)]
    if attempt == 1:
        why = f"highest-ranked reference (score {chosen.score:g})"
    elif attempt == 2 and chosen.reference.role == "master" and len(order) > 1:
        why = "retry with the master reference"
    elif attempt <= len(order):
        why = f"next reference in rank order (score {chosen.score:g})"
    else:
        why = f"cycling through references again (score {chosen.score:g})"
    return chosen, why


class PlanStep(NamedTuple):
    attempt: int
    reference: RankedReference
    chosen_because: str
    params: GenerationParams
    params_if: str


def plan_attempts(
    ranking: Sequence[RankedReference],
    max_attempts: int,
    policy: RetryPolicy,
    request_id: str,
    width: int | None = None,
    height: int | None = None,
) -> tuple[PlanStep, ...]:
    """What a request would do, attempt by attempt. Parameters after the first depend on why the previous attempt
    failed; the plan shows the consistency-miss path, the usual reason to retry."""
    order = attempt_order(ranking)
    if not order:
        return ()
    steps: list[PlanStep] = []
    params = first_params(policy, request_id, width, height)
    for attempt in range(1, max_attempts + 1):
        if attempt > 1:
            params = next_params(policy, params, "consistency", request_id, attempt)
        reference, why = reference_for_attempt(order, attempt)
        condition = "first attempt" if attempt == 1 else "the previous attempt missed the consistency threshold"
        steps.append(PlanStep(attempt, reference, why, params, condition))
    return tuple(steps)


def seed_for(request_id: str, attempt: int) -> int:
    digest = hashlib.sha256(f"{request_id}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def first_params(
    policy: RetryPolicy, request_id: str, width: int | None = None, height: int | None = None
) -> GenerationParams:
    """The first attempt's parameters; a size the request asked for wins over the policy's (0: the reference's)."""
    return GenerationParams(
        seed=seed_for(request_id, 1),
        strength=policy.strength,
        guidance=policy.guidance,
        width=width or policy.width,
        height=height or policy.height,
    )


def next_params(
    policy: RetryPolicy, previous: GenerationParams, cause: FailureCause, request_id: str, attempt: int
) -> GenerationParams:
    change = policy.adjustments.get(cause, Adjustment())
    strength = min(policy.max_strength, max(policy.min_strength, previous.strength + change.strength_delta))
    guidance = min(policy.max_guidance, max(policy.min_guidance, previous.guidance + change.guidance_delta))
    return GenerationParams(
        seed=seed_for(request_id, attempt) if change.new_seed else previous.seed,
        strength=round(strength, 3),
        guidance=round(guidance, 3),
        width=previous.width,
        height=previous.height,
    )
