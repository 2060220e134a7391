"""The item-kind registry: every kind round-trips options -> stored -> wire, and the registry, the
stored enum and the contract's wire items name the same kinds."""

import hashlib
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError, create_model

from signage_contract import ImageItem, Item, MediaRef
from signage_contract.manifest import ItemBase, UnknownItem
from signage_server.content.kinds import KINDS, Content, KindSpec, kind_for
from signage_server.content.kinds.spec import KindOptions, stored_options
from signage_server.content.schemas import ItemCreate
from signage_server.manifest.builder import PlaylistItemSpec, wire_item
from signage_server.models import ItemKind

WIRE = TypeAdapter(Item)
MEDIA = MediaRef(sha256=hashlib.sha256(b"poster").hexdigest(), size=1000, content_type="image/png",
                 width=384, height=192)
# One value other than the default for every option of every kind.
OPTIONS: dict[ItemKind, dict[str, Any]] = {
    ItemKind.IMAGE: {"fit": "cover", "letterbox": "colour", "background": "#112233"},
    ItemKind.BULLETIN: {"align": "center", "foreground": "#000000", "background": "#FFFFFF",
                        "title_color": "#FF0000", "duration_fixed": True, "flow": "scroll"},
    ItemKind.TICKER: {"speed": 3.0, "foreground": "#000000", "background": "#FFFF00"},
    ItemKind.CLOCK: {"format": "time", "foreground": "#00FF00", "background": "#101010"},
    ItemKind.QR: {"caption": "Góp ý cho tỉnh", "foreground": "#000000", "background": "#FFFFFF"},
    ItemKind.VIDEO: {"fit": "cover", "background": "#112233", "muted": False},
    ItemKind.PDF: {"page_s": 15.0, "fit": "cover", "background": "#202020"},
}
# What an item of each content names, when stored and when composed.
STORED: dict[Content, dict[str, Any]] = {
    Content.MEDIA: {"media_id": 1}, Content.BULLETIN: {"bulletin_id": 1}, Content.TEXT: {"text": "Bão số 5"},
    Content.NONE: {}, Content.PDF: {"media_id": 2},
}
OWN_TEXT = {ItemKind.QR: "https://gopy.quangngai.gov.vn/"}  # a kind whose text has rules of its own
COMPOSED: dict[Content, dict[str, Any]] = {
    Content.MEDIA: {"media": MEDIA}, Content.BULLETIN: {"title": "Lịch tiêm", "text": "Thứ Hai"},
    Content.TEXT: {"text": "Bão số 5"}, Content.NONE: {}, Content.PDF: {"pages": (MEDIA, MEDIA)},
}


def _stored(kind: ItemKind) -> dict[str, Any]:
    content = STORED[KINDS[kind].content]
    return {**content, "text": OWN_TEXT[kind]} if kind in OWN_TEXT else content


def _composed(kind: ItemKind) -> dict[str, Any]:
    content = COMPOSED[KINDS[kind].content]
    return {**content, "text": OWN_TEXT[kind]} if kind in OWN_TEXT else content


def test_every_stored_kind_is_registered_once() -> None:
    assert set(KINDS) == set(ItemKind)
    assert all(kind == spec.kind for kind, spec in KINDS.items())


def test_the_registry_and_the_contract_know_the_same_wire_items() -> None:
    wire_models = _wire_models(ItemBase) - {UnknownItem}
    assert {spec.wire_model for spec in KINDS.values()} == wire_models
    assert len({spec.wire_kind for spec in KINDS.values()}) == len(KINDS)


def _wire_models(base: type[ItemBase]) -> set[type[ItemBase]]:
    """The wire item models of the contract: the leaves below ``ItemBase``."""
    below = base.__subclasses__()
    return set().union(*map(_wire_models, below)) if below else {base}


def test_a_pdf_item_lasts_one_pass_through_its_pages() -> None:
    item = wire_item(3, PlaylistItemSpec(9, ItemKind.PDF, duration_s=99.0, options={"page_s": 7.5},
                                         pages=(MEDIA, MEDIA, MEDIA)))
    assert item.duration_s == 22.5
    assert [item.page_at(t) for t in (0.0, 7.4, 7.5, 15.0, 22.4, 22.5)] == [0, 0, 1, 2, 2, 0]


def test_kind_for_takes_the_stored_name_and_refuses_others() -> None:
    assert kind_for("image") is KINDS[ItemKind.IMAGE]
    assert kind_for(ItemKind.CLOCK).wire_kind == "clock"
    assert kind_for("bulletin").wire_kind == "text"
    with pytest.raises(ValueError, match="hologram"):
        kind_for("hologram")


