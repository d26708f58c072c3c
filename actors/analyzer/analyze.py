"""Prompt analysis: what framing, angle, mood and setting a prompt asks for, and its content words.

Pure and fast: the lexicon is compiled once at import into a phrase table, and a prompt is read in one
left-to-right pass.

How a prompt is read:
1. An image generator's negative section ("negative prompt: ...", "--no ...") and its parameters ("--ar 2:3") are
   dropped, and so are hex colours ("#2B2B2B"). The rest is lower-cased and split into words ("close-up", "3/4"
   and "isn't" stay whole) and clauses. Punctuation ends a clause, and so do words like "but" and a lone
   "instead". "45°" reads as "45 degree".
2. Within each clause the longest lexicon phrase starting at each word is taken, so "dramatic lighting"
   is one cue and "in front of" is consumed as a non-cue. Hyphens and spaces match alike. A film
   abbreviation (MS, CU, OTS) only counts when the prompt writes it in capitals. A phrase in the possessive
   ("the space station's cupola") reads as the phrase.
   A few cues have a free word inside ("just the silverback's face", "solid burgundy backdrop"): they are
   regular expressions (lexicon.PATTERN_CUES), read after the phrases, and replace the phrase cues of their
   field inside their span, unless a phrase as strong already said the same or one spans as many words.
3. A negator ("not", "without", "instead of", ...) cancels every cue and keyword that starts within
   NEGATION_WINDOW_WORDS words after it in the same clause: "not a close-up, full body" is full-body.
   A correction ("actually no", "scratch that", a clause that is only "no") takes back, for each field the
   prompt speaks to again after it, what came before: "full body - actually no, just his face" is a close-up.
4. Per field, the value with the strongest cue wins; among equally strong cues, the value with more cue
   weight in total wins, and after that the one cued last (people correct themselves towards the end:
   "a close-up, or better a medium shot").
5. Confidence grows with the winning cue's strength and with its margin over the runner-up.

Fields nothing speaks to stay None (shot type, angle) or "neutral" (mood, setting), with confidence 0,
unless a `Fallback` is given: it is handed the undecided fields and the words the rules did not read, and may
decide a field with a lower confidence than any lexicon cue. (The service's learned fallback reads the whole prompt
instead: actors.analyzer.learned.)
Keywords are the clause words that are not stopwords, not negated and not shot-type or angle cues (those earn
their own points in the ranking), de-duplicated in order.
"""

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

from actors.analyzer.lexicon import (
    ANGLE_VOCABULARY,
    CLAUSE_BREAKS,
    CORRECTIONS,
    EXPLICIT,
    MOOD_VOCABULARY,
    NEGATION_WINDOW_WORDS,
    NEGATORS,
    NON_CUES,
    PATTERN_CUES,
    SETTING_VOCABULARY,
    SHOT_TYPE_VOCABULARY,
    STOPWORDS,
    SYNONYM,
    WEAK,
    is_abbreviation,
)
from contracts.model import (
    ANGLES,
    MOODS,
    SETTINGS,
    SHOT_TYPES,
    Angle,
    FieldReading,
    Mood,
    PromptAnalysis,
    Setting,
    ShotType,
)

SHOT_TYPE_FIELD: Final = "shotType"
ANGLE_FIELD: Final = "angle"
MOOD_FIELD: Final = "mood"
SETTING_FIELD: Final = "setting"
FIELDS: Final = (SHOT_TYPE_FIELD, ANGLE_FIELD, MOOD_FIELD, SETTING_FIELD)
_FRAMING_FIELDS: Final = frozenset({SHOT_TYPE_FIELD, ANGLE_FIELD})

# Confidence of a reading decided by a single, unopposed cue of each strength.
_BASE_CONFIDENCE: Final[dict[int, float]] = {EXPLICIT: 0.95, SYNONYM: 0.8, WEAK: 0.5}
# Each further cue agreeing with the winner adds this much, up to _MAX_CONFIDENCE.
_CORROBORATION_STEP: Final = 0.05
_MAX_CONFIDENCE: Final = 0.99

# Typed views of the Literal value sets, so a looked-up string comes back as its Literal type.
_SHOT_TYPE_BY_NAME: Final[dict[str, ShotType]] = {name: name for name in SHOT_TYPES}
_ANGLE_BY_NAME: Final[dict[str, Angle]] = {name: name for name in ANGLES}
_MOOD_BY_NAME: Final[dict[str, Mood]] = {name: name for name in MOODS}
_SETTING_BY_NAME: Final[dict[str, Setting]] = {name: name for name in SETTINGS}

