"""Start-up steps that touch the database: built-in layouts are loaded, validated and stored."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session

from signage_contract import Layout
from signage_server.content.layouts import default_layouts_dir, load_builtin_layouts
from signage_server.models import LayoutRecord, utcnow

log = logging.getLogger(__name__)


def sync_builtin_layouts(engine: Engine) -> list[Layout]:
    """Store the templates of ``layouts/`` as built-in layout rows (refreshing changed ones).

    A broken template stops the start (``LayoutTemplateError`` names the file and the problem).
    """
    layouts = load_builtin_layouts(default_layouts_dir())
    with Session(engine) as session:
        for layout in layouts:
            regions = [r.model_dump(mode="json") for r in layout.regions]
            variants = {o.value: [r.model_dump(mode="json") for r in rs] for o, rs in layout.variants.items()}
            row = session.get(LayoutRecord, layout.id)
            if row is None:
                row = LayoutRecord(id=layout.id, name=layout.name, builtin=True)
            elif (row.regions, row.variants, row.name, row.background) == (
                regions, variants, layout.name, layout.background
            ):
                continue
            row.name, row.background, row.regions, row.builtin = layout.name, layout.background, regions, True
            row.variants = variants
            row.updated_at = utcnow()
            session.add(row)
        session.commit()
    log.info("built-in layouts: %s", ", ".join(lay.id for lay in layouts))
    return layouts
