"""pulumi.dynamic providers for the lab: base image, centre, link, routes, firewall, ops path, host, relay,
security services, IDS sensor, and the drill database's HA stack.

Every provider is the same thin shell over plain functions (topology, hosts, relays, image): the
inputs are stored as outputs, `read` reports the resource gone (empty id) when any part of it is
missing on the machine, so `pulumi refresh` drops it and the next `up` recreates it, and any change
of inputs replaces the object (delete first: the names are fixed).

The provider instance is pickled into the state by reference to this importable module, so the
provider process (`pulumi-resource-pulumi-python`) must run a Python that can import govcloud.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

from govcloud.drill.ha import lab_resource
from govcloud.lab import hosts, image, relays, topology
from govcloud.secsvc import host_services, sensor

Props = dict[str, Any]


def _image_create(p: Props) -> Props:
    return {"path": str(image.ensure_base(Path(p["cache"])))}


def _image_present(p: Props) -> bool:
    return image.is_ready(Path(p["cache"]))


def _image_delete(p: Props) -> None:
    """The base image is a machine-wide cache, kept on destroy (remove GOVCLOUD_LAB_CACHE to rebuild)."""


Ops = tuple[Callable[[Props], Props], Callable[[Props], bool], Callable[[Props], None]]
OPERATIONS: dict[str, Ops] = {
    "image": (_image_create, _image_present, _image_delete),
    "centre": (topology.centre_create, topology.centre_present, topology.centre_delete),
    "link": (topology.link_create, topology.link_present, topology.link_delete),
    "routes": (topology.routes_create, topology.routes_present, topology.routes_delete),
    "firewall": (topology.firewall_create, topology.firewall_present, topology.firewall_delete),
    "oob": (topology.oob_create, topology.oob_present, topology.oob_delete),
    "host": (hosts.create, hosts.present, hosts.delete),
    "relay": (relays.create, relays.present, relays.delete),
    "services": (host_services.create, host_services.present, host_services.delete),
    "ids": (sensor.create, sensor.present, sensor.delete),
    "ha": (lab_resource.create, lab_resource.present, lab_resource.delete),
}


def _normalise(value: Any) -> Any:
    """Pulumi carries every number as a float: give integral ones back as int (prefix lengths, ports)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _inputs(props: Props) -> Props:
    return {k: _normalise(v) for k, v in props.items() if not k.startswith("__") and k != "out"}


class LabProvider(ResourceProvider):
    """One provider class; `kind` selects the operations. Kept attribute-free besides `kind`."""

    serialize_as_secret_always = False

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def create(self, props: Props) -> CreateResult:
        create, _, _ = OPERATIONS[self.kind]
        inputs = _inputs(props)
        out = create(inputs)
        return CreateResult(id_=str(inputs["object_id"]), outs={**inputs, "out": out})

    def read(self, id_: str, props: Props) -> ReadResult:
        _, present, _ = OPERATIONS[self.kind]
        if not present(_inputs(props)):
            return ReadResult(id_="", outs={})  # gone: refresh removes it from the state
        return ReadResult(id_=id_, outs={k: v for k, v in props.items() if not k.startswith("__")})

    def diff(self, _id: str, olds: Props, news: Props) -> DiffResult:
        old, new = _inputs(olds), _inputs(news)
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=True)

    def delete(self, _id: str, props: Props) -> None:
        _, _, delete = OPERATIONS[self.kind]
        delete(_inputs(props))


class BaseImage(Resource, module="lab", name="BaseImage"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("image"), name, {**props, "out": None}, opts)


class Centre(Resource, module="lab", name="Centre"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("centre"), name, {**props, "out": None}, opts)


class Link(Resource, module="lab", name="Link"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("link"), name, {**props, "out": None}, opts)


class Routes(Resource, module="lab", name="Routes"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("routes"), name, {**props, "out": None}, opts)


class Firewall(Resource, module="lab", name="Firewall"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("firewall"), name, {**props, "out": None}, opts)


class OpsPath(Resource, module="lab", name="OpsPath"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("oob"), name, {**props, "out": None}, opts)


class Host(Resource, module="lab", name="Host"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("host"), name, {**props, "out": None}, opts)


class DelayRelay(Resource, module="lab", name="DelayRelay"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("relay"), name, {**props, "out": None}, opts)


class HostServices(Resource, module="lab", name="HostServices"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("services"), name, {**props, "out": None}, opts)


class IdsSensor(Resource, module="lab", name="IdsSensor"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("ids"), name, {**props, "out": None}, opts)


class HaStack(Resource, module="lab", name="HaStack"):
    def __init__(self, name: str, props: Props, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(LabProvider("ha"), name, {**props, "out": None}, opts)
