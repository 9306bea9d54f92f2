"""What a video's Content Credentials say: the manifest definition c2pa's Builder signs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENERATOR = "Video Studio"
GENERATOR_VERSION = "1.0"  # the API's version (videos/api/routes.py)
SETTINGS_LABEL = "org.videostudio.settings"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI_MADE = IPTC + "trainedAlgorithmicMedia"
ALGORITHMIC = IPTC + "algorithmicMedia"  # the preview engine draws; no model was trained


@dataclass(frozen=True)
class Ingredient:
    path: Path
    title: str
    mime: str = "video/mp4"
    relationship: str = "parentOf"  # one per file; a model's input image "inputTo", a joined clip "componentOf"


@dataclass(frozen=True)
class Provenance:
    """How one file came to be: made by a model, or made from other files (ingredients)."""

    title: str
    model: str  # the softwareAgent
    ai: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    ingredients: tuple[Ingredient, ...] = ()
    edited: str = ""  # how the parentOf ingredient (first) was changed ("extended", "joined"); empty: new


def settings_assertion(values: dict[str, Any], omit_prompt: bool) -> dict[str, Any]:
    """The studio's own assertion; with STUDIO_C2PA_OMIT_PROMPT the prompts are left out and it says so."""
    data = {key: value for key, value in values.items() if value not in (None, "")}
    if omit_prompt:
        omitted = [key for key in ("prompt", "negative_prompt", "original_prompt") if key in data]
        for key in omitted:
            del data[key]
        data["prompt_omitted"] = True  # an operator's choice, recorded rather than silently missing
    return {"label": SETTINGS_LABEL, "data": data}


def definition(what: Provenance, omit_prompt: bool) -> dict[str, Any]:
    agent = {"name": what.model}
    source_type = AI_MADE if what.ai else ALGORITHMIC
    if what.ingredients and what.edited:
        actions: list[dict[str, Any]] = [
            {"action": "c2pa.opened", "softwareAgent": agent, "parameters": {"ingredientIds": ["parent"]}},
            {
                "action": "c2pa.edited",
                "softwareAgent": agent,
                "digitalSourceType": source_type,
                "description": what.edited,
            },
        ]
    else:
        actions = [{"action": "c2pa.created", "softwareAgent": agent, "digitalSourceType": source_type}]
    return {
        "claim_generator_info": [{"name": GENERATOR, "version": GENERATOR_VERSION}],
        "title": what.title,
        "format": "video/mp4",
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": actions}},
            settings_assertion(what.settings, omit_prompt),
        ],
    }


def ingredient_json(item: Ingredient, label: str) -> dict[str, Any]:
    return {"title": item.title, "relationship": item.relationship, "format": item.mime, "label": label}
