"""The human sentence in `validationNotes`: how good the image is, how consistent, and what held it back."""

QUALITY_WORDS = ((85, "High quality"), (70, "Good quality"), (50, "Fair quality"), (0, "Low quality"))
CONSISTENCY_WORDS = (
    (90, "excellent consistency"),
    (80, "good consistency"),
    (60, "moderate consistency"),
    (0, "poor consistency"),
)


def _word(score: float, table: tuple[tuple[int, str], ...]) -> str:
    return next(word for floor, word in table if score >= floor)


def validation_notes(quality: float, consistency: float, weakest: str | None = None) -> str:
    sentence = f"{_word(quality, QUALITY_WORDS)} generation with {_word(consistency, CONSISTENCY_WORDS)}"
    if weakest:
        sentence += f"; weakest aspect: {weakest}"
    return sentence