# A word keeps inner hyphens, slashes and apostrophes ("close-up", "3/4", "isn't"); listed punctuation
# and a free-standing dash end a clause.
_TOKEN_PATTERN: Final = re.compile(r"[^\W_]+(?:[-/'][^\W_]+)*|[.,;:!?()\[\]{}\"|—–…/]|(?<!\S)-(?!\S)")
_SPELLED_OUT: Final = {"’": "'", "°": " degree "}
_NEGATIVE_SECTION: Final = re.compile(r"(?i)\b(?:negative prompts?|negative|neg(?:ative)?[ _-]?prompt|neg)\s*:")
_NO_PARAMETER: Final = re.compile(r"(?i)(?<!\S)--no\s.*?(?=\s--\w|$)")
# Other generator parameters ("--ar 2:3", "--v 6", "--stylize 250") are settings, not words of the prompt.
_PARAMETER: Final = re.compile(r"(?<!\S)--\w+(?:\s+[\w.:/]+)?")
# "#2B2B2B background" is a flat colour: the hex code itself is not a word to read.
_HEX_COLOUR: Final = re.compile(r"#[0-9a-fA-F]{3,8}\b")
_POSSESSIVE_SUFFIX: Final = "'s"
# Shorter words ("ox", "go") carry too little for a similarity model to place.
_MIN_SPAN_LETTERS: Final = 3

_EntryKind = Literal["cue", "negator", "break", "non_cue", "correction"]
# A clause that is only this word takes back what came before it ("close-up - no, wider").
_LONE_CORRECTION: Final = "no"


@dataclass(frozen=True, slots=True)
class _Cue:
    field: str
    value: str
    strength: int


@dataclass(slots=True)
class _Entry:
    kind: _EntryKind
    cues: list[_Cue] = field(default_factory=list)
    capitals_only: bool = False


@dataclass(frozen=True, slots=True)
class _PhraseTable:
    entries: dict[tuple[str, ...], _Entry]
    # Longest phrase (in sub-words) starting with each sub-word: bounds the lookups per position.
    longest_from: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Hit:
    cue: _Cue
    surface: str
    order: int  # index of the first word the cue was read from
    end: int  # index of its last word


@dataclass(slots=True)
class _Tally:
    """The cues for one value of one field."""

    value: str
    strongest: int = 0
    total: int = 0
    count: int = 0
    last_order: int = -1
    words: list[str] = field(default_factory=list)

    def add(self, hit: _Hit) -> None:
        self.strongest = max(self.strongest, hit.cue.strength)
        self.total += hit.cue.strength
        self.count += 1
        self.last_order = max(self.last_order, hit.order)
        if hit.surface not in self.words:
            self.words.append(hit.surface)

    def rank_key(self) -> tuple[int, int, int]:
        return (self.strongest, self.total, self.last_order)


@dataclass(slots=True)
class _Reading:
    """What one pass over the prompt found: the cue hits and which words a negation covers."""

    words: list[str]
    typed: list[str]  # each word as the prompt wrote it, for abbreviations that only count in capitals
    negated: list[bool]
    read: list[bool]  # part of a lexicon phrase (cue, negator, clause break or non-cue)
    framing: list[bool] = field(default_factory=list)  # part of a cue that only speaks to shot type or angle
    hits: list[_Hit] = field(default_factory=list)
    segments: list[list[int]] = field(default_factory=list)
    # Word index of each correction ("actually no", "scratch that"): for a field cued again after the last one,
    # what came before it no longer counts.
    corrections: list[int] = field(default_factory=list)


def _sub_words(word: str) -> list[str]:
    # Hyphens and spaces are interchangeable in phrases, so both are matched as separate sub-words.
    return [part for part in word.split("-") if part]


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(part for word in phrase.lower().split() for part in _sub_words(word))


