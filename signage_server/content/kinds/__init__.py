"""The item-kind registry: one module per kind (image, bulletin, ticker, clock, qr) declares its stored
name (``ItemKind``), the content it shows (``Content``: a media file, a bulletin, its own text or
nothing), its stored options (a pydantic model made of its wire item's option fields, so their
types, bounds and defaults have one home) and ``to_wire``, which turns a stored item into its
``signage_contract`` wire item. Item validation (``content.schemas``), loading what an item names
(``manifest.inputs``) and the manifest builder look a kind up here instead of testing for kinds.

Adding a kind (a video, say):

1. here: a module defining ``KIND = KindSpec(...)``, listed in ``_MODULES`` below;
2. ``signage_contract/manifest.py``: its wire model, tagged in the ``Item`` union and named in
   ``KNOWN_ITEM_KINDS`` (and, if it names media files, listed by ``item_media`` there, which
   ``Manifest.media()``, the composer and the player's cache read);
3. ``player/screen/kinds/``: a module defining ``KIND`` (how it is drawn; found there at first use);
4. ``signage_server/models.py``: the value in ``ItemKind`` (this module refuses to import while
   ``ItemKind`` and the registry differ);
5. a migration, for PostgreSQL: it stores ``playlist_item.kind`` as the native enum type
   ``itemkind`` of the member *names* (``'IMAGE'``, ``'BULLETIN'``, ...), so a new revision in
   ``signage_server/migrations/versions/`` runs ``ALTER TYPE itemkind ADD VALUE 'VIDEO'`` there
   (``tests/server/test_migrate.py`` does not see a missing value: inserting the kind fails).
   SQLite stores a ``VARCHAR(8)`` without a CHECK constraint: nothing to do for a name of up to
   8 letters; a longer one needs the column widened (``batch_alter_table``), which
   ``test_migrate`` does report;
6. the panel: its word in ``web/panel/labels.py`` and in the ``i18n`` catalogues. The add-item form
   offers every ``ItemKind`` with fields for a bulletin, an image and a text, so a kind showing one
   of the existing ``Content``s needs nothing more; a new ``Content`` needs its loading in
   ``manifest/inputs.py``, its check in ``KindSpec.check_source`` and a form field.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from signage_server.content.kinds import bulletin, clock, image, pdf, qr, ticker
from signage_server.content.kinds import video as video_kind
from signage_server.content.kinds.spec import REFERENCE_FIELDS, Content, ItemSource, KindSpec, WireCommon
from signage_server.models import ItemKind

__all__ = ["KINDS", "REFERENCE_FIELDS", "Content", "ItemSource", "KindSpec", "WireCommon", "kind_for"]

_MODULES = (image, bulletin, ticker, clock, qr, video_kind, pdf)


def _registry() -> Mapping[ItemKind, KindSpec]:
    kinds = {module.KIND.kind: module.KIND for module in _MODULES}
    if set(kinds) != set(ItemKind) or len(kinds) != len(_MODULES):
        raise RuntimeError(f"item kinds registered {sorted(kinds)} differ from ItemKind {sorted(ItemKind)}")
    return MappingProxyType(kinds)


KINDS = _registry()


def kind_for(kind: ItemKind | str) -> KindSpec:
    """The registered kind of a stored item kind; ValueError for a name that is not one."""
    return KINDS[ItemKind(kind)]
