"""The SQLite catalog on a real file: selection sees the references and only the best eligible generated images."""

from pathlib import Path

from actors.gallery.catalog import Catalog
from contracts.commands import SaveGeneratedImage
from contracts.model import PromptAnalysis
from contracts.queries import AddReference, CreateCharacter

ANALYSIS = PromptAnalysis(shot_type=None, angle=None, mood="neutral", setting="neutral", keywords=())


def generated(request_id: str, consistency: float) -> SaveGeneratedImage:
    return SaveGeneratedImage(
        request_id=request_id,
        character_id="c",
        character_name="C",
        asset_id=f"asset-{request_id}",
        filename="f.jpg",
        prompt="p",
        style="custom",
        tags=(),
        analysis=ANALYSIS,
        reference_id="r",
        quality_score=90,
        consistency_score=consistency,
    )


async def test_selection_lookup_is_bounded_however_large_the_gallery(tmp_path: Path) -> None:
    catalog = await Catalog.open(tmp_path / "catalog.sqlite3")
    await catalog.create_character(CreateCharacter(id="c", name="C"), now=1)
    await catalog.add_reference(AddReference(character_id="c", asset_id="m", role="master"), now=2)
    await catalog.add_reference(AddReference(character_id="c", asset_id="k", role="core_reference"), now=3)
    for i, consistency in enumerate([70, 86, 99, 90, 84, 95]):
        await catalog.save_generated(generated(f"r{i}", consistency), 64, 64, now=10 + i)
    everything = await catalog.entries("c")
    for_selection = await catalog.entries("c", min_generated_consistency=85, generated_limit=2)
    await catalog.close()
    assert len(everything) == 8
    assert [(e.role, e.consistency_score) for e in for_selection] == [
        ("master", None),
        ("core_reference", None),
        ("generated", 99),
        ("generated", 95),
    ]


async def test_a_redelivered_save_returns_the_first_entry(tmp_path: Path) -> None:
    catalog = await Catalog.open(tmp_path / "catalog.sqlite3")
    await catalog.create_character(CreateCharacter(id="c", name="C"), now=1)
    first = await catalog.save_generated(generated("same", 90), 64, 64, now=5)
    again = await catalog.save_generated(generated("same", 90), 64, 64, now=9)
    assert again == first and len(await catalog.entries("c")) == 1
    await catalog.close()