def _add_entry(entries: dict[tuple[str, ...], _Entry], phrase: str, kind: _EntryKind, cue: _Cue | None) -> None:
    key = _phrase_key(phrase)
    existing = entries.get(key)
    if existing is None:
        entries[key] = _Entry(kind, [cue] if cue else [], capitals_only=is_abbreviation(phrase))
        return
    if existing.kind != kind:
        raise ValueError(f"lexicon phrase {phrase!r} is listed twice with different roles")
    if cue is None:
        return  # a structural phrase spelled two ways ("wide-eyed", "wide eyed")
    same_field = [known for known in existing.cues if known.field == cue.field]
    if any(known.value != cue.value for known in same_field):
        raise ValueError(f"lexicon phrase {phrase!r} cues two values of {cue.field}")
    # Listed twice for one value (e.g. "close-up" and "close up"): keep the stronger reading.
    existing.cues = [known for known in existing.cues if known.field != cue.field]
    existing.cues.append(max([cue, *same_field], key=lambda known: known.strength))


def _compile_phrase_table() -> _PhraseTable:
    vocabularies: tuple[tuple[str, Iterable[tuple[str, dict[int, tuple[str, ...]]]]], ...] = (
        (SHOT_TYPE_FIELD, SHOT_TYPE_VOCABULARY.items()),
        (ANGLE_FIELD, ANGLE_VOCABULARY.items()),
        (MOOD_FIELD, MOOD_VOCABULARY.items()),
        (SETTING_FIELD, SETTING_VOCABULARY.items()),
    )
    entries: dict[tuple[str, ...], _Entry] = {}
    for field_name, vocabulary in vocabularies:
        for value, phrases_by_strength in vocabulary:
            for strength, phrases in phrases_by_strength.items():
                for phrase in phrases:
                    _add_entry(entries, phrase, "cue", _Cue(field_name, value, strength))
    structural: tuple[tuple[_EntryKind, tuple[str, ...]], ...] = (
        ("negator", NEGATORS),
        ("break", CLAUSE_BREAKS),
        ("non_cue", NON_CUES),
        ("correction", CORRECTIONS),
    )
    for kind, phrases in structural:
        for phrase in phrases:
            _add_entry(entries, phrase, kind, None)
    longest_from: dict[str, int] = {}
    for key in entries:
        longest_from[key[0]] = max(longest_from.get(key[0], 0), len(key))
    return _PhraseTable(entries, longest_from)


_PHRASES: Final = _compile_phrase_table()
_PATTERNS: Final = tuple(
    (re.compile(pattern), _Cue(field_name, value, strength)) for pattern, field_name, value, strength in PATTERN_CUES
)


def _without_negative_section(prompt: str) -> str:
    """The prompt without what it asks to leave out, nor its generator parameters: image-generator prompts list
    unwanted things after "negative prompt:" (to the end) or a "--no" parameter (to the next parameter), and those
    words are not asked for ("negative prompt: close-up" does not ask for a close-up)."""
    prompt = _NEGATIVE_SECTION.split(prompt, maxsplit=1)[0]
    return _PARAMETER.sub(" ", _NO_PARAMETER.sub(" ", prompt))


def _normalised(prompt: str) -> str:
    """The text that is read: without the negative section and parameters, hex colours and typographic symbols."""
    prompt = _HEX_COLOUR.sub(" ", _without_negative_section(prompt))
    for symbol, spelled in _SPELLED_OUT.items():
        prompt = prompt.replace(symbol, spelled)
    return prompt


def _split_clauses(prompt: str) -> tuple[list[str], list[list[int]], list[int]]:
    """The words of a normalised prompt as typed, the word indices of each punctuation-delimited segment, and where
    each word starts in the text."""
    words: list[str] = []
    starts: list[int] = []
    segments: list[list[int]] = [[]]
    for match in _TOKEN_PATTERN.finditer(prompt):
        token = match.group()
        if token[0].isalnum():
            segments[-1].append(len(words))
            words.append(token)
            starts.append(match.start())
        elif segments[-1]:
            segments.append([])
    return words, [segment for segment in segments if segment], starts


def _longest_phrase_at(reading: _Reading, sub_words: list[tuple[str, int]], start: int) -> tuple[int, _Entry | None]:
    """How many sub-words the longest lexicon phrase at `start` covers (1 and None when there is none)."""
    longest = min(_PHRASES.longest_from.get(sub_words[start][0], 0), len(sub_words) - start)
    for length in range(longest, 0, -1):
        key = tuple(text for text, _ in sub_words[start : start + length])
        entry = _PHRASES.entries.get(key)
        if entry is None and key[-1].endswith(_POSSESSIVE_SUFFIX):
            # A phrase in the possessive reads as the phrase: "the space station's cupola", "the castle's gate".
            entry = _PHRASES.entries.get((*key[:-1], key[-1].removesuffix(_POSSESSIVE_SUFFIX)))
        if entry is None:
            continue
        if entry.capitals_only and not all(
            reading.typed[index].isupper() for _, index in sub_words[start : start + length]
        ):
            continue
        return length, entry
    return 1, None