@pytest.mark.parametrize("kind", list(ItemKind))
def test_options_round_trip_from_request_to_wire(kind: ItemKind) -> None:
    spec = KINDS[kind]
    assert set(OPTIONS[kind]) == spec.option_keys  # the table covers every option
    stored = ItemCreate.model_validate({"kind": kind, **_stored(kind), "options": OPTIONS[kind]})
    assert stored.options == OPTIONS[kind]
    item = wire_item(3, PlaylistItemSpec(9, kind, options=stored.options, **_composed(kind)))
    assert type(item) is spec.wire_model
    assert item.kind == spec.wire_kind
    assert {key: getattr(item, key) for key in OPTIONS[kind]} == OPTIONS[kind]
    assert WIRE.validate_json(WIRE.dump_json(item)) == item  # what the player reads back


@pytest.mark.parametrize("kind", list(ItemKind))
def test_unset_options_are_not_stored_and_the_wire_defaults_apply(kind: ItemKind) -> None:
    spec = KINDS[kind]
    stored = ItemCreate.model_validate({"kind": kind, **_stored(kind)})
    assert stored.options == {}
    item = wire_item(3, PlaylistItemSpec(9, kind, **_composed(kind)))
    defaults = spec.wire_model.model_fields
    assert {key: getattr(item, key) for key in spec.option_keys} == {
        key: defaults[key].default for key in spec.option_keys}


@pytest.mark.parametrize("kind", list(ItemKind))
def test_an_unknown_option_is_refused_with_its_name(kind: ItemKind) -> None:
    with pytest.raises(ValidationError) as refused:
        ItemCreate.model_validate({"kind": kind, **_stored(kind), "options": {"zoom": 2}})
    message = refused.value.errors()[0]["msg"]
    assert message == f"Value error, options for a {kind.value} item: zoom: Extra inputs are not permitted"


def test_options_of_another_kind_are_stored_by_none_and_dropped_on_the_wire() -> None:
    with pytest.raises(ValidationError, match="options for a clock item: speed: Extra inputs"):
        ItemCreate.model_validate({"kind": "clock", "options": {"speed": 2}})
    item = wire_item(3, PlaylistItemSpec(9, "clock", options={"speed": 2, "format": "date"}))
    assert item.model_dump(include={"format"}) == {"format": "date"}
    assert "speed" not in item.model_dump()


@pytest.mark.parametrize(("item", "message"), [
    ({"kind": "clock", "text": "x"}, "a clock item takes no text (only tickers and qrs do)"),
    ({"kind": "ticker"}, "a ticker item needs text"),
    ({"kind": "image"}, "a image item needs media_id"),
    ({"kind": "image", "media_id": 1, "bulletin_id": 2}, "a image item takes no bulletin_id"),
    ({"kind": "bulletin", "bulletin_id": 2, "media_id": 1}, "a bulletin item takes no media_id"),
    ({"kind": "ticker", "text": "x", "options": {"speed": 0}},
     "options for a ticker item: speed: Input should be greater than 0"),
])
def test_item_content_is_checked_by_its_kind(item: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ItemCreate.model_validate(item)
    assert refused.value.errors()[0]["msg"] == f"Value error, {message}"


def test_a_kind_cannot_store_an_option_its_wire_item_lacks() -> None:
    zoomable = create_model("ZoomOptions", __base__=KindOptions, zoom=(float, 1.0))
    with pytest.raises(TypeError, match=r"\['zoom'\] are not fields of its wire item"):
        KindSpec(kind=ItemKind.IMAGE, content=Content.MEDIA, wire_model=ImageItem, options=zoomable,
                 to_wire=KINDS[ItemKind.IMAGE].to_wire)


def test_stored_options_keep_the_wire_bounds() -> None:
    options = stored_options(ImageItem, "fit")
    assert options.model_validate({"fit": "cover"}).model_dump() == {"fit": "cover"}
    with pytest.raises(ValidationError):
        options.model_validate({"fit": "stretch"})
    with pytest.raises(ValidationError):
        options.model_validate({"background": "#000000"})  # not one of the named fields


def test_an_image_with_a_chosen_background_colour_keeps_it_as_its_letterbox() -> None:
    """Stored before the blurred letterbox existed: the editor's colour still fills the bands."""
    chosen = {"background": "#112233"}
    coloured = wire_item(3, PlaylistItemSpec(9, ItemKind.IMAGE, options=chosen, media=MEDIA))
    plain = wire_item(3, PlaylistItemSpec(9, ItemKind.IMAGE, media=MEDIA))
    assert isinstance(coloured, ImageItem) and isinstance(plain, ImageItem)
    assert (coloured.letterbox, plain.letterbox) == ("colour", "blur")
