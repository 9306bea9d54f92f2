"""A sweep request read and expanded: its axes into cells, each cell's create request checked
exactly as a create's (jobs.request, then jobs.checks against the model), all of them before
anything is queued, so a bad value is a 400 that names its axis and queues nothing.

    {"base": {create fields, without n}, "axes": [{"param": "seed", "values": [1, 2]}, ...]}
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from videos.errors import InvalidRequest
from videos.jobs.checks import JobSpec, validate
from videos.jobs.request import MAX_SEED, parse_create

SweepParam = Literal["seed", "num_inference_steps", "negative_prompt", "size", "seconds", "model", "prompt_replace"]
PARAMS: tuple[str, ...] = get_args(SweepParam)
TEXT_PARAMS = ("negative_prompt", "prompt_replace")  # a string of them is one value, never a comma list
MAX_AXES = 3
MAX_CELLS = 64
AXIS_KEYS = ("param", "values", "range", "find")


@dataclass(frozen=True)
class Axis:
    param: str
    values: list[Any]
    find: str | None = None  # prompt_replace: the phrase of the base prompt each value replaces

    def apply(self, fields: dict[str, Any], value: Any) -> None:
        if self.param == "prompt_replace":
            fields["prompt"] = str(fields["prompt"]).replace(str(self.find), value)
            fields.pop("original_prompt", None)  # the person's words no longer match the cell's prompt
        else:
            fields[self.param] = value

    def as_dict(self) -> dict[str, Any]:
        return {"param": self.param, "values": list(self.values), "find": self.find}


@dataclass(frozen=True)
class Cell:
    index: tuple[int, ...]
    values: dict[str, Any]
    spec: JobSpec


@dataclass(frozen=True)
class Plan:
    base: dict[str, Any]  # the checked base fields, with the seed the cells share unless one is swept
    axes: list[Axis]
    cells: list[Cell] = field(default_factory=list)


def plan_sweep(body: Mapping[str, Any]) -> Plan:
    """The sweep's cells, every one checked; InvalidRequest names the first problem."""
    unknown = sorted(set(body) - {"base", "axes"})
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r}; a sweep takes base and axes."
        raise InvalidRequest(unknown[0][:40], message, "unknown_field")
    axes = _axes(body.get("axes"))
    base = _base(body.get("base"), axes)
    lengths = [len(axis.values) for axis in axes]
    count = math.prod(lengths)
    if count > MAX_CELLS:
        product = " x ".join(str(n) for n in lengths)
        sizes = f"{product} = {count} cells" if len(lengths) > 1 else f"{count} cells"
        raise InvalidRequest("axes", f"{sizes}; a sweep makes at most {MAX_CELLS}.", "too_many_cells")
    # Each value on the base alone first, so a bad one is blamed on its own axis.
    for number, axis in enumerate(axes):
        for value in axis.values:
            fields = dict(base)
            axis.apply(fields, value)
            _checked(fields, f"axes[{number}].values", f"{axis.param} = {value!r}: ")
    cells = []
    for index in itertools.product(*(range(n) for n in lengths)):
        fields = dict(base)
        values = {}
        for axis, at in zip(axes, index, strict=True):
            axis.apply(fields, axis.values[at])
            values[axis.param] = axis.values[at]
        named = ", ".join(f"{name} = {value!r}" for name, value in values.items())
        cells.append(Cell(index, values, _checked(fields, "axes", f"The cell {named}: ")))
    return Plan(base, axes, cells)


def _checked(fields: Mapping[str, Any], param: str, prefix: str) -> JobSpec:
    try:
        spec, _ = validate(parse_create(fields))
    except InvalidRequest as exc:
        raise InvalidRequest(param, prefix + exc.message, exc.code, exc.status) from None
    return spec