def _read_segment(reading: _Reading, segment: list[int]) -> None:
    sub_words = [(part, index) for index in segment for part in _sub_words(reading.words[index])]
    negation_reaches_to = -1  # last word index the current negation covers
    position = 0
    while position < len(sub_words):
        length, entry = _longest_phrase_at(reading, sub_words, position)
        first_word, last_word = sub_words[position][1], sub_words[position + length - 1][1]
        is_negated = first_word <= negation_reaches_to
        for index in range(first_word, last_word + 1):
            reading.negated[index] = is_negated
            reading.read[index] = entry is not None
        if entry is not None and entry.kind == "correction":
            reading.corrections.append(first_word)
            negation_reaches_to = -1
        elif entry is not None and entry.kind == "negator":
            negation_reaches_to = last_word + NEGATION_WINDOW_WORDS
        elif entry is not None and entry.kind == "break":
            negation_reaches_to = -1
        elif entry is not None and entry.kind == "cue" and not is_negated:
            surface = " ".join(reading.words[first_word : last_word + 1])
            reading.hits.extend(_Hit(cue, surface, first_word, last_word) for cue in entry.cues)
            if all(cue.field in _FRAMING_FIELDS for cue in entry.cues):
                for index in range(first_word, last_word + 1):
                    reading.framing[index] = True
        position += length


def _read_patterns(reading: _Reading, text: str, starts: list[int]) -> None:
    """Cues the phrase table cannot spell because a word in the middle is free ("just the silverback's face"):
    regular expressions over the lower-cased text, each read like a phrase unless a negation covers its first word,
    replacing the phrase cues of its field inside its span."""
    lowered = text.lower()
    for pattern, cue in _PATTERNS:
        for match in pattern.finditer(lowered):
            first = bisect.bisect_left(starts, match.start())
            if first >= len(starts) or reading.negated[first]:
                continue
            last = max(first, bisect.bisect_left(starts, match.end()) - 1)
            inside = [
                hit for hit in reading.hits if hit.cue.field == cue.field and hit.order <= last and hit.end >= first
            ]
            if any(
                (hit.cue.value == cue.value and hit.cue.strength >= cue.strength)
                or (hit.order <= first and hit.end >= last)
                for hit in inside
            ):
                continue  # a phrase already said it ("rain outside the window"), or said otherwise over as many words
            # The longer reading wins, as between phrases: "rain pattering outside" is indoor, not "outside".
            reading.hits = [hit for hit in reading.hits if hit not in inside]
            for index in range(first, last + 1):
                reading.read[index] = True
                if cue.field in _FRAMING_FIELDS:
                    reading.framing[index] = True
            reading.hits.append(_Hit(cue, match.group().strip(), first, last))


def _read_prompt(prompt: str) -> _Reading:
    text = _normalised(prompt)
    typed, segments, starts = _split_clauses(text)
    reading = _Reading(
        [word.lower() for word in typed], typed, [False] * len(typed), [False] * len(typed), [False] * len(typed)
    )
    reading.segments = segments
    for segment in segments:
        if len(segment) == 1 and reading.words[segment[0]] == _LONE_CORRECTION:
            reading.corrections.append(segment[0])
            continue
        _read_segment(reading, segment)
    _read_patterns(reading, text, starts)
    return reading


def _confidence(winner: _Tally, runner_up: _Tally | None) -> float:
    corroborated = min(_MAX_CONFIDENCE, _BASE_CONFIDENCE[winner.strongest] + _CORROBORATION_STEP * (winner.count - 1))
    margin = 1.0 if runner_up is None else max(0.0, (winner.total - runner_up.total) / winner.total)
    # A contested reading keeps at least half its confidence: the strongest cue still won.
    return round(corroborated * (0.5 + 0.5 * margin), 2)