def _base(given: object, axes: list[Axis]) -> dict[str, Any]:
    """The base request checked as a create; one seed drawn for every cell when none is given and
    none is swept, so the cells differ only in what the axes change."""
    if not isinstance(given, Mapping):
        raise InvalidRequest("base", "base must be an object of the create request's fields (prompt, ...).", "missing")
    if given.get("n") is not None:
        raise InvalidRequest("base.n", "A sweep makes one job per cell; leave n out of base.", "unknown_field")
    try:
        request = parse_create(given)
        spec, _ = validate(request, draw_seed=True)
    except InvalidRequest as exc:
        raise InvalidRequest(f"base.{exc.param}" if exc.param else "base", exc.message, exc.code, exc.status) from None
    base = request.model_dump(exclude_none=True)
    if not any(axis.param == "seed" for axis in axes):
        base["seed"] = spec.params.seed
    for number, axis in enumerate(axes):
        if axis.find is not None and axis.find not in request.prompt:
            message = f"The phrase {axis.find[:80]!r} is not in the base prompt."
            raise InvalidRequest(f"axes[{number}].find", message, "find_not_in_prompt")
    return base


def _axes(given: object) -> list[Axis]:
    if not isinstance(given, list) or not 1 <= len(given) <= MAX_AXES:
        raise InvalidRequest("axes", f"axes must be a list of 1 to {MAX_AXES} axes.", "invalid_value")
    axes: list[Axis] = []
    for number, item in enumerate(given):
        axis = _axis(item, f"axes[{number}]")
        if any(seen.param == axis.param for seen in axes):
            raise InvalidRequest(f"axes[{number}].param", f"{axis.param} is swept twice; give it one axis.")
        axes.append(axis)
    return axes


def _axis(item: object, where: str) -> Axis:
    if not isinstance(item, Mapping):
        raise InvalidRequest(where, f"{where} must be an object with param and values.")
    unknown = sorted(set(item) - set(AXIS_KEYS))
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r} in {where}; an axis takes param, values (or range), find."
        raise InvalidRequest(f"{where}.{unknown[0][:40]}", message, "unknown_field")
    param = item.get("param")
    if param not in PARAMS:
        shown = repr(param)[:60]
        raise InvalidRequest(f"{where}.param", f"Unknown sweep parameter {shown}; use one of {', '.join(PARAMS)}.")
    find = item.get("find")
    if param == "prompt_replace":
        if not isinstance(find, str) or not find:
            message = "prompt_replace needs find: the phrase of the base prompt to replace."
            raise InvalidRequest(f"{where}.find", message)
    elif find is not None:
        raise InvalidRequest(f"{where}.find", "find is only for prompt_replace.")
    if "range" in item:
        if param != "seed" or "values" in item:
            raise InvalidRequest(f"{where}.range", "range ([start, count]) is a seed axis's alternative to values.")
        values = _seed_range(item["range"], f"{where}.range")
    else:
        values = _values(param, item.get("values"), f"{where}.values")
    return Axis(str(param), values, find)


def _seed_range(given: object, where: str) -> list[Any]:
    if (
        not isinstance(given, list)
        or len(given) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in given)
    ):
        raise InvalidRequest(where, "range must be [start, count], two whole numbers.")
    start, count = given
    if not 1 <= count <= MAX_CELLS:
        raise InvalidRequest(where, f"A seed range's count must be between 1 and {MAX_CELLS}; got {count}.")
    if not 0 <= start <= MAX_SEED - count + 1:
        raise InvalidRequest(where, f"A seed range must stay within 0 and {MAX_SEED}.")
    return list(range(start, start + count))


def _values(param: str, given: object, where: str) -> list[Any]:
    """The axis's values as the create request takes them: a list; one value alone; or, for
    numbers, sizes, lengths and models, a comma-separated string ("1,2,3")."""
    if isinstance(given, str) and param not in TEXT_PARAMS:
        values: list[Any] = [part.strip() for part in given.split(",") if part.strip()]
    elif isinstance(given, list):
        values = list(given)
    elif given is None:
        values = []
    else:
        values = [given]
    if not values:
        raise InvalidRequest(where, "An axis needs at least one value.", "missing")
    if len(values) > MAX_CELLS:
        raise InvalidRequest("axes", f"{len(values)} cells; a sweep makes at most {MAX_CELLS}.", "too_many_cells")
    return [_normalised(param, value) for value in values]


def _normalised(param: str, value: Any) -> Any:
    """The form the create request reads: seconds as text ("2"), a size as "WxH" (also from
    [W, H]), steps and seeds as numbers (also from "12")."""
    if param == "seconds" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if param == "size" and isinstance(value, list) and len(value) == 2:
        return "x".join(str(side) for side in value)
    if param in ("seed", "num_inference_steps") and isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value