def _after_corrections(hits: list[_Hit], corrections: list[int]) -> list[_Hit]:
    """A field's hits, without those a later correction took back: "full body - actually no, just his face" asks for
    a close-up. A correction followed by nothing for this field changes nothing."""
    for correction in sorted(corrections, reverse=True):
        later = [hit for hit in hits if hit.order > correction]
        if later:
            return later
    return hits


def _decide(field_name: str, hits: list[_Hit], default: str | None, corrections: list[int]) -> FieldReading:
    tallies: dict[str, _Tally] = {}
    for hit in _after_corrections([hit for hit in hits if hit.cue.field == field_name], corrections):
        tallies.setdefault(hit.cue.value, _Tally(hit.cue.value)).add(hit)
    if not tallies:
        return FieldReading(value=default, confidence=0.0)
    ranked = sorted(tallies.values(), key=_Tally.rank_key, reverse=True)
    winner = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    return FieldReading(value=winner.value, confidence=_confidence(winner, runner_up), words=tuple(winner.words))


def _keyword(word: str) -> str | None:
    stem = word.removesuffix(_POSSESSIVE_SUFFIX)
    if len(stem) < 2 or stem in STOPWORDS or word in STOPWORDS:
        return None
    return stem


def _keywords(reading: _Reading) -> tuple[str, ...]:
    # Negated words ("no hat") are left out so they do not pull references that show them. Words that asked for a
    # shot type or an angle are left out too: those earn their own points, and as keywords they would also reward
    # a reference merely tagged "full-body" for a prompt asking for a full-body side view.
    chosen = (
        _keyword(word)
        for word, negated, framing in zip(reading.words, reading.negated, reading.framing, strict=True)
        if not negated and not framing
    )
    return tuple(dict.fromkeys(keyword for keyword in chosen if keyword is not None))


def _unread_spans(reading: _Reading) -> tuple[str, ...]:
    """Runs of content words no lexicon phrase read and no negation covers, as single words and word pairs."""
    spans: list[str] = []
    for segment in reading.segments:
        run: list[str] = []
        for index in [*segment, -1]:
            word = reading.words[index] if index >= 0 else ""
            usable = (
                index >= 0
                and not reading.read[index]
                and not reading.negated[index]
                and word.isalpha()
                and len(word) >= _MIN_SPAN_LETTERS
                and _keyword(word) is not None
            )
            if usable:
                run.append(word)
                continue
            spans.extend(run)
            spans.extend(f"{first} {second}" for first, second in itertools.pairwise(run))
            run = []
    return tuple(dict.fromkeys(spans))


def unread_spans(prompt: str) -> tuple[str, ...]:
    """The words and word pairs of `prompt` that a fallback would be handed (for calibration and tests)."""
    return _unread_spans(_read_prompt(prompt))


class Fallback(Protocol):
    """Decides fields the lexicon left undecided, from the words the rules did not read."""

    def read(self, spans: Sequence[str], fields: Sequence[str]) -> dict[str, FieldReading]:
        """Readings for some of `fields` (by field name); a field left out stays undecided."""
        ...


def analyze(prompt: str, fallback: Fallback | None = None) -> PromptAnalysis:
    """Read the framing, angle, mood, setting and keywords a prompt asks for."""
    reading = _read_prompt(prompt)
    decided = {
        SHOT_TYPE_FIELD: _decide(SHOT_TYPE_FIELD, reading.hits, None, reading.corrections),
        ANGLE_FIELD: _decide(ANGLE_FIELD, reading.hits, None, reading.corrections),
        MOOD_FIELD: _decide(MOOD_FIELD, reading.hits, "neutral", reading.corrections),
        SETTING_FIELD: _decide(SETTING_FIELD, reading.hits, "neutral", reading.corrections),
    }
    undecided = [name for name in FIELDS if not decided[name].words]
    spans = _unread_spans(reading) if fallback is not None and undecided else ()
    if fallback is not None and spans:
        guessed = fallback.read(spans, undecided)
        decided.update({name: guessed[name] for name in undecided if name in guessed})
    shot, angle, mood, setting = (decided[name] for name in FIELDS)
    return PromptAnalysis(
        shot_type=_SHOT_TYPE_BY_NAME.get(shot.value or ""),
        angle=_ANGLE_BY_NAME.get(angle.value or ""),
        mood=_MOOD_BY_NAME.get(mood.value or "", "neutral"),
        setting=_SETTING_BY_NAME.get(setting.value or "", "neutral"),
        keywords=_keywords(reading),
        readings=decided,
    )
